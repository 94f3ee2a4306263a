using System.CommandLine;
using System.Text.Json;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Cli.Chain;

/// <summary>
/// The options every command that talks to a chain takes (node, manifest, signer, journal, --json) and the one way such a command runs:
/// connect through the SDK (node answering, chain id = manifest's, contracts present), run, and report a failure as one line on stderr
/// with exit code <see cref="ExitCodes.BadInput"/>. Shared by <c>gov</c>, <c>agent</c>, <c>task</c> and <c>reputation</c>.
/// </summary>
internal sealed class ChainConnection
{
    public const string KeyVariableDefault = "AGENTCLUSTER_PRIVATE_KEY";
    public const string PasswordVariableDefault = "AGENTCLUSTER_KEYSTORE_PASSWORD";

    public Option<string> RpcUrl { get; } = new("--rpc-url") { Description = "The chain's JSON-RPC URL (default: $AGENTCLUSTER_RPC_URL, else http://127.0.0.1:8545)." };

    public Option<string> Manifest { get; } = new("--manifest") { Description = "The deployment manifest (default: $AGENTCLUSTER_MANIFEST, else deployments/localnet.json)." };

    public Option<string> KeyVariable { get; } = new("--private-key-env") { Description = $"The environment variable holding the signer's private key (default {KeyVariableDefault}); the key is never printed." };

    public Option<string> Keystore { get; } = new("--keystore") { Description = "The signer's encrypted keystore file (Web3 Secret Storage, as cast writes it), instead of a key in the environment." };

    public Option<string> PasswordVariable { get; } = new("--password-env") { Description = $"With --keystore: the environment variable holding its password (default {PasswordVariableDefault})." };

    public Option<string> Journal { get; } = new("--journal") { Description = "The transaction journal (SQLite; default agentcluster-<address>-<chain>.db in the current directory)." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON for scripts instead of text." };

    /// <summary>Adds the connection options to <paramref name="command"/> (<c>--json</c> only when <paramref name="json"/>).</summary>
    public void AddTo(Command command, bool json = true)
    {
        foreach (Option o in new Option[] { RpcUrl, Manifest, KeyVariable, Keystore, PasswordVariable, Journal })
        {
            command.Options.Add(o);
        }

        if (json)
        {
            command.Options.Add(Json);
        }
    }

    /// <summary>
    /// Connects, runs <paramref name="body"/> with the client, stdout and whether --json was given, and turns the failures a user can cause
    /// (bad input, wrong chain, missing manifest, unreachable node, wrong key or password, a contract revert) into one line on stderr
    /// prefixed by <paramref name="where"/> and exit code 1. With <paramref name="progress"/>, each transaction sent is reported on stderr
    /// while its confirmation is awaited (never on stdout, so --json output stays clean).
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, string where, Func<AgentClusterClient, TextWriter, bool, Task<int>> body, CancellationToken ct,
        bool progress = false)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        TextWriter error = parse.InvocationConfiguration.Error;
        try
        {
            using ILoggerFactory? logs = progress ? new ConfirmationProgress(error) : null;
            await using AgentClusterClient client = await ConnectAsync(parse, logs, ct).ConfigureAwait(false);
            return await body(client, output, parse.GetValue(Json)).ConfigureAwait(false);
        }
        catch (CliInputException e)
        {
            error.WriteLine($"{where}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ReadOnlyClientException)
        {
            error.WriteLine($"{where}: this command sends a transaction and needs a signer: set ${KeyVariableDefault}, or give --private-key-env VAR or --keystore FILE.");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is ContractRevertException or TransactionFailedException)
        {
            error.WriteLine($"{where}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is AgentClusterException or ArgumentException or FormatException or KeyNotFoundException
            or AgentKeyException or FileNotFoundException or InvalidOperationException)
        {
            error.WriteLine($"{where}: {CleanMessage(e)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>The message without the "(Parameter 'x')" suffix .NET appends to argument exceptions.</summary>
    private static string CleanMessage(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            message = message.Split('\n')[0];
            string suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }

    /// <summary>Reads the signer's key source from the options and the environment (null: no key given, a read-only client).</summary>
    public AgentKeySource? KeySource(ParseResult parse)
    {
        if (parse.GetValue(Keystore) is { } keystore)
        {
            if (parse.GetValue(KeyVariable) is not null)
            {
                throw new CliInputException("--keystore", "give --keystore or --private-key-env, not both.");
            }

            if (!File.Exists(keystore))
            {
                throw new CliInputException("--keystore", $"No keystore file at {keystore}.");
            }

            string passwordVariable = parse.GetValue(PasswordVariable) ?? PasswordVariableDefault;
            string password = Environment.GetEnvironmentVariable(passwordVariable)
                ?? throw new CliInputException("--password-env", $"${passwordVariable} is not set: it must hold the keystore's password (never given on the command line).");
            return AgentKeySource.FromKeystore(keystore, password);
        }

        string variable = parse.GetValue(KeyVariable) ?? KeyVariableDefault;
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
        {
            RequireKeyShape(value, variable, "--private-key-env");
            return AgentKeySource.FromEnvironment(variable);
        }

        if (parse.GetValue(KeyVariable) is not null)
        {
            throw new CliInputException("--private-key-env", $"${variable} is not set or empty.");
        }

        return null;
    }

    /// <summary>Refuses a value that is not 64 hex digits, describing it by its length only (never echoing it).</summary>
    public static void RequireKeyShape(string value, string variable, string option)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(value.Trim(), "^(0x)?[0-9a-fA-F]{64}$"))
        {
            throw new CliInputException(option, $"${variable} does not hold a private key (64 hex digits, {value.Trim().Length} characters given); it is not printed.");
        }
    }

    private Task<AgentClusterClient> ConnectAsync(ParseResult parse, ILoggerFactory? logs, CancellationToken ct) =>
        AgentClusterClient.ConnectAsync(ClientOptions(parse), logs, cancellationToken: ct);

    /// <summary>
    /// The SDK options the connection options and the environment stand for: RPC URL, manifest (which must exist), key source and journal.
    /// Nothing is contacted yet.
    /// </summary>
    public AgentClusterClientOptions ClientOptions(ParseResult parse)
    {
        string url = parse.GetValue(RpcUrl) ?? Environment.GetEnvironmentVariable("AGENTCLUSTER_RPC_URL") ?? "http://127.0.0.1:8545";
        string manifest = parse.GetValue(Manifest) ?? Environment.GetEnvironmentVariable("AGENTCLUSTER_MANIFEST") ?? Path.Combine("deployments", "localnet.json");
        AgentKeySource? key = KeySource(parse);
        if (!File.Exists(manifest))
        {
            throw new CliInputException("--manifest", $"No deployment manifest at {manifest} (scripts/deploy or scripts/localnet writes one; pass --manifest or set AGENTCLUSTER_MANIFEST).");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliInputException("--rpc-url", $"'{url}' is not an http(s) URL.");
        }

        return new AgentClusterClientOptions
        {
            RpcUrl = url,
            ManifestPath = manifest,
            Key = key,
            JournalPath = parse.GetValue(Journal),
        };
    }

    /// <summary>One JSON object (or array) on a line.</summary>
    public static void WriteJson(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value));

    /// <summary>JSON with --json, else the text.</summary>
    public static void WriteResult(TextWriter output, bool json, string text, object value)
    {
        if (json)
        {
            WriteJson(output, value);
        }
        else
        {
            output.WriteLine(text);
        }
    }
}
