using AgentCluster.Testing.Internal;

namespace AgentCluster.Testing;

/// <summary>
/// Starts anvil nodes: in a container (Testcontainers, local image <c>agentcluster/anvil:&lt;tag&gt;</c>) when a Docker engine is
/// reachable and the image is built, else as an anvil process (said once on stderr). <c>AGENTCLUSTER_ANVIL=container</c> forces
/// containers (and fails clearly without an engine), <c>AGENTCLUSTER_ANVIL=process</c> forces processes.
/// </summary>
public static class Anvil
{
    /// <summary>The environment variable that picks the kind: <c>container</c>, <c>process</c>, or unset/<c>auto</c>.</summary>
    public const string KindVariable = "AGENTCLUSTER_ANVIL";

    private static readonly SemaphoreSlim ProbeGate = new(1, 1);
    private static readonly Dictionary<string, (string? Reason, string Image)> Probes = [];
    private static int _saidContainer;
    private static int _saidProcess;

    /// <summary>The kind of the node started last in this process (<see cref="AnvilKinds"/>), or null before the first.</summary>
    public static string? LastKind { get; private set; }

    /// <summary>Starts a node and returns once it answers <c>eth_chainId</c> with <see cref="AnvilOptions.ChainId"/>.</summary>
    /// <remarks>With <see cref="AnvilOptions.StateFile"/> the node is always a process (containers forced: refused).</remarks>
    /// <exception cref="ArgumentException">An option is out of range (the message names it), or a state file with containers forced.</exception>
    /// <exception cref="AnvilException">anvil could not be started, or containers were forced and no engine is reachable.</exception>
    public static async Task<IAnvilNode> StartAsync(AnvilOptions? options = null, CancellationToken ct = default)
    {
        options ??= new AnvilOptions();
        options.Validate();
        string mode = (Environment.GetEnvironmentVariable(KindVariable) ?? "").Trim().ToLowerInvariant();
        if (options.StateFile is not null)
        {
            // A state file on the host is a process node's: auto picks a process; a forced container is refused.
            mode = mode switch
            {
                "" or "auto" => AnvilKinds.Process,
                AnvilKinds.Container => throw new ArgumentException(
                    $"AnvilOptions.StateFile needs an anvil process, but {KindVariable}=container.", nameof(options)),
                _ => mode,
            };
        }

        IAnvilNode node;
        switch (mode)
        {
            case AnvilKinds.Process:
                node = await ProcessAnvilNode.StartAsync(options, ct).ConfigureAwait(false);
                break;
            case AnvilKinds.Container:
            case "":
            case "auto":
                (string? reason, string image) = await ProbeAsync(ct).ConfigureAwait(false);
                if (reason is null)
                {
                    if (Interlocked.Exchange(ref _saidContainer, 1) == 0)
                    {
                        Console.Error.WriteLine($"AgentCluster.Testing: anvil runs in containers (image {image})");
                    }

                    node = await ContainerAnvilNode.StartAsync(image, options, ct).ConfigureAwait(false);
                }
                else if (mode == AnvilKinds.Container)
                {
                    throw new AnvilException($"{KindVariable}=container, but containers cannot run: {reason}. Run scripts/setup (it starts dockerd and builds the image).");
                }
                else
                {
                    if (Interlocked.Exchange(ref _saidProcess, 1) == 0)
                    {
                        Console.Error.WriteLine($"AgentCluster.Testing: no Docker engine reachable ({reason}); using an anvil process");
                    }

                    node = await ProcessAnvilNode.StartAsync(options, ct).ConfigureAwait(false);
                }

                break;
            default:
                throw new AnvilException($"{KindVariable} must be 'container', 'process' or 'auto' (or unset), not '{mode}'.");
        }

        LastKind = node.Kind;
        return node;
    }

    /// <summary>Whether containers can run (engine answers, image present): null, or why not. Probed once per process and DOCKER_HOST.</summary>
    private static async Task<(string? Reason, string Image)> ProbeAsync(CancellationToken ct)
    {
        await ProbeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            string key = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "";
            if (Probes.TryGetValue(key, out var known))
            {
                return known;
            }

            string image = Locator.AnvilImage();
            string? reason;
            using (DockerEngine? engine = DockerEngine.TryCreate(out string noEndpoint))
            {
                if (engine is null)
                {
                    reason = noEndpoint;
                }
                else
                {
                    reason = await engine.PingAsync(ct).ConfigureAwait(false);
                    if (reason is null && !await engine.ImageExistsAsync(image, ct).ConfigureAwait(false))
                    {
                        reason = $"the engine at {engine.Endpoint} has no image {image}; scripts/setup builds it";
                    }
                }
            }

            if (reason is null)
            {
                DockerEnvironment.Prepare();
            }

            Probes[key] = (reason, image);
            return (reason, image);
        }
        finally
        {
            ProbeGate.Release();
        }
    }
}
