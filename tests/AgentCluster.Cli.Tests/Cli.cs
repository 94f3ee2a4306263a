namespace AgentCluster.Cli.Tests;

/// <summary>The result of one in-process run of <c>agentcluster</c>.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout without the trailing newline, asserting the run succeeded.</summary>
    public string Output
    {
        get
        {
            Assert.That(ExitCode, Is.EqualTo(0), $"exit {ExitCode}, stderr: {Stderr}");
            Assert.That(Stderr, Is.Empty);
            return Stdout.TrimEnd('\n');
        }
    }
}

/// <summary>Runs the CLI in this process through <see cref="Program.Run"/>.</summary>
internal static class Cli
{
    public static CliResult Run(params string[] args) => RunWithInput(null, args);

    public static CliResult RunWithInput(string? stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Program.Run(args, stdout, stderr, new StringReader(stdin ?? ""));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
