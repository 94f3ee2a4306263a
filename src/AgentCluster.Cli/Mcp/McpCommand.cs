using System.CommandLine;
using AgentCluster.Mcp;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;

namespace AgentCluster.Cli.Mcp;

/// <summary>
/// <c>agentcluster mcp</c>: serves the SDK as an MCP server on standard input and output (docs/mcp.md). Standard output carries only the
/// protocol; the start-up line and diagnostics go to standard error. The connection options and their defaults are those of <c>gov</c>.
/// </summary>
internal static class McpCommand
{
    private const string KeyVariableDefault = "AGENTCLUSTER_PRIVATE_KEY";

    public static Command Build()
    {
        var rpcUrl = new Option<string>("--rpc-url") { Description = "The chain's JSON-RPC URL (default: $AGENTCLUSTER_RPC_URL, else http://127.0.0.1:8545)." };
        var manifest = new Option<string>("--manifest") { Description = "The deployment manifest (default: $AGENTCLUSTER_MANIFEST, else deployments/localnet.json)." };
        var keyVariable = new Option<string>("--private-key-env") { Description = $"The environment variable holding the signer's private key (default {KeyVariableDefault}); without a key the server is read-only." };
        var keystore = new Option<string>("--keystore") { Description = "The signer's encrypted keystore file (Web3 Secret Storage, as cast writes it), instead of a key in the environment." };
        var passwordVariable = new Option<string>("--password-env") { Description = "With --keystore: the environment variable holding its password (default AGENTCLUSTER_KEYSTORE_PASSWORD)." };
        var journal = new Option<string>("--journal") { Description = "The transaction journal (SQLite; default agentcluster-<address>-<chain>.db in the current directory)." };
        var reviewsStore = new Option<string>("--reviews-store") { Description = $"The review salt store (SQLite; default {AgentClusterMcpServerOptions.DefaultReviewsStore}). Keep it until every committed vote is revealed: an unrevealed vote costs stake." };
        var registrations = new Option<string>("--registrations") { Description = "A directory of capability registration files (<agent id>.json) for find_agents, for agents whose URI is not data: or file:." };
        var command = new Command("mcp", "Serves AgentCluster to AI agents as an MCP server over stdio (find agents, submit, bid, post results, review, status, reputation).")
        {
            rpcUrl, manifest, keyVariable, keystore, passwordVariable, journal, reviewsStore, registrations,
        };
        command.SetAction(async (parse, ct) =>
        {
            string url = parse.GetValue(rpcUrl) ?? Environment.GetEnvironmentVariable("AGENTCLUSTER_RPC_URL") ?? "http://127.0.0.1:8545";
            string manifestPath = parse.GetValue(manifest) ?? Environment.GetEnvironmentVariable("AGENTCLUSTER_MANIFEST") ?? Path.Combine("deployments", "localnet.json");
            if (!File.Exists(manifestPath))
            {
                throw new CliInputException("--manifest", $"No deployment manifest at {manifestPath} (scripts/deploy or scripts/localnet writes one; pass --manifest or set AGENTCLUSTER_MANIFEST).");
            }

            if (parse.GetValue(registrations) is { } dir && !Directory.Exists(dir))
            {
                throw new CliInputException("--registrations", $"{dir} is not a directory.");
            }

            var options = new AgentClusterMcpServerOptions
            {
                Client = new AgentClusterClientOptions
                {
                    RpcUrl = url,
                    ManifestPath = manifestPath,
                    Key = Key(parse.GetValue(keyVariable), parse.GetValue(keystore), parse.GetValue(passwordVariable)),
                    JournalPath = parse.GetValue(journal),
                },
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

    private static AgentKeySource? Key(string? keyVariable, string? keystore, string? passwordVariable)
    {
        if (keystore is not null)
        {
            if (keyVariable is not null)
            {
                throw new CliInputException("--keystore", "give --keystore or --private-key-env, not both.");
            }

            string variable = passwordVariable ?? "AGENTCLUSTER_KEYSTORE_PASSWORD";
            string password = Environment.GetEnvironmentVariable(variable)
                ?? throw new CliInputException("--password-env", $"${variable} is not set: it must hold the keystore's password (never given on the command line).");
            return AgentKeySource.FromKeystore(keystore, password);
        }

        string name = keyVariable ?? KeyVariableDefault;
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(value.Trim(), "^(0x)?[0-9a-fA-F]{64}$"))
            {
                throw new CliInputException("--private-key-env", $"${name} does not hold a private key (64 hex digits, {value.Trim().Length} characters given); it is not printed.");
            }

            return AgentKeySource.FromEnvironment(name);
        }

        return keyVariable is not null ? throw new CliInputException("--private-key-env", $"${name} is not set or empty.") : null;
    }
}
