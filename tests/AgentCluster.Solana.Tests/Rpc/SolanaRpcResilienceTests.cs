using System.Net;
using System.Net.Sockets;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Solana.Tests.Rpc;

/// <summary>
/// The client's resilience: faults retried then reported (a node killed mid-test), sendTransaction's retry made safe by the
/// signature (a lost answer, then AlreadyProcessed, returns the signature and the transfer lands once), non-idempotent calls
/// tried once, cancellation honoured, bad input refused before anything is sent.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SolanaRpcResilienceTests
{
    private static readonly SolanaRpcOptions Fast = new()
    {
        MaxRetryAttempts = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Counts requests and runs <see cref="Behaviour"/> on each (default: pass to the network).</summary>
    private sealed class ScriptedHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Requests;

        public Func<int, HttpRequestMessage, CancellationToken, Func<Task<HttpResponseMessage>>, Task<HttpResponseMessage>>? Behaviour { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref Requests);
            return Behaviour is null
                ? base.SendAsync(request, cancellationToken)
                : Behaviour(n, request, cancellationToken, () => base.SendAsync(request, cancellationToken));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Test]
    public async Task A_node_killed_mid_test_is_retried_then_reported_unreachable_naming_the_url()
    {
        await using SolanaLocalnet net = await SolanaLocalnet.StartAsync();
        var handler = new ScriptedHandler();
        using var rpc = new SolanaRpcClient(net.RpcUrl, Fast, handler: handler);
        Assert.That(await rpc.GetSlotAsync(), Is.GreaterThan(0UL));
        int before = handler.Requests;
        net.Kill();
        var e = Assert.ThrowsAsync<SolanaNodeUnreachableException>(() => rpc.GetSlotAsync());
        Assert.That(e!.Attempts, Is.EqualTo(Fast.MaxRetryAttempts + 1));
        Assert.That(handler.Requests - before, Is.EqualTo(Fast.MaxRetryAttempts + 1));
        Assert.That(e.Url, Is.EqualTo(net.RpcUrl));
        Assert.That(e.Message, Does.Contain($"127.0.0.1:{net.RpcUrl.Port}").And.Contain("getSlot"));
    }

    [Test]
    public async Task Http_503_then_success_is_retried_transparently_and_429_too()
    {
        var handler = new ScriptedHandler
        {
            Behaviour = (n, _, _, pass) => n switch
            {
                1 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
                2 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)),
                _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"jsonrpc":"2.0","result":1234,"id":1}"""),
                }),
            },
        };
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        Assert.That(await rpc.GetSlotAsync(), Is.EqualTo(1234UL));
        Assert.That(handler.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task A_json_rpc_error_is_never_retried()
    {
        var handler = new ScriptedHandler
        {
            Behaviour = (_, _, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"jsonrpc":"2.0","error":{"code":-32005,"message":"Node is unhealthy"},"id":1}"""),
            }),
        };
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        var e = Assert.ThrowsAsync<SolanaRpcException>(() => rpc.GetHealthAsync());
        Assert.That(e!.Code, Is.EqualTo(-32005));
        Assert.That(handler.Requests, Is.EqualTo(1));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_lost_sendTransaction_answer_is_resent_and_AlreadyProcessed_returns_the_signature_landed_once()
    {
        await using SolanaLocalnet net = await SolanaLocalnet.StartAsync();
        _lostOnce = false;
        var handler = new ScriptedHandler();
        handler.Behaviour = async (n, request, ct, pass) =>
        {
            string body = await request.Content!.ReadAsStringAsync(ct);
            HttpResponseMessage response = await pass();
            if (body.Contains("\"sendTransaction\"", StringComparison.Ordinal) && !_lostOnce)
            {
                _lostOnce = true; // the node executed it; the answer is lost on the way back
                response.Dispose();
                throw new HttpRequestException("the connection was reset after the request was sent");
            }

            return response;
        };
        using var rpc = new SolanaRpcClient(net.RpcUrl, Fast, handler: handler);
        KitTransaction kit = await KitTransactions.TransferAsync(net, legacy: false, 1_000_000_000);
        string signature = await rpc.SendTransactionAsync(kit.Wire);
        Assert.That(signature, Is.EqualTo(kit.Signature));
        Assert.That(_lostOnce, Is.True);
        await rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, TimeSpan.FromSeconds(30));
        Assert.That((await rpc.GetBalanceAsync(new PublicKey(kit.To!))).Value, Is.EqualTo(1_000_000_000UL), "credited once");
        Assert.That(await rpc.GetSignaturesForAddressAsync(new PublicKey(kit.To!)), Has.Count.EqualTo(1));

        // without a retry, a duplicate stays an error: the caller sent the same bytes twice
        var dup = Assert.ThrowsAsync<TransactionSimulationException>(() => rpc.SendTransactionAsync(kit.Wire));
        Assert.That(dup!.Error!.Kind, Is.EqualTo("AlreadyProcessed"));
    }

    private bool _lostOnce;

    [Test]
    public void Requests_that_must_not_repeat_get_one_attempt()
    {
        var handler = new ScriptedHandler { Behaviour = (_, _, _, _) => throw new HttpRequestException("connection refused") };
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        var key = new PublicKey(new byte[32]);
        var e = Assert.ThrowsAsync<SolanaNodeUnreachableException>(() => rpc.RequestAirdropAsync(key, 1));
        Assert.That(e!.Attempts, Is.EqualTo(1));
        Assert.ThrowsAsync<SolanaNodeUnreachableException>(() => rpc.FundAccAsync(key, 1));
        Assert.That(handler.Requests, Is.EqualTo(2));
    }

    [Test]
    public void A_cancelled_call_stops_at_once_and_is_not_reported_as_unreachable()
    {
        var handler = new ScriptedHandler
        {
            Behaviour = async (_, _, ct, _) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.That(async () => await rpc.GetSlotAsync(cancellationToken: cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(handler.Requests, Is.EqualTo(1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(async () => await rpc.GetSlotAsync(cancellationToken: cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(handler.Requests, Is.EqualTo(1), "nothing sent for an already cancelled token");
    }

    [Test]
    public void Bad_input_is_refused_by_name_before_anything_is_sent()
    {
        var handler = new ScriptedHandler();
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        Assert.That(() => rpc.SendTransactionAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("transaction"));
        Assert.That(() => rpc.SendTransactionAsync(new byte[1233]), Throws.ArgumentException.With.Message.Contains("1232"));
        Assert.That(() => rpc.SendTransactionAsync([0, 1, 2]), Throws.ArgumentException.With.Message.Contains("signature"));
        byte[] shaped = new byte[200];
        shaped[0] = 1; // one signature, then a message
        Assert.That(() => rpc.SimulateTransactionAsync(shaped, sigVerify: true, replaceRecentBlockhash: true),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("sigVerify"));
        Assert.That(() => rpc.GetSignatureStatusesAsync(["abc"]), Throws.ArgumentException.With.Property("ParamName").EqualTo("signatures[0]"));
        Assert.That(() => rpc.GetSignatureStatusesAsync([]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => rpc.GetMultipleAccountsAsync(Enumerable.Repeat(PublicKey.Default, 101).ToArray()), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => rpc.GetTransactionAsync(new string('1', 64), Commitment.Processed), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => rpc.RequestAirdropAsync(PublicKey.Default, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => rpc.ConfirmTransactionAsync(new string('1', 64), Commitment.Confirmed, TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => ProgramAccountFilter.Memcmp(0, new byte[129]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new SolanaRpcClient("ftp://127.0.0.1:1"), Throws.ArgumentException.With.Message.Contains("http"));
        Assert.That(() => new SolanaRpcClient(new Uri("http://127.0.0.1:1"), new SolanaRpcOptions { MaxRetryAttempts = -1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxRetryAttempts"));
        Assert.That(handler.Requests, Is.EqualTo(0));
    }

    [Test]
    public async Task ConfirmTransaction_is_bounded_by_its_timeout()
    {
        var handler = new ScriptedHandler
        {
            Behaviour = (_, _, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"jsonrpc":"2.0","result":{"context":{"slot":5},"value":[null]},"id":1}"""),
            }),
        };
        using var rpc = new SolanaRpcClient(new Uri($"http://127.0.0.1:{FreePort()}"), Fast, handler: handler);
        string signature = new('1', 64);
        var e = Assert.ThrowsAsync<TimeoutException>(() => rpc.ConfirmTransactionAsync(signature, Commitment.Finalized, TimeSpan.FromMilliseconds(300),
            TimeSpan.FromMilliseconds(50)));
        Assert.That(e!.Message, Does.Contain(signature).And.Contain("does not know it"));
        Assert.That(handler.Requests, Is.GreaterThan(1));
        await Task.CompletedTask;
    }
}
