using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using AgentCluster.Cli.Evm;

namespace AgentCluster.Cli;

/// <summary>The <c>agentcluster</c> command. <see cref="Run"/> is the whole program, callable in-process (tests use it).</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, Console.In);

    /// <summary>
    /// Parses and runs one command line (no arguments at all shows the help). Results go to <paramref name="output"/>, diagnostics to <paramref name="error"/>.
    /// Returns <see cref="ExitCodes.Success"/>, <see cref="ExitCodes.BadInput"/> (an argument's value is wrong) or
    /// <see cref="ExitCodes.Usage"/> (unknown command or option, missing argument).
    /// </summary>
    /// <param name="input">Where an argument given as <c>-</c> is read from; standard input when null.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        // 'deploy' is scripts/deploy with the same arguments, passed through untouched (its own --help included).
        if (args.Length > 0 && args[0] == "deploy")
        {
            return Deploy.DeployCommand.Run(args[1..], output, error);
        }

        Command root = BuildRootCommand(input ?? Console.In);

        // A bare 'agentcluster' is someone finding their way: show the help (exit 0) rather than a usage error.
        if (args.Length == 0)
        {
            args = ["--help"];
        }

        // '@file' is ours (a JSON argument read from a file), not System.CommandLine's response files.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        string commandPath = CommandPath(parsed.CommandResult);
        string? unknownOption = UnknownOption(parsed);
        if ((parsed.Errors.Count > 0 || unknownOption is not null) && parsed.Action is not HelpAction)
        {
            Command command = parsed.CommandResult.Command;
            if (unknownOption is not null)
            {
                error.WriteLine(Suggestions.For(command, unknownOption) is { } message
                    ? $"{commandPath}: {message}"
                    : $"{commandPath}: Unrecognized option '{unknownOption}' (put '--' before a value that starts with '-').");
            }

            // "Required command was not provided" says nothing more once the mistyped command is named.
            bool mistyped = parsed.Errors.Any(e => Suggestions.UnrecognizedToken(e.Message) is not null);
            foreach (ParseError parseError in parsed.Errors.Where(e => !(mistyped && e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))))
            {
                string? token = Suggestions.UnrecognizedToken(parseError.Message);
                if (token is not null && token == unknownOption)
                {
                    continue;
                }

                error.WriteLine($"{commandPath}: {(token is not null ? Suggestions.For(command, token) : null) ?? parseError.Message}");
            }

            error.WriteLine($"Run '{commandPath} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliInputException e)
        {
            error.WriteLine($"{commandPath}: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    internal static Command BuildRootCommand(TextReader input)
    {
        // A plain Command rather than RootCommand, so the help shows "agentcluster" even when hosted in another process.
        var root = new Command("agentcluster", "AgentCluster command line: tools for people and scripts.")
        {
            new HelpOption(),
            new VersionOption(),
            EvmCommands.Build(input),
            Gov.GovCommands.Build(input),
            Agent.AgentCommands.Build(),
            Tasks.TaskCommands.Build(),
            Reputation.ReputationCommand.Build(),
            Deploy.DeployCommand.Build(),
            Mcp.McpCommand.Build(),
            Attest.AttestCommands.Build(),
            Keepers.KeepersCommand.Build(),
            Localnet.LocalnetCommand.Build(),
        };
        return root;
    }

    /// <summary>
    /// System.CommandLine binds an unknown '--flag' to a free positional argument; a typo would then become a value (keccak of
    /// "--bogus"). Refuse option-like values unless they follow '--' or are negative numbers.
    /// </summary>
    private static string? UnknownOption(ParseResult parsed)
    {
        foreach (Token token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && !char.IsAsciiDigit(token.Value[1]))
            {
                return token.Value;
            }
        }

        return null;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>Process exit codes of <c>agentcluster</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command line was well formed but an argument's value is not (bad hex, bad JSON, out of range...).</summary>
    public const int BadInput = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing or extra argument.</summary>
    public const int Usage = 2;

    /// <summary><c>attest verify-quote</c>: the quote was read, but a check failed (stderr names it).</summary>
    public const int VerificationFailed = 3;
}

/// <summary>A wrong argument value; the message starts with the argument's name.</summary>
public sealed class CliInputException(string argument, string message, Exception? inner = null)
    : Exception($"{argument}: {message}", inner)
{
    public string Argument { get; } = argument;
}
