using AgentCluster.Sdk;
using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Testing.Internal;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Testing;

/// <summary>
/// A fresh anvil node with the whole AgentCluster suite deployed by the repository's <c>scripts/deploy</c> (outside a checkout: the
/// deployment packed into this package by scripts/pack, loaded with <c>anvil_loadState</c>; see <see cref="StartAsync"/>), and a Web3 signing
/// as anvil account 0 (the deployer) through the project's durable transaction manager (<see cref="AgentClusterWeb3"/>, its
/// journal in a directory of the suite's own, deleted on dispose). The first suite of a process deploys (tens of seconds); later ones with the same chain id,
/// anvil arguments and deploy environment load an <c>anvil_dumpState</c> snapshot of that deployment into their own fresh node
/// (well under a second), so every suite is an independent chain with the same addresses. Disposing it disposes the node.
/// </summary>
public sealed partial class AgentClusterSuite : IAsyncDisposable
{
    private static readonly SemaphoreSlim SnapshotGate = new(1, 1);
    private static readonly Dictionary<string, Snapshot> Snapshots = [];

    private readonly string _journalDirectory = Directory.CreateTempSubdirectory("agentcluster-suite-").FullName;
    private readonly List<AgentClusterWeb3> _web3s = [];
    private readonly SemaphoreSlim _web3Gate = new(1, 1);

    private AgentClusterSuite(IAnvilNode node, DeploymentManifest manifest, bool fromSnapshot, TimeSpan startTime)
    {
        Node = node;
        Manifest = manifest;
        FromSnapshot = fromSnapshot;
        StartTime = startTime;
        Accounts = AnvilAccounts.PrivateKeys.Select(k => new Account(k, node.ChainId)).ToList();
    }

    private static async Task<AgentClusterSuite> CreateAsync(IAnvilNode node, DeploymentManifest manifest, bool fromSnapshot, Stopwatch clock, CancellationToken ct)
    {
        var suite = new AgentClusterSuite(node, manifest, fromSnapshot, TimeSpan.Zero);
        try
        {
            suite.Web3 = await suite.CreateWeb3Async(0, ct).ConfigureAwait(false);
        }
        catch
        {
            await suite.DisposeWeb3sAsync().ConfigureAwait(false);
            throw;
        }

        suite.StartTime = clock.Elapsed;
        return suite;
    }

    /// <summary>The node the suite is deployed on.</summary>
    public IAnvilNode Node { get; }

    /// <summary>
    /// A Web3 on <see cref="IAnvilNode.RpcUrl"/> signing as <see cref="Accounts"/>[0] (the deployer), whose transactions go through
    /// the durable transaction manager (journaled, nonce-ordered, receipts awaited on every attempt).
    /// </summary>
    public AgentClusterWeb3 Web3 { get; private set; } = null!;

    /// <summary>The deployment: chain id, first block, deployer and the contracts' checksummed addresses.</summary>
    public DeploymentManifest Manifest { get; }

    /// <summary>anvil's 10 default accounts as Nethereum accounts for this chain id (index 0 deployed the suite).</summary>
    public IReadOnlyList<Account> Accounts { get; }

    /// <summary>True when the chain was restored from this process's snapshot rather than deployed by scripts/deploy.</summary>
    public bool FromSnapshot { get; }

    /// <summary>
    /// True when there was no checkout of the repository (or <c>AGENTCLUSTER_SUITE=packaged</c>) and the chain was loaded from the
    /// deployment packed into AgentCluster.Testing (see <see cref="StartAsync"/>).
    /// </summary>
    public bool FromPackage { get; private set; }

    /// <summary>How long <see cref="StartAsync"/> took (node start plus deployment or snapshot load).</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>
    /// The Web3 on this suite's node signing as anvil account <paramref name="accountIndex"/> (0-9) through its own durable
    /// transaction manager; one per account (asking twice gives the same one: two managers must never share a signer). Disposed
    /// with the suite.
    /// </summary>
    public async Task<AgentClusterWeb3> CreateWeb3Async(int accountIndex, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accountIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(accountIndex, Accounts.Count);
        await _web3Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            string address = Accounts[accountIndex].Address;
            if (_web3s.FirstOrDefault(w => string.Equals(w.DurableTransactionManager.Address, address, StringComparison.OrdinalIgnoreCase)) is { } existing)
            {
                return existing;
            }

            var options = new DurableTransactionManagerOptions
            {
                JournalPath = Path.Combine(_journalDirectory, $"account-{accountIndex}.db"),
                ChainId = Node.ChainId,
            };
            AgentClusterWeb3 web3 = await AgentClusterWeb3.CreateAsync(Node.RpcUrl, AnvilAccounts.PrivateKeys[accountIndex], Node.ChainId, options,
                cancellationToken: ct).ConfigureAwait(false);
            _web3s.Add(web3);
            return web3;
        }
        finally
        {
            _web3Gate.Release();
        }
    }

    /// <summary>
    /// Starts a node and deploys the suite (or restores this process's snapshot of it). In a checkout of the repository (a directory
    /// above the test binaries or the working directory has scripts/deploy, or AGENTCLUSTER_ROOT names one) the checkout's
    /// scripts/deploy deploys. Without one (or with <c>AGENTCLUSTER_SUITE=packaged</c>) the node loads the deployment packed into
    /// AgentCluster.Testing by scripts/pack (chain 31337, default deploy environment; <see cref="FromPackage"/> is true);
    /// <c>AGENTCLUSTER_SUITE=repository</c> insists on a checkout. anvil is found through ANVIL, node_modules/.bin above the binaries,
    /// or the PATH.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An option is out of range (the message names it), or, with the packaged deployment, an option needs a deployment of its own
    /// (<see cref="AgentClusterSuiteOptions.DeployEnvironment"/>, another chain id): that takes a checkout's scripts/deploy.
    /// </exception>
    /// <exception cref="AnvilException">
    /// The node could not start (anvil not found: the message says how to install Foundry), the repository was forced but not found,
    /// scripts/deploy failed (with its output), or the packaged deployment is missing or did not load.
    /// </exception>
    public static async Task<AgentClusterSuite> StartAsync(AgentClusterSuiteOptions? options = null, CancellationToken ct = default)
    {
        options ??= new AgentClusterSuiteOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        if (options.ExistingDeployment is { } existing)
        {
            return await StartExistingAsync(options, existing, clock, ct).ConfigureAwait(false);
        }

        string? root = Locator.SuiteRepositoryRoot();
        if (root is null)
        {
            return await StartPackagedAsync(options, clock, ct).ConfigureAwait(false);
        }

        string key = options.SnapshotKey();

        if (options.ReuseDeployment)
        {
            Snapshot? snapshot;
            await SnapshotGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!Snapshots.TryGetValue(key, out snapshot))
                {
                    // First suite for this key: deploy while holding the gate, so parallel suites wait for one deployment.
                    IAnvilNode node = await Anvil.StartAsync(options.Anvil, ct).ConfigureAwait(false);
                    try
                    {
                        DeploymentManifest manifest = await DeployAsync(root, node, options, ct).ConfigureAwait(false);
                        TimeSpan deployTime = clock.Elapsed;
                        var dumpClock = Stopwatch.StartNew();
                        JsonElement state = await Net.CallAsync(node.RpcUrl, "anvil_dumpState", "[]", TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
                        TimeSpan dumpTime = dumpClock.Elapsed;
                        ulong block = await BlockNumberAsync(node, ct).ConfigureAwait(false);
                        Snapshots[key] = new Snapshot(
                            state.GetString() ?? throw new AnvilException("anvil_dumpState returned no state."), manifest, block, dumpTime, deployTime);
                        return await CreateAsync(node, manifest, false, clock, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        await node.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                }
            }
            finally
            {
                SnapshotGate.Release();
            }

            IAnvilNode restored = await Anvil.StartAsync(options.Anvil, ct).ConfigureAwait(false);
            try
            {
                await RestoreAsync(restored, snapshot, ct).ConfigureAwait(false);
                return await CreateAsync(restored, snapshot.Manifest, true, clock, ct).ConfigureAwait(false);
            }
            catch
            {
                await restored.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        IAnvilNode fresh = await Anvil.StartAsync(options.Anvil, ct).ConfigureAwait(false);
        try
        {
            DeploymentManifest manifest = await DeployAsync(root, fresh, options, ct).ConfigureAwait(false);
            return await CreateAsync(fresh, manifest, false, clock, ct).ConfigureAwait(false);
        }
        catch
        {
            await fresh.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A node started from a saved chain that already holds <paramref name="manifest"/>'s deployment: checked, not deployed.</summary>
    private static async Task<AgentClusterSuite> StartExistingAsync(AgentClusterSuiteOptions options, DeploymentManifest manifest, Stopwatch clock, CancellationToken ct)
    {
        if (manifest.ChainId != options.Anvil.ChainId)
        {
            throw new ArgumentException(
                $"AgentClusterSuiteOptions.ExistingDeployment is for chain {manifest.ChainId}, but Anvil.ChainId is {options.Anvil.ChainId}.", nameof(options));
        }

        IAnvilNode node = await Anvil.StartAsync(options.Anvil, ct).ConfigureAwait(false);
        try
        {
            string code = (await Net.CallAsync(node.RpcUrl, "eth_getCode", JsonSerializer.Serialize(new[] { manifest.AddressOf("AccToken"), "latest" }), TimeSpan.FromSeconds(10), ct)
                .ConfigureAwait(false)).GetString() ?? "0x";
            if (code.Length <= 2)
            {
                throw new AnvilException($"The saved chain {options.Anvil.StateFile} has no AccToken at {manifest.AddressOf("AccToken")}: it does not hold the given deployment.");
            }

            return await CreateAsync(node, manifest, false, clock, ct).ConfigureAwait(false);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// No checkout: a fresh node that loads the deployment packed into AgentCluster.Testing (or the file AGENTCLUSTER_SUITE_SNAPSHOT
    /// names), verified to be there (the block it was taken at, the token's code).
    /// </summary>
    private static async Task<AgentClusterSuite> StartPackagedAsync(AgentClusterSuiteOptions options, Stopwatch clock, CancellationToken ct)
    {
        PackagedDeployments all = PackagedDeployment.Load();
        PackagedDeployment? packaged = all.Deployments.FirstOrDefault(d => d.ChainId == options.Anvil.ChainId && d.Matches(options.DeployEnvironment));
        if (packaged is null)
        {
            string asked = $"chain {options.Anvil.ChainId} with "
                           + (options.DeployEnvironment.Count == 0
                               ? "the default deploy environment"
                               : string.Join(", ", options.DeployEnvironment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)));
            throw new ArgumentException(
                $"AgentClusterSuiteOptions ask for a deployment on {asked}, which needs a checkout of the AgentCluster repository, whose scripts/deploy "
                + $"deploys the suite (run inside one, or set AGENTCLUSTER_ROOT to one). The deployments packed into AgentCluster.Testing are: {all.Describe()}.",
                nameof(options));
        }

        IAnvilNode node = await Anvil.StartAsync(options.Anvil, ct).ConfigureAwait(false);
        try
        {
            await RestoreAsync(node, new Snapshot(packaged.State, packaged.Manifest, packaged.Block, TimeSpan.Zero, TimeSpan.Zero), ct).ConfigureAwait(false);
            AgentClusterSuite suite = await CreateAsync(node, packaged.Manifest, true, clock, ct).ConfigureAwait(false);
            suite.FromPackage = true;
            return suite;
        }
        catch (AnvilException e) when (all.Anvil.Length > 0)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new AnvilException($"{e.Message} (The packaged deployment, {all.Source}, was taken with {all.Anvil}.)", e);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>This process's deployment snapshots (for reports): time to start the node and deploy, time to dump, state size in hex characters.</summary>
    public static IReadOnlyList<(TimeSpan Deploy, TimeSpan Dump, int StateChars)> SnapshotTimings
    {
        get
        {
            SnapshotGate.Wait(TimeSpan.FromSeconds(30));
            try
            {
                return Snapshots.Values.Select(s => (s.DeployTime, s.DumpTime, s.State.Length)).ToList();
            }
            finally
            {
                SnapshotGate.Release();
            }
        }
    }

    /// <summary>Disposes the node (container removed / process killed).</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeWeb3sAsync().ConfigureAwait(false);
        await Node.DisposeAsync().ConfigureAwait(false);
    }

    private async Task DisposeWeb3sAsync()
    {
        foreach (AgentClusterWeb3 web3 in _web3s)
        {
            await web3.DisposeAsync().ConfigureAwait(false);
        }

        _web3s.Clear();
        try
        {
            Directory.Delete(_journalDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a journal still open elsewhere; the temp directory is left for the OS to clean
        }
    }

    private static async Task RestoreAsync(IAnvilNode node, Snapshot snapshot, CancellationToken ct)
    {
        JsonElement loaded = await Net.CallAsync(node.RpcUrl, "anvil_loadState", JsonSerializer.Serialize(new[] { snapshot.State }), TimeSpan.FromSeconds(60), ct)
            .ConfigureAwait(false);
        if (loaded.ValueKind != JsonValueKind.True)
        {
            throw new AnvilException($"anvil_loadState on {node.RpcUrl} answered {loaded.GetRawText()}, not true.");
        }

        ulong block = await BlockNumberAsync(node, ct).ConfigureAwait(false);
        string code = (await Net.CallAsync(node.RpcUrl, "eth_getCode", JsonSerializer.Serialize(new[] { snapshot.Manifest.AddressOf("AccToken"), "latest" }), TimeSpan.FromSeconds(10), ct)
            .ConfigureAwait(false)).GetString() ?? "0x";
        if (block != snapshot.Block || code.Length <= 2)
        {
            throw new AnvilException($"Restoring the deployment snapshot on {node.RpcUrl} failed: block {block} (expected {snapshot.Block}), AccToken code {code.Length / 2 - 1} bytes.");
        }
    }

    private static async Task<ulong> BlockNumberAsync(IAnvilNode node, CancellationToken ct)
    {
        string hex = (await Net.CallAsync(node.RpcUrl, "eth_blockNumber", "[]", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false)).GetString() ?? "";
        return Convert.ToUInt64(hex, 16);
    }

    private static async Task<DeploymentManifest> DeployAsync(string root, IAnvilNode node, AgentClusterSuiteOptions options, CancellationToken ct)
    {
        string work = Directory.CreateTempSubdirectory("agentcluster-deploy-").FullName;
        try
        {
            string manifestPath = Path.Combine(work, "manifest.json");
            var info = new ProcessStartInfo(Path.Combine(root, "scripts", "deploy"))
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[]
                     {
                         "--rpc-url", node.RpcUrl.ToString().TrimEnd('/'), "--private-key", AnvilAccounts.PrivateKeys[0], "--manifest", manifestPath,
                         "--allow-local-randomness", "--allow-single-beneficiary",
                     })
            {
                info.ArgumentList.Add(arg);
            }

            foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("AC_", StringComparison.Ordinal)).ToList())
            {
                info.Environment.Remove(name);
            }

            foreach ((string name, string value) in options.DeployEnvironment)
            {
                info.Environment[name] = value;
            }

            info.Environment["NO_COLOR"] = "1";
            var output = new List<string>();
            using var process = new Process { StartInfo = info };
            void Record(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (output)
                {
                    output.Add(line);
                }
            }

            process.OutputDataReceived += (_, e) => Record(e.Data);
            process.ErrorDataReceived += (_, e) => Record(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.DeployTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                throw new AnvilException($"scripts/deploy did not finish within {options.DeployTimeout.TotalSeconds:0} s (killed).\n{Tail(output)}");
            }

            process.WaitForExit(); // flushes the redirected output
            if (process.ExitCode != 0)
            {
                throw new AnvilException($"scripts/deploy exited with code {process.ExitCode} on {node.RpcUrl}.\n{Tail(output)}");
            }

            DeploymentManifest manifest = DeploymentManifest.Load(manifestPath);
            if (manifest.ChainId != node.ChainId)
            {
                throw new AnvilException($"scripts/deploy wrote a manifest for chain {manifest.ChainId}, but the node is chain {node.ChainId}.");
            }

            return manifest;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static string Tail(List<string> output)
    {
        lock (output)
        {
            return string.Join('\n', output.TakeLast(40));
        }
    }

    private sealed record Snapshot(string State, DeploymentManifest Manifest, ulong Block, TimeSpan DumpTime, TimeSpan DeployTime);
}
