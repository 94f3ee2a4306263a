using System.CommandLine;
using AgentCluster.Cli.Chain;
using AgentCluster.Mcp;

namespace AgentCluster.Cli.Mcp;

/// <summary>
/// <c>agentcluster mcp</c>: serves the SDK as an MCP server on standard input and output (docs/mcp.md). Standard output carries only the
/// protocol; the start-up line and diagnostics go to standard error. The connection options and their defaults are those of <c>gov</c>.
/// </summary>
internal static class McpCommand
{
    public static Command Build()
    {
        var connection = new ChainConnection();
        var reviewsStore = new Option<string>("--reviews-store") { Description = $"The review salt store (SQLite; default {AgentClusterMcpServerOptions.DefaultReviewsStore}). Keep it until every committed vote is revealed: an unrevealed vote costs stake." };
        var registrations = new Option<string>("--registrations") { Description = "A directory of capability registration files (<agent id>.json) for find_agents, for agents whose URI is not data: or file:." };
        var command = new Command("mcp", "Serves AgentCluster to AI agents as an MCP server over stdio (find agents, submit, bid, post results, review, status, reputation).")
        {
            reviewsStore, registrations,
        };
        connection.AddTo(command, json: false);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(registrations) is { } dir && !Directory.Exists(dir))
            {
                throw new CliInputException("--registrations", $"{dir} is not a directory.");
            }

            var options = new AgentClusterMcpServerOptions
            {
                Client = connection.ClientOptions(parse),
                ReviewsStorePath = parse.GetValue(reviewsStore) ?? AgentClusterMcpServerOptions.DefaultReviewsStore,
                RegistrationsDirectory = parse.GetValue(registrations),
            };
            TextWriter log = parse.InvocationConfiguration.Error;
            await using Stream stdin = Console.OpenStandardInput();
            await using Stream stdout = Console.OpenStandardOutput();
            int code = await AgentClusterMcpServer.RunStdioAsync(options, stdin, stdout, log, ct).ConfigureAwait(false);
            return code == AgentClusterMcpServer.ExitOk ? ExitCodes.Success : ExitCodes.BadInput;
        });
        return command;
    }
}
