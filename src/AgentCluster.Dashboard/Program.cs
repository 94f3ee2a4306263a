using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Dashboard;

/// <summary>
/// The stand-alone entry point: <c>dotnet AgentCluster.Dashboard.dll --index FILE [--port P] [--rpc URL] [--keeper URL]...</c>
/// serves the dashboard on 127.0.0.1 until Ctrl-C.
/// </summary>
public static class Program
{
    /// <summary>Runs the dashboard; exit code 2 on bad arguments.</summary>
    public static async Task<int> Main(string[] args)
    {
        var options = new DashboardOptions();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--index": options.IndexDbPath = Next(); break;
                    case "--port": options.Port = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                    case "--rpc": options.RpcUrl = new Uri(Next()); break;
                    case "--keeper": options.KeeperHealthUrls.Add(new Uri(Next())); break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: --index FILE [--port P] [--rpc URL] [--keeper URL]...");
                }
            }

            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or UriFormatException)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        await using DashboardServer server = await DashboardServer.StartAsync(options, b => b.AddSimpleConsole(), stop.Token).ConfigureAwait(false);
        Console.WriteLine($"AgentCluster dashboard: {server.Url}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
