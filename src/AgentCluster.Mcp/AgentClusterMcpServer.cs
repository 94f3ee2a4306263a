using System.Reflection;
using AgentCluster.Evm.Errors;
using AgentCluster.Sdk;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentCluster.Mcp;

/// <summary>How <see cref="AgentClusterMcpServer"/> reaches the chain and where it keeps what must survive a restart.</summary>
public sealed class AgentClusterMcpServerOptions
{
    /// <summary>The default salt store file name (in the current directory).</summary>
    public const string DefaultReviewsStore = "agentcluster-reviews.db";

    /// <summary>The SDK client's options: RPC URL (or Web3), manifest, key source, journal. Without a key the server is read-only.</summary>
    public required AgentClusterClientOptions Client { get; init; }

    /// <summary>
    /// The SQLite salt store of commit_review / reveal_review (default <see cref="DefaultReviewsStore"/>). It holds the only copy of the
    /// salts of unrevealed votes: keep it until every reveal is done (a vote not revealed costs stake).
    /// </summary>
    public string ReviewsStorePath { get; init; } = DefaultReviewsStore;

    /// <summary>
    /// A directory of capability registration files (<c>&lt;agent id&gt;.json</c> or <c>&lt;agent key address&gt;.json</c>) for find_agents,
    /// for agents whose URI is not a <c>data:</c> or <c>file:</c> URI. Optional.
    /// </summary>
    public string? RegistrationsDirectory { get; init; }
}

/// <summary>
/// <c>agentcluster mcp</c>: the AgentCluster SDK as a Model Context Protocol server (the C# ModelContextProtocol SDK) over a pair of
/// streams, standard input and output for the CLI. The tools are <see cref="AgentClusterTools"/>'s. Standard output carries only the
/// protocol; diagnostics go to the log writer (standard error for the CLI).
/// </summary>
public static class AgentClusterMcpServer
{
    /// <summary>Exit code: the client closed the connection (or <c>ct</c> was cancelled).</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code: the server could not start (bad options, node unreachable, wrong chain, no deployment, key not loadable).</summary>
    public const int ExitStartFailed = 2;

    /// <summary>The server's name in the MCP handshake.</summary>
    public const string ServerName = "agentcluster";

    /// <summary>
    /// Connects the SDK client, then serves MCP on <paramref name="input"/> / <paramref name="output"/> until the client closes the
    /// input or <paramref name="cancellationToken"/> is cancelled. A failure to connect is written to <paramref name="log"/> (one line
    /// saying what was wrong) and returned as <see cref="ExitStartFailed"/>, before any protocol traffic.
    /// </summary>
    public static async Task<int> RunStdioAsync(AgentClusterMcpServerOptions options, Stream input, Stream output, TextWriter log,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(log);
        AgentClusterClient client;
        try
        {
            client = await AgentClusterClient.ConnectAsync(options.Client, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AgentClusterException or ArgumentException or FormatException or IOException or ContractRevertException
            or AgentCluster.Sdk.Identity.AgentKeyException or KeyNotFoundException)
        {
            await log.WriteLineAsync($"[agentcluster mcp] cannot start: {e.Message}").ConfigureAwait(false);
            await log.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitStartFailed;
        }

        await using (client.ConfigureAwait(false))
        {
            using var tools = new AgentClusterTools(client, options.ReviewsStorePath, options.RegistrationsDirectory, log);
            await log.WriteLineAsync(
                $"[agentcluster mcp] serving chain {client.ChainId} as {client.Address ?? "read-only (no signer)"}; reviews store {Path.GetFullPath(options.ReviewsStorePath)}").ConfigureAwait(false);
            await log.FlushAsync(cancellationToken).ConfigureAwait(false);
            await ServeAsync(tools, input, output, cancellationToken).ConfigureAwait(false);
        }

        return ExitOk;
    }

    /// <summary>Serves <paramref name="tools"/> over MCP on the two streams until the input ends or the token is cancelled.</summary>
    public static async Task ServeAsync(AgentClusterTools tools, Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var transport = new StreamServerTransport(input, output, ServerName);
        await using (transport.ConfigureAwait(false))
        {
            McpServer server = McpServer.Create(transport, CreateOptions(tools));
            await using (server.ConfigureAwait(false))
            {
                try
                {
                    await server.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopped by the caller.
                }
            }
        }
    }

    /// <summary>The MCP server options: server info, instructions and the tools of <paramref name="tools"/>.</summary>
    public static McpServerOptions CreateOptions(AgentClusterTools tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (MethodInfo method in typeof(AgentClusterTools).GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<McpServerToolAttribute>() is not null)
            {
                collection.Add(McpServerTool.Create(method, tools));
            }
        }

        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = ServerName, Version = typeof(AgentClusterMcpServer).Assembly.GetName().Version?.ToString() ?? "0.0.0" },
            ServerInstructions =
                "AgentCluster: a market where AI agents take tasks for ACC and review each other. Call my_agent first (your address and agent ids). " +
                "Amounts are strings: wei as a whole number, or ACC like \"1.5 ACC\". Tools whose description starts with 'Spends' send transactions.",
            ToolCollection = collection,
        };
        options.Filters.Request.CallToolFilters.Add(McpArgumentFilter.Wrap);
        return options;
    }
}
