using System.Globalization;
using AgentCluster.Testing.Internal;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;

namespace AgentCluster.Testing.Containers;

/// <summary>
/// Testcontainers builder for Foundry's anvil from the local image <c>agentcluster/anvil:&lt;tag&gt;</c> (built by
/// <c>docker/anvil/build.sh</c>; never pulled). The container shares the host's network namespace and anvil binds
/// <c>127.0.0.1:&lt;port&gt;</c>; the container is ready when <c>eth_chainId</c> answers (bounded by the start timeout).
/// </summary>
public sealed class AnvilBuilder : ContainerBuilder<AnvilBuilder, AnvilContainer, AnvilConfiguration>
{
    /// <summary>The label every container of this builder carries, valued with the creating process's id.</summary>
    public const string ProcessLabel = "org.agentcluster.testing.pid";

    /// <summary>Where a state directory is mounted inside the container.</summary>
    public const string StateMountPath = "/state";

    static AnvilBuilder()
    {
        DockerEnvironment.Prepare();
    }

    /// <summary>A builder for the given local image (e.g. <c>agentcluster/anvil:10c1c727d6c1</c>).</summary>
    public AnvilBuilder(string image)
        : this(new AnvilConfiguration())
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        DockerResourceConfiguration = Init().WithImage(image).DockerResourceConfiguration;
    }

    private AnvilBuilder(AnvilConfiguration resourceConfiguration)
        : base(resourceConfiguration)
    {
        DockerResourceConfiguration = resourceConfiguration;
    }

    /// <inheritdoc />
    protected override AnvilConfiguration DockerResourceConfiguration { get; }

    /// <summary>Listen on this port (default: a free port chosen at <see cref="Build"/>).</summary>
    public AnvilBuilder WithAnvilPort(int port)
    {
        if (port < 1 || port > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The anvil port must be between 1 and 65535.");
        }

        return Merge(DockerResourceConfiguration, new AnvilConfiguration(port: port));
    }

    /// <summary>Run with <c>--chain-id</c>; readiness then also checks the id.</summary>
    public AnvilBuilder WithChainId(ulong chainId)
    {
        if (chainId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chainId), chainId, "The chain id must be at least 1.");
        }

        return Merge(DockerResourceConfiguration, new AnvilConfiguration(chainId: chainId))
            .WithCommand("--chain-id", chainId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Keep anvil's state in this existing host directory (<c>--state /state/state.json</c>), so a stop/start keeps the chain.</summary>
    public AnvilBuilder WithStateDirectory(string hostDirectory)
    {
        if (!Directory.Exists(hostDirectory))
        {
            throw new ArgumentException($"The state directory {hostDirectory} does not exist.", nameof(hostDirectory));
        }

        return Merge(DockerResourceConfiguration, new AnvilConfiguration(stateDirectory: Path.GetFullPath(hostDirectory)));
    }

    /// <summary>How long a start may take until eth_chainId answers (default 30 s).</summary>
    public AnvilBuilder WithStartTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The start timeout must be positive.");
        }

        return Merge(DockerResourceConfiguration, new AnvilConfiguration(startTimeout: timeout));
    }

    /// <inheritdoc />
    public override AnvilContainer Build()
    {
        Validate();
        AnvilBuilder builder = DockerResourceConfiguration.Port is null ? WithAnvilPort(Net.FreePort()) : this;
        AnvilConfiguration config = builder.DockerResourceConfiguration;
        int port = config.Port!.Value;
        builder = builder.WithCommand("--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture));
        if (config.StateDirectory is { } stateDirectory)
        {
            builder = builder.WithBindMount(stateDirectory, StateMountPath).WithCommand("--state", StateMountPath + "/state.json");
        }

        TimeSpan timeout = config.StartTimeout ?? TimeSpan.FromSeconds(30);
        builder = builder.WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(
            new ChainIdAnswers(new Uri($"http://127.0.0.1:{port}/"), config.ChainId),
            o => o.WithTimeout(timeout).WithInterval(TimeSpan.FromMilliseconds(50))));
        return new AnvilContainer(builder.DockerResourceConfiguration);
    }

    /// <inheritdoc />
    protected override AnvilBuilder Init()
    {
        uint uid = Native.UserId();
        uint gid = Native.GroupId();
        return base.Init()
            .WithImagePullPolicy(PullPolicy.Never)
            .WithLabel(ProcessLabel, Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("NO_COLOR", "1")
            .WithCreateParameterModifier(p =>
            {
                p.HostConfig ??= new HostConfig();
                p.HostConfig.NetworkMode = "host";
                if (uid != 0)
                {
                    // Files anvil writes into a bind-mounted state directory then belong to the caller.
                    p.User = $"{uid}:{gid}";
                }
            });
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        base.Validate();
        if (DockerResourceConfiguration.Image is null)
        {
            throw new ArgumentException("AnvilBuilder needs an image (agentcluster/anvil:<tag>).", "image");
        }
    }

    /// <inheritdoc />
    protected override AnvilBuilder Clone(IResourceConfiguration<CreateContainerParameters> resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new AnvilConfiguration(resourceConfiguration));

    /// <inheritdoc />
    protected override AnvilBuilder Clone(IContainerConfiguration resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new AnvilConfiguration(resourceConfiguration));

    /// <inheritdoc />
    protected override AnvilBuilder Merge(AnvilConfiguration oldValue, AnvilConfiguration newValue) =>
        new(new AnvilConfiguration(oldValue, newValue));

    /// <summary>Ready when eth_chainId answers (with the expected id, when one is set); fails fast when the container exited.</summary>
    private sealed class ChainIdAnswers(Uri rpcUrl, ulong? chainId) : IWaitUntil
    {
        public async Task<bool> UntilAsync(IContainer container)
        {
            if (container.State is TestcontainersStates.Exited or TestcontainersStates.Dead)
            {
                (string stdout, string stderr) = await container.GetLogsAsync().ConfigureAwait(false);
                throw new AnvilException($"The anvil container exited while starting on {rpcUrl}.\n{stdout}{stderr}".TrimEnd(), exitedWhileStarting: true);
            }

            ulong? answered = await Net.TryChainIdAsync(rpcUrl, TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            if (answered is { } id && chainId is { } expected && id != expected)
            {
                throw new AnvilException($"The node at {rpcUrl} answers chain id {id}, not {expected}: is another node on that port?");
            }

            if (answered is null)
            {
                return false;
            }

            // The port was free when chosen, but the host's loopback is shared: another node may have taken it since, and would answer
            // the same chain id. Only this container's own "Listening on" line says that its anvil holds the port; without it, keep
            // waiting (an anvil that could not bind exits, and the start is tried again on another port).
            (string logs, string errors) = await container.GetLogsAsync().ConfigureAwait(false);
            return Net.SaysListening(logs + errors, rpcUrl);
        }
    }
}
