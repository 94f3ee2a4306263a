using System.Net;
using System.Text;
using AgentCluster.Evm.Rpc;

namespace AgentCluster.Evm.Tests.Rpc;

/// <summary>
/// <see cref="HttpEthRpcTransport"/> against a loopback HTTP server that answers with chosen statuses and bodies, through both of
/// the forms <see cref="EthRpcClient"/> can use: the UTF-8 form (the transport itself) and the string form (the same transport
/// behind a decorator that implements only <see cref="IEthRpcTransport"/>). Both must give the same results and the same errors.
/// </summary>
public class HttpTransportTests
{
    private HttpListener _listener = null!;
    private Uri _url = null!;
    private Task _serving = Task.CompletedTask;

    /// <summary>What the server answers: status and body, chosen from the request body.</summary>
    private Func<string, (HttpStatusCode Status, string Body)> _answer = _ => (HttpStatusCode.OK, "{}");

    private readonly List<string> _received = [];

    [SetUp]
    public void StartServer()
    {
        _received.Clear();
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20_000, 60_000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                continue;
            }

            _listener = listener;
            _url = new Uri($"http://127.0.0.1:{port}/");
            break;
        }

        _serving = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                string request = await new StreamReader(context.Request.InputStream, Encoding.UTF8).ReadToEndAsync();
                lock (_received)
                {
                    _received.Add(request);
                }

                var (status, body) = _answer(request);
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = (int)status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    [TearDown]
    public async Task StopServer()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    /// <summary>The client over the transport's UTF-8 form, and over its string form only.</summary>
    private IEnumerable<(string Form, EthRpcClient Client)> Clients()
    {
        var options = new EthRpcClientOptions { MaxRetryAttempts = 0 };
        var transport = new HttpEthRpcTransport(_url);
        Assert.That(transport, Is.InstanceOf<IEthRpcUtf8Transport>());
        yield return ("utf8", new EthRpcClient(transport, options));
        yield return ("string", new EthRpcClient(new StringOnly(transport), options));
    }

    [Test]
    public async Task Result_IsReadTheSame_ThroughBothForms_AndTheRequestIsTheSameJson()
    {
        _answer = request => (HttpStatusCode.OK, "{\"jsonrpc\":\"2.0\",\"id\":" + IdOf(request) + ",\"result\":\"0x7a69\"}");
        foreach (var (form, client) in Clients())
        {
            Assert.That(await client.GetChainIdAsync(), Is.EqualTo(31337UL), form);
        }

        Assert.That(_received, Has.Count.EqualTo(2));
        Assert.That(_received[0].Replace("\"id\":1", "\"id\":N"), Is.EqualTo(_received[1].Replace("\"id\":1", "\"id\":N")));
        Assert.That(_received[0], Does.Contain("\"method\":\"eth_chainId\""));
    }

    [Test]
    public async Task Batch_IsReadTheSame_ThroughBothForms()
    {
        _answer = request => (HttpStatusCode.OK,
            "[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"no such method\"}}]");
        foreach (var (form, client) in Clients())
        {
            var responses = await client.SendBatchAsync([new RpcRequest("eth_nope"), new RpcRequest("eth_blockNumber")]);
            Assert.That(responses[0].Error?.Code, Is.EqualTo(-32601), form);
            Assert.That(responses[1].Error, Is.Null, form);
            Assert.That(RpcJson.Quantity(responses[1].GetResult()), Is.EqualTo(2UL), form);
        }
    }

    [Test]
    public void ServerErrorStatus_IsATransientTransportError_NamingTheStatusAndBody()
    {
        _answer = _ => (HttpStatusCode.ServiceUnavailable, "overloaded, try later");
        foreach (var (form, client) in Clients())
        {
            var e = Assert.ThrowsAsync<RpcTransportException>(() => client.GetBlockNumberAsync(), form);
            Assert.That(e!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), form);
            Assert.That(e.IsTransient, Is.True, form);
            Assert.That(e.Message, Does.Contain("503").And.Contain("overloaded, try later"), form);
        }
    }

    [Test]
    public void JsonRpcErrorUnderA4xxStatus_IsAnRpcException_NotATransportError()
    {
        _answer = request => (HttpStatusCode.BadRequest,
            "{\"jsonrpc\":\"2.0\",\"id\":" + IdOf(request) + ",\"error\":{\"code\":-32602,\"message\":\"invalid params\"}}");
        foreach (var (form, client) in Clients())
        {
            var e = Assert.ThrowsAsync<RpcException>(() => client.GetBlockNumberAsync(), form);
            Assert.That(e!.Code, Is.EqualTo(-32602), form);
            Assert.That(e.RpcMessage, Is.EqualTo("invalid params"), form);
        }
    }

    [Test]
    public void ClientErrorStatusWithoutAJsonRpcError_IsANonTransientTransportError()
    {
        _answer = _ => (HttpStatusCode.NotFound, "no route");
        foreach (var (form, client) in Clients())
        {
            var e = Assert.ThrowsAsync<RpcTransportException>(() => client.GetBlockNumberAsync(), form);
            Assert.That(e!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), form);
            Assert.That(e.IsTransient, Is.False, form);
        }
    }

    [Test]
    public void AnswerThatIsNotJson_SaysSoAndShowsTheAnswer()
    {
        _answer = _ => (HttpStatusCode.OK, "<html>proxy login</html>");
        foreach (var (form, client) in Clients())
        {
            var e = Assert.ThrowsAsync<RpcTransportException>(() => client.GetBlockNumberAsync(), form);
            Assert.That(e!.Message, Does.Contain("eth_blockNumber: the answer is not JSON").And.Contain("<html>proxy login</html>"), form);
        }
    }

    [Test]
    public void NonAsciiText_SurvivesBothForms()
    {
        _answer = request => (HttpStatusCode.OK,
            "{\"jsonrpc\":\"2.0\",\"id\":" + IdOf(request) + ",\"error\":{\"code\":3,\"message\":\"rejected: Überweisung – 送金\"}}");
        foreach (var (form, client) in Clients())
        {
            var e = Assert.ThrowsAsync<RpcException>(() => client.RequestAsync("eth_custom", ["zäh – 名前"]), form);
            Assert.That(e!.RpcMessage, Is.EqualTo("rejected: Überweisung – 送金"), form);
        }

        Assert.That(_received, Has.Count.EqualTo(2));
        foreach (string request in _received)
        {
            using var json = System.Text.Json.JsonDocument.Parse(request);
            Assert.That(json.RootElement.GetProperty("params")[0].GetString(), Is.EqualTo("zäh – 名前"));
        }
    }

    private static string IdOf(string request)
    {
        int start = request.IndexOf("\"id\":", StringComparison.Ordinal) + 5;
        int end = request.IndexOfAny([',', '}'], start);
        return request[start..end];
    }

    /// <summary>A decorator that exposes only the string form, as a user's own decorator would.</summary>
    private sealed class StringOnly(IEthRpcTransport inner) : IEthRpcTransport
    {
        public Task<string> SendAsync(string payload, CancellationToken cancellationToken = default) => inner.SendAsync(payload, cancellationToken);
    }
}
