using System.IO.Pipes;
using System.Numerics;
using System.Text;
using System.Text.Json;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Matchmaking;
using AgentCluster.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace AgentCluster.Mcp.Tests;

/// <summary>
/// One anvil with the suite (attestor: account 9), ACC for accounts 1-3, and agents registered, attested and staked through the SDK:
/// the executor (owner 2, capabilities 0b101, a registration file with vector A in a data: URI) and ten committee agents (owner 3,
/// capabilities 0b1): member 0 with a vector close to A, member 1 with vector B (orthogonal to A), member 2 with a data: file whose
/// vector is not the one hashed on-chain, and the rest with an ipfs: URI this server does not fetch.
/// </summary>
internal sealed class McpWorld : IAsyncDisposable
{
    public const int Requester = 1;
    public const int ExecutorOwner = 2;
    public const int CommitteeOwner = 3;
    public const int Attestor = 9;
    public const int CommitteeSize = 10;
    public const ulong ExecutorCapabilities = 0b101;
    public static readonly BigInteger Acc = BigInteger.Pow(10, 18);
    public static readonly BigInteger Stake = 1_000 * Acc;

    private McpWorld(AgentClusterSuite suite, string dir)
    {
        Suite = suite;
        Directory = dir;
    }

    public AgentClusterSuite Suite { get; }

    /// <summary>A temporary directory for stores and journals, deleted at the end.</summary>
    public string Directory { get; }

    public BigInteger Executor { get; private set; }

    public List<BigInteger> Committee { get; } = [];

    public CapabilityVector VectorA { get; } = Vector(seed: 1);

    public CapabilityVector VectorNearA { get; private set; } = null!;

    public CapabilityVector VectorB { get; private set; } = null!;

    public static async Task<McpWorld> StartAsync(CancellationToken ct)
    {
        var options = new AgentClusterSuiteOptions
        {
            DeployEnvironment = new Dictionary<string, string> { ["AC_ATTESTORS"] = AnvilAccounts.Addresses[Attestor] },
        };
        string dir = Path.Combine(Path.GetTempPath(), "mcp-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var world = new McpWorld(await AgentClusterSuite.StartAsync(options, ct), dir);
        try
        {
            await world.SetUpAsync(ct);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    /// <summary>An SDK client signing as anvil account <paramref name="account"/> (for what the tests do beside the MCP server).</summary>
    public Task<AgentClusterClient> ClientAsync(int account, CancellationToken ct) => Suite.CreateClientAsync(account, ct);

    /// <summary>
    /// Starts the MCP server in-process (<see cref="AgentClusterMcpServer.RunStdioAsync"/>) for anvil account <paramref name="account"/>
    /// (null: read-only) over two anonymous pipes, and connects the ModelContextProtocol client to it.
    /// </summary>
    public async Task<McpSession> ConnectAsync(int? account, CancellationToken ct, string? reviewsStore = null)
    {
        var options = new AgentClusterMcpServerOptions
        {
            Client = account is { } a
                ? new AgentClusterClientOptions { Web3 = await Suite.CreateWeb3Async(a, ct), Manifest = Suite.Manifest }
                : new AgentClusterClientOptions { RpcUrl = Suite.Node.RpcUrl.ToString(), Manifest = Suite.Manifest },
            ReviewsStorePath = reviewsStore ?? Path.Combine(Directory, $"reviews-{account?.ToString() ?? "ro"}-{Guid.NewGuid():N}.db"),
        };
        return await McpSession.StartAsync(options, ct);
    }

    public Task WarpAsync(long seconds) => Suite.IncreaseTimeAsync(TimeSpan.FromSeconds(seconds));

    public Task MineAsync(int blocks) => Suite.MineAsync(blocks);

    public Task<DateTimeOffset> ChainTimeAsync() => Suite.ChainTimeAsync();

    /// <summary>Writes the manifest to a file (for the CLI process).</summary>
    public string WriteManifest()
    {
        DeploymentManifest m = Suite.Manifest;
        string path = Path.Combine(Directory, "manifest.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Suite.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A store still open by a process that is ending; the temp directory is cleaned later.
        }
    }

    /// <summary>A deterministic capability vector from a seed.</summary>
    public static CapabilityVector Vector(int seed)
    {
        var random = new Random(seed);
        return CapabilityVector.FromValues(Enumerable.Range(0, CapabilityVector.Dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
    }

    public static string DataUri(string json) => "data:application/json;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private async Task SetUpAsync(CancellationToken ct)
    {
        await Suite.ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct);
        foreach ((int account, BigInteger amount) in new[] { (Requester, 50_000 * Acc), (ExecutorOwner, 20_000 * Acc), (CommitteeOwner, 150_000 * Acc) })
        {
            await Suite.FundAsync(AnvilAccounts.Addresses[account], amount, ct);
        }

        // Near A: A plus a little noise (cosine about 0.99); B: A's component removed from a random vector (cosine 0).
        float[] a = VectorA.Values.ToArray();
        var random = new Random(7);
        VectorNearA = CapabilityVector.FromValues(a.Select(v => v + (float)(random.NextDouble() - 0.5) * 0.1f).ToArray());
        float[] r = Vector(seed: 2).Values.ToArray();
        float dot = a.Zip(r, (x, y) => x * y).Sum() / a.Sum(x => x * x);
        VectorB = CapabilityVector.FromValues(r.Select((v, i) => v - dot * a[i]).ToArray());

        await using AgentClusterClient executorOwner = await ClientAsync(ExecutorOwner, ct);
        await using AgentClusterClient committeeOwner = await ClientAsync(CommitteeOwner, ct);
        await using AgentClusterClient attestorClient = await ClientAsync(0, ct);
        Executor = await RegisterAsync(executorOwner, attestorClient, ExecutorCapabilities, (key, id) => VectorA, ct);
        for (int i = 0; i < CommitteeSize; i++)
        {
            int member = i;
            Committee.Add(await RegisterAsync(committeeOwner, attestorClient, 0b1, member switch
            {
                0 => (_, _) => VectorNearA,
                1 => (_, _) => VectorB,
                2 => (_, _) => Vector(seed: 3), // registered with this vector's hash, but its file carries another vector
                _ => null,
            }, ct, tamperedFile: member == 2));
        }
    }

    private async Task<BigInteger> RegisterAsync(AgentClusterClient owner, AgentClusterClient submitter, ulong capabilities,
        Func<string, BigInteger, CapabilityVector>? vector, CancellationToken ct, bool tamperedFile = false)
    {
        var key = new Secp256k1Signer(EthECKey.GenerateKey().GetPrivateKeyAsBytes().ToHex().PadLeft(64, '0'));
        BigInteger id = AgentsClient.AgentIdOf(key.Address);
        string uri = "ipfs://bafy-agent-" + id.ToString("x");
        byte[] hash = new byte[32];
        if (vector is not null)
        {
            CapabilityVector v = vector(key.Address, id);
            hash = v.ComputeHash();
            // A tampered file: another vector in the file than the one whose hash is registered (the file states no hash).
            CapabilityVector inFile = tamperedFile ? Vector(seed: 4) : v;
            string json = new CapabilityRegistrationFile(id, capabilities, inFile).ToJson();
            if (tamperedFile)
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
                node.Remove("capabilityVectorHash");
                json = node.ToJsonString();
            }

            uri = DataUri(json);
        }

        AgentRegistration reg = await owner.Agents.RegisterAsync(key, uri, capabilities, hash, ct);
        DateTimeOffset now = await ChainTimeAsync();
        var attestation = new AgentAttestation(id, Nethereum.Util.Sha3Keccack.Current.CalculateHash("enclave"u8.ToArray()), 8, 16_384, 100,
            (ulong)(now + TimeSpan.FromDays(29)).ToUnixTimeSeconds(), 1);
        byte[] signature = owner.Agents.SignAttestation(attestation, new Secp256k1Signer(AnvilAccounts.PrivateKeys[Attestor]));
        await submitter.Agents.SubmitAttestationAsync(attestation, signature, ct);
        await owner.Staking.StakeAsync(reg.AgentId, Stake, ct);
        return reg.AgentId;
    }
}

/// <summary>An in-process MCP server and the ModelContextProtocol client connected to it over two anonymous pipes.</summary>
internal sealed class McpSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Stream[] _streams;

    private McpSession(McpClient client, Task<int> server, StringWriter log, Stream[] streams)
    {
        Client = client;
        Server = server;
        Log = log;
        _streams = streams;
    }

    public McpClient Client { get; }

    public Task<int> Server { get; }

    /// <summary>What the server wrote to its log.</summary>
    public StringWriter Log { get; }

    public static async Task<McpSession> StartAsync(AgentClusterMcpServerOptions options, CancellationToken ct)
    {
        // client -> server and server -> client
        var toServer = new AnonymousPipeServerStream(PipeDirection.Out);
        var serverIn = new AnonymousPipeClientStream(PipeDirection.In, toServer.ClientSafePipeHandle);
        var fromServer = new AnonymousPipeServerStream(PipeDirection.In);
        var serverOut = new AnonymousPipeClientStream(PipeDirection.Out, fromServer.ClientSafePipeHandle);
        var log = new StringWriter();
        var stop = new CancellationTokenSource();
        Task<int> server = Task.Run(() => AgentClusterMcpServer.RunStdioAsync(options, serverIn, serverOut, TextWriter.Synchronized(log), stop.Token), CancellationToken.None);
        var transport = new StreamClientTransport(toServer, fromServer);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(TimeSpan.FromSeconds(60));
        McpClient client = await McpClient.CreateAsync(transport, cancellationToken: connect.Token);
        var session = new McpSession(client, server, log, [toServer, serverIn, fromServer, serverOut]);
        session._stop.Token.Register(stop.Cancel);
        return session;
    }

    /// <summary>Calls a tool (30 s at most) and returns its result.</summary>
    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        return await Client.CallToolAsync(tool, arguments, cancellationToken: timeout.Token);
    }

    /// <summary>Calls a tool that must succeed and parses its JSON text.</summary>
    public async Task<JsonElement> CallOkAsync(string tool, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        CallToolResult result = await CallAsync(tool, arguments, ct);
        string text = Text(result);
        Assert.That(result.IsError, Is.Not.True, $"{tool} failed: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Calls a tool that must fail and returns its error text.</summary>
    public async Task<string> CallErrorAsync(string tool, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        CallToolResult result = await CallAsync(tool, arguments, ct);
        string text = Text(result);
        Assert.That(result.IsError, Is.True, $"{tool} should have failed but answered: {text}");
        return text;
    }

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _stop.Cancel();
        try
        {
            await Server.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Reported by the test that cares; do not hang the run.
        }

        foreach (Stream s in _streams)
        {
            await s.DisposeAsync();
        }

        _stop.Dispose();
    }
}
