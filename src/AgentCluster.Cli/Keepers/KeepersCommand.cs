using System.CommandLine;
using AgentCluster.Keepers.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Cli.Keepers;

/// <summary>
/// <c>agentcluster keepers run [--config FILE] [options]</c>: runs the keeper host (docs/keepers.md) until Ctrl-C. Settings come from the
/// section <c>AgentCluster:Keepers</c> of the JSON file, then the environment (<c>AGENTCLUSTER__KEEPERS__RPCURL</c>, ...), then the options
/// given here (last wins). A setting that fails validation stops it before anything runs: one line per failure naming the setting, exit 1.
/// </summary>
internal static class KeepersCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config") { Description = "A JSON settings file (appsettings.json shape: section AgentCluster:Keepers)." };
        var rpcUrl = new Option<string>("--rpc-url") { Description = "The chain's JSON-RPC URL (AgentCluster:Keepers:RpcUrl)." };
        var manifest = new Option<string>("--manifest") { Description = "The deployment manifest (AgentCluster:Keepers:ManifestPath)." };
        var keyVariable = new Option<string>("--private-key-env") { Description = "The environment variable holding the signer's key (AgentCluster:Keepers:PrivateKeyVariable)." };
        var keystore = new Option<string>("--keystore") { Description = "The signer's keystore file (AgentCluster:Keepers:KeystorePath)." };
        var passwordVariable = new Option<string>("--password-env") { Description = "The environment variable holding the keystore's password (AgentCluster:Keepers:KeystorePasswordVariable)." };
        var journal = new Option<string>("--journal") { Description = "The transaction journal (AgentCluster:Keepers:JournalPath)." };
        var poll = new Option<string>("--poll-interval") { Description = "Time between a duty's passes, e.g. 00:00:05 (AgentCluster:Keepers:PollInterval)." };
        var port = new Option<string>("--health-port") { Description = "Port of /health and /metrics on 127.0.0.1 (AgentCluster:Keepers:HealthPort)." };
        var index = new Option<string>("--index-db") { Description = "The event index's SQLite file: the indexer runs in the host (AgentCluster:Keepers:IndexDbPath)." };
        var peers = new Option<string[]>("--peer") { Description = "A keeper sharing the work, this one included; repeat for each (AgentCluster:Keepers:Peers).", AllowMultipleArgumentsPerToken = false };
        var takeOver = new Option<string>("--take-over-after") { Description = "With --peer: how long due work waits before the next keeper takes it, e.g. 00:00:30 (AgentCluster:Keepers:TakeOverAfter)." };
        var run = new Command("run", "Run the keeper host (duties, health on /health/live and /health/ready, Prometheus /metrics) until Ctrl-C.")
        {
            config, rpcUrl, manifest, keyVariable, keystore, passwordVariable, journal, poll, port, index, peers, takeOver,
        };
        run.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            void Map(Option<string> option, string key)
            {
                if (parse.GetValue(option) is { } value)
                {
                    overrides[$"{KeeperOptions.SectionName}:{key}"] = value;
                }
            }

            Map(rpcUrl, nameof(KeeperOptions.RpcUrl));
            Map(manifest, nameof(KeeperOptions.ManifestPath));
            Map(keyVariable, nameof(KeeperOptions.PrivateKeyVariable));
            Map(keystore, nameof(KeeperOptions.KeystorePath));
            Map(passwordVariable, nameof(KeeperOptions.KeystorePasswordVariable));
            Map(journal, nameof(KeeperOptions.JournalPath));
            Map(poll, nameof(KeeperOptions.PollInterval));
            Map(port, nameof(KeeperOptions.HealthPort));
            Map(index, nameof(KeeperOptions.IndexDbPath));
            Map(takeOver, nameof(KeeperOptions.TakeOverAfter));
            string[] peerList = parse.GetValue(peers) ?? [];
            for (int i = 0; i < peerList.Length; i++)
            {
                overrides[$"{KeeperOptions.SectionName}:{nameof(KeeperOptions.Peers)}:{i}"] = peerList[i];
            }
            string? file = parse.GetValue(config);
            if (file is not null && !File.Exists(file))
            {
                throw new CliInputException("--config", $"No settings file at {file}.");
            }

            return await RunHostAsync(file, overrides, parse.InvocationConfiguration.Error, ct).ConfigureAwait(false);
        });
        return new Command("keepers", "The keeper host: the services that keep the network moving (see docs/keepers.md).") { run };
    }

    private static async Task<int> RunHostAsync(string? file, Dictionary<string, string?> overrides, TextWriter error, CancellationToken ct)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
        if (file is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.AddAgentClusterKeepers(builder.Configuration);
        try
        {
            using IHost host = builder.Build();
            // Validate before starting, so that a bad setting is one line per failure here, not the host's start-up stack trace.
            _ = host.Services.GetRequiredService<IOptions<KeeperOptions>>().Value;
            await host.RunAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OptionsValidationException e)
        {
            foreach (string failure in e.Failures)
            {
                error.WriteLine($"agentcluster keepers run: {failure}");
            }

            return ExitCodes.BadInput;
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException)
        {
            // A value the binder cannot convert (e.g. PollInterval=soon): the message names the key.
            error.WriteLine($"agentcluster keepers run: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
