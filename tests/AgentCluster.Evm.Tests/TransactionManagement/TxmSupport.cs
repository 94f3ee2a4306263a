using System.Diagnostics;
using System.Numerics;
using System.Text;
using AgentCluster.Evm.Tests.Fixtures;
using AgentCluster.Testing;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.TransactionManagement;

[Function("ping")]
public sealed class PingFunction : FunctionMessage
{
    [Parameter("uint256", "id", 1)]
    public BigInteger Id { get; set; }

    [Parameter("string", "note", 2)]
    public string Note { get; set; } = "";
}

[Function("failCustom")]
public sealed class FailCustomFunction : FunctionMessage
{
    [Parameter("uint256", "code", 1)]
    public BigInteger Code { get; set; }
}

[Error("Unauthorized")]
public sealed class UnauthorizedError : IErrorDTO
{
    [Parameter("address", "caller", 1)]
    public string Caller { get; set; } = "";

    [Parameter("uint256", "code", 2)]
    public BigInteger Code { get; set; }
}

[Event("Ping")]
public sealed class PingEvent : IEventDTO
{
    [Parameter("address", "from", 1, true)]
    public string From { get; set; } = "";

    [Parameter("uint256", "id", 2, true)]
    public BigInteger Id { get; set; }

    [Parameter("string", "note", 3, false)]
    public string Note { get; set; } = "";
}

public sealed class ProbeDeployment() : ContractDeploymentMessage(RpcProbeContract.Bytecode);

/// <summary>What the fault-injecting handler does to one request.</summary>
internal enum Fault
{
    None,
    /// <summary>The request reaches the node but the answer is lost (the caller sees a connection error).</summary>
    LoseResponse,
    /// <summary>The request never reaches the node.</summary>
    ConnectionError,
}

/// <summary>A DelegatingHandler under Nethereum's RpcClient that loses answers and fails connections as <see cref="Decide"/> says.</summary>
internal sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly Dictionary<string, int> _calls = [];

    /// <summary>(JSON-RPC method, 1-based number of this call of that method) -> fault.</summary>
    public Func<string, int, Fault> Decide { get; set; } = (_, _) => Fault.None;

    public int Faults { get; private set; }

    public int Calls(string method)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(method);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        string method = body.TrimStart().StartsWith('[') ? "batch" : ExtractMethod(body);
        int n;
        lock (_calls)
        {
            n = _calls[method] = _calls.GetValueOrDefault(method) + 1;
        }

        Fault fault = Decide(method, n);
        if (fault == Fault.ConnectionError)
        {
            Faults++;
            throw new HttpRequestException("injected: connection refused");
        }

        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        if (fault == Fault.LoseResponse)
        {
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            response.Dispose();
            Faults++;
            throw new HttpRequestException("injected: connection reset after the request was sent");
        }

        return response;
    }

    private static string ExtractMethod(string body)
    {
        int i = body.IndexOf("\"method\"", StringComparison.Ordinal);
        if (i < 0)
        {
            return "?";
        }

        int start = body.IndexOf('"', body.IndexOf(':', i) + 1) + 1;
        return body[start..body.IndexOf('"', start)];
    }
}

/// <summary>An anvil node (AgentCluster.Testing) plus the calls the transaction-manager tests make on it directly.</summary>
internal sealed class TxmNode : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private TxmNode(IAnvilNode node)
    {
        Node = node;
        Client = new RpcClient(node.RpcUrl);
        Web3 = new Web3(Client);
    }

    public IAnvilNode Node { get; }

    /// <summary>A plain client for checks (no manager).</summary>
    public RpcClient Client { get; }

    public Web3 Web3 { get; }

    /// <summary>The manager's signer in these tests (anvil account 1); account 0 deploys the probe.</summary>
    public static string SignerKey => AnvilAccounts.PrivateKeys[1];

    public static string SignerAddress => AnvilAccounts.Addresses[1];

    public static async Task<TxmNode> StartAsync(AnvilOptions? options = null) => new(await Anvil.StartAsync(options));

    public RpcClient NewClient(HttpMessageHandler? handler = null, TimeSpan? timeout = null) =>
        new(Node.RpcUrl, new HttpClient(handler ?? new SocketsHttpHandler()) { Timeout = timeout ?? TimeSpan.FromSeconds(20) }, null, null, null);

    /// <summary>Deploys RpcProbe from anvil account 0 with Nethereum's own stack (not the manager under test).</summary>
    public async Task<string> DeployProbeAsync()
    {
        var deployer = new Web3(new Account(AnvilAccounts.PrivateKeys[0], (BigInteger)Node.ChainId), Client);
        var handler = deployer.Eth.GetContractDeploymentHandler<ProbeDeployment>();
        string hash = await handler.SendRequestAsync(new ProbeDeployment());
        TransactionReceipt receipt = await PollAsync(() => GetReceiptAsync(hash), "the probe deployment");
        return receipt.ContractAddress;
    }

    public Task<TransactionReceipt?> GetReceiptAsync(string hash) => Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash)!;

    public Task<Transaction?> GetTransactionAsync(string hash) => Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash)!;

    public async Task<BigInteger> NonceAsync(string address, bool pending = false) =>
        (await Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(address, pending ? BlockParameter.CreatePending() : BlockParameter.CreateLatest())).Value;

    public async Task<BigInteger> BlockNumberAsync() => (await Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    public Task RequestAsync(string method, params object[] parameters) => Client.SendRequestAsync(new RpcRequest(1, method, parameters));

    /// <summary>The ids of every Ping the signer emitted on the probe, sorted (one entry per mined ping).</summary>
    public async Task<List<int>> PingIdsAsync(string probe, string from)
    {
        Event<PingEvent> ping = Web3.Eth.GetEvent<PingEvent>(probe);
        var logs = await ping.GetAllChangesAsync(ping.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return logs.Where(l => string.Equals(l.Event.From, from, StringComparison.OrdinalIgnoreCase)).Select(l => (int)l.Event.Id).OrderBy(i => i).ToList();
    }

    public static async Task<T> PollAsync<T>(Func<Task<T?>> read, string what) where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"Timed out after {Bound.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"Timed out after {Bound.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

internal static class HexExtensions
{
    public static HexBigInteger Hex(this BigInteger value) => new(value);

    public static HexBigInteger Hex(this int value) => new(value);
}
