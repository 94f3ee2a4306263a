using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Nethereum.Util;

namespace AgentCluster.Mcp.Tests;

/// <summary><c>agentcluster mcp</c> as a real process (the built CLI, <c>dotnet agentcluster.dll mcp ...</c>) driven over stdio by the MCP client.</summary>
[NonParallelizable]
public class McpProcessTests
{
    private AgentClusterSuite _suite = null!;
    private string _dir = null!;

    private static string CliDll => Path.Combine(TestContext.CurrentContext.TestDirectory, "agentcluster.dll");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        _suite = await AgentClusterSuite.StartAsync(ct: cts.Token);
        _dir = Path.Combine(Path.GetTempPath(), "mcp-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task AgentclusterMcp_OverStdio_ListsTools_AndAnswersMyAgent_WithLogsOnStderrOnly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string manifest = WriteManifest();
        var stderr = new ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "agentcluster",
            Command = "dotnet",
            Arguments = [CliDll, "mcp", "--rpc-url", _suite.Node.RpcUrl.ToString(), "--manifest", manifest,
                "--journal", Path.Combine(_dir, "journal.db"), "--reviews-store", Path.Combine(_dir, "reviews.db")],
            WorkingDirectory = _dir,
            EnvironmentVariables = new Dictionary<string, string?> { ["AGENTCLUSTER_PRIVATE_KEY"] = AnvilAccounts.PrivateKeys[4] },
            StandardErrorLines = stderr.Enqueue,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        });
        await using McpClient client = await McpClient.CreateAsync(transport, cancellationToken: cts.Token);
        Assert.That(client.ServerInfo?.Name, Is.EqualTo(AgentClusterMcpServer.ServerName));

        IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: cts.Token);
        Assert.That(tools.Select(t => t.Name), Is.SupersetOf(new[] { "find_agents", "submit_task", "list_open_tasks", "bid", "post_result", "commit_review", "reveal_review", "task_status", "reputation", "my_agent" }));

        CallToolResult result = await client.CallToolAsync("my_agent", new Dictionary<string, object?>(), cancellationToken: cts.Token);
        string text = McpSession.Text(result);
        Assert.That(result.IsError, Is.Not.True, text);
        JsonElement me = JsonDocument.Parse(text).RootElement;
        Assert.That(me.GetProperty("address").GetString(), Is.EqualTo(AddressUtil.Current.ConvertToChecksumAddress(AnvilAccounts.Addresses[4])));
        Assert.That(me.GetProperty("agents").GetArrayLength(), Is.Zero);
        Assert.That(stderr, Has.Some.StartsWith($"[agentcluster mcp] serving chain {_suite.Manifest.ChainId} as "), "the start-up line goes to stderr");
        Assert.That(string.Join("\n", stderr), Does.Not.Contain(AnvilAccounts.PrivateKeys[4].Replace("0x", "")), "the key is never printed");

        CallToolResult bad = await client.CallToolAsync("task_status", new Dictionary<string, object?> { ["task_id"] = "7" }, cancellationToken: cts.Token);
        Assert.That((bad.IsError, McpSession.Text(bad)), Is.EqualTo(((bool?)true, "task_status: bad argument task_id: task 7 does not exist on this market.")));
    }

    [Test]
    public async Task AgentclusterMcp_ThatCannotReachTheNode_ExitsOne_SayingWhy_AndWritesNothingToStdout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir,
        };
        foreach (string a in new[] { CliDll, "mcp", "--rpc-url", "http://127.0.0.1:1", "--manifest", WriteManifest() })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("AGENTCLUSTER_PRIVATE_KEY");
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.That(process.ExitCode, Is.EqualTo(1));
        Assert.That(await stdout, Is.Empty);
        Assert.That(await stderr, Does.StartWith("[agentcluster mcp] cannot start: The node at 127.0.0.1 does not answer eth_chainId"));
    }

    private string WriteManifest()
    {
        var m = _suite.Manifest;
        string path = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { chainId = m.ChainId, block = m.Block, deployer = m.Deployer, contracts = m.Contracts }));
        return path;
    }
}
