using System.CommandLine;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Solana;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Cli.Keepers;

/// <summary>
/// <c>agentcluster keepers run [--config FILE] [options]</c>: runs the keeper host (docs/keepers.md) until Ctrl-C. Settings come from the
/// section <c>AgentCluster:Keepers</c> of the JSON file, then the environment (<c>AGENTCLUSTER__KEEPERS__RPCURL</c>, ...), then the options
/// given here (last wins). A setting that fails validation stops it before anything runs: one line per failure naming the setting, exit 1.
/// <c>--chain</c> picks the chains served: <c>evm</c> (default: the EVM keepers), <c>solana</c> (the Solana keeper,
/// docs/keepers-solana.md, section <c>AgentCluster:Keepers:Solana</c> and the <c>--solana-*</c> options) or <c>both</c> in one host.
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
        var chain = new Option<string>("--chain") { Description = "The chains served: evm (default), solana or both." };
        var solanaRpc = new Option<string>("--solana-rpc-url") { Description = "The Solana node's JSON-RPC URL (AgentCluster:Keepers:Solana:RpcUrl)." };
        var solanaDeployment = new Option<string>("--solana-deployment") { Description = "The Solana deployment file, e.g. a localnet's solana-localnet.json (AgentCluster:Keepers:Solana:DeploymentPath)." };
        var solanaKeypair = new Option<string>("--solana-keypair") { Description = "The Solana keeper's keypair file, as the Solana CLI writes it (AgentCluster:Keepers:Solana:KeypairPath)." };
        var solanaPoll = new Option<string>("--solana-poll-interval") { Description = "Time between the Solana keeper's passes, e.g. 00:00:02 (AgentCluster:Keepers:Solana:PollInterval)." };
        var run = new Command("run", "Run the keeper host (duties, health on /health/live and /health/ready, Prometheus /metrics) until Ctrl-C.")
        {
            config, rpcUrl, manifest, keyVariable, keystore, passwordVariable, journal, poll, port, index, peers, takeOver,
            chain, solanaRpc, solanaDeployment, solanaKeypair, solanaPoll,
        };
        run.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            void Map(Option<string> option, string key, string section = KeeperOptions.SectionName)
            {
                if (parse.GetValue(option) is { } value)
                {
                    overrides[$"{section}:{key}"] = value;
                }
            }

            string chains = parse.GetValue(chain) ?? "evm";
            if (chains is not ("evm" or "solana" or "both"))
            {
                throw new CliInputException("--chain", $"'{chains}' is not a chain the keepers serve: evm, solana or both.");
            }

            bool evm = chains != "solana", solana = chains != "evm";
            foreach ((Option<string> option, bool wanted) in new[] { (solanaRpc, solana), (solanaDeployment, solana), (solanaKeypair, solana), (solanaPoll, solana) })
            {
                if (!wanted && parse.GetValue(option) is not null)
                {
                    throw new CliInputException(option.Name, $"is a Solana setting, but --chain is {chains}: add --chain solana or --chain both.");
                }
            }

            Map(solanaRpc, nameof(SolanaKeeperOptions.RpcUrl), SolanaKeeperOptions.SectionName);
            Map(solanaDeployment, nameof(SolanaKeeperOptions.DeploymentPath), SolanaKeeperOptions.SectionName);
            Map(solanaKeypair, nameof(SolanaKeeperOptions.KeypairPath), SolanaKeeperOptions.SectionName);
            Map(solanaPoll, nameof(SolanaKeeperOptions.PollInterval), SolanaKeeperOptions.SectionName);

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

            return await RunHostAsync(file, overrides, evm, solana, parse.InvocationConfiguration.Error, ct).ConfigureAwait(false);
        });
        return new Command("keepers", "The keeper host: the services that keep the network moving (see docs/keepers.md).") { run };
    }

    private static async Task<int> RunHostAsync(string? file, Dictionary<string, string?> overrides, bool evm, bool solana, TextWriter error, CancellationToken ct)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
        if (file is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(overrides);
        if (evm)
        {
            builder.Services.AddAgentClusterKeepers(builder.Configuration);
        }

        if (solana)
        {
            builder.Services.AddAgentClusterSolanaKeepers(builder.Configuration);
        }

        try
        {
            using IHost host = builder.Build();
            // Validate before starting, so that a bad setting is one line per failure here, not the host's start-up stack trace; both
            // chains' settings are checked before either refuses, so one run names every bad setting.
            var failures = new List<string>();
            if (evm)
            {
                Validate<KeeperOptions>(host, failures);
            }

            if (solana)
            {
                Validate<SolanaKeeperOptions>(host, failures);
            }

            if (failures.Count > 0)
            {
                foreach (string failure in failures)
                {
                    error.WriteLine($"agentcluster keepers run: {failure}");
                }

                return ExitCodes.BadInput;
            }

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

    private static void Validate<TOptions>(IHost host, List<string> failures)
        where TOptions : class
    {
        try
        {
            _ = host.Services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
        }
    }
}
