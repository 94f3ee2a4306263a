using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Testing;
using Nethereum.Web3;

namespace AgentCluster.Cli.Tests.Deploy;

/// <summary><c>agentcluster deploy</c> is scripts/deploy: same arguments, output streamed, exit code kept; outside a checkout, a clear error.</summary>
[TestFixture, Category("Anvil"), NonParallelizable]
public sealed class DeployCommandTests
{
    [Test]
    public async Task Deploy_on_a_fresh_anvil_writes_a_manifest_of_live_contracts_and_keeps_the_exit_codes()
    {
        await using IAnvilNode node = await Anvil.StartAsync();
        string dir = Directory.CreateTempSubdirectory("agentcluster-cli-deploy-").FullName;
        try
        {
            string manifest = Path.Combine(dir, "localnet.json");
            string rpc = node.RpcUrl.ToString().TrimEnd('/');
            CliResult deployed = Cli.Run("deploy", "--rpc-url", rpc, "--private-key", AnvilAccounts.PrivateKeys[0], "--manifest", manifest);
            Assert.That(deployed.ExitCode, Is.EqualTo(0), deployed.Stderr + deployed.Stdout);
            Assert.That(deployed.Stdout + deployed.Stderr, Does.Match(@"deploy: \[\d+/\d+\] AccToken 0x[0-9a-fA-F]{40}"), "scripts/deploy's progress is streamed through");
            Assert.That(deployed.Stdout + deployed.Stderr, Does.Not.Contain(AnvilAccounts.PrivateKeys[0][2..]).IgnoreCase, "the deployer key is not printed");

            DeploymentManifest m = DeploymentManifest.Load(manifest);
            Assert.That(m.ChainId, Is.EqualTo(31337UL));
            Assert.That(m.Deployer, Is.EqualTo(AnvilAccounts.Addresses[0]).IgnoreCase);
            var web3 = new Web3(rpc);
            foreach (string name in new[] { "AccToken", "AgentRegistry", "Staking", "Reputation", "TaskMarket", "Governor", "Timelock" })
            {
                string code = await web3.Eth.GetCode.SendRequestAsync(m.AddressOf(name));
                Assert.That(code.Length, Is.GreaterThan(2), $"{name} has code at the manifest's address");
            }

            // A second run finds the live deployment and refuses: scripts/deploy's exit code 3 comes through unchanged.
            CliResult again = Cli.Run("deploy", "--rpc-url", rpc, "--private-key", AnvilAccounts.PrivateKeys[0], "--manifest", manifest);
            Assert.That(again.ExitCode, Is.EqualTo(3), again.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Deploy_passes_help_and_bad_input_through_unchanged()
    {
        CliResult help = Cli.Run("deploy", "--help");
        Assert.That(help.ExitCode, Is.EqualTo(0), help.Stderr);
        Assert.That(help.Stdout, Does.StartWith("usage: scripts/deploy --rpc-url URL --private-key KEY --manifest FILE"));

        CliResult unreachable = Cli.Run("deploy", "--rpc-url", "http://127.0.0.1:1", "--private-key", AnvilAccounts.PrivateKeys[0], "--manifest",
            Path.Combine(Path.GetTempPath(), "agentcluster-never.json"));
        Assert.That(unreachable.ExitCode, Is.EqualTo(2), "scripts/deploy: 2 = bad input / unreachable RPC");
        Assert.That(unreachable.Stderr, Is.Not.Empty);
    }

    [Test]
    public void Outside_a_checkout_deploy_says_so_with_exit_code_usage()
    {
        string outside = Directory.CreateTempSubdirectory("agentcluster-not-a-checkout-").FullName;
        try
        {
            // Its own process, started in a directory with no checkout above it (the test's own directory is inside one).
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = outside };
            info.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "agentcluster.dll"));
            info.ArgumentList.Add("deploy");
            info.ArgumentList.Add("--help");
            info.Environment.Remove("AGENTCLUSTER_ROOT");
            using var process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True);
            Assert.That((process.ExitCode, stdout.Result), Is.EqualTo((ExitCodes.Usage, "")));
            Assert.That(stderr.Result, Is.EqualTo($"agentcluster deploy: not inside an AgentCluster checkout: no scripts/deploy in {outside} or any directory above it. Run it from a checkout, or set $AGENTCLUSTER_ROOT to one.\n"));

            // AGENTCLUSTER_ROOT naming a directory that is not a checkout is refused the same way.
            string? saved = Environment.GetEnvironmentVariable("AGENTCLUSTER_ROOT");
            Environment.SetEnvironmentVariable("AGENTCLUSTER_ROOT", outside);
            try
            {
                CliResult wrongRoot = Cli.Run("deploy", "--help");
                Assert.That((wrongRoot.ExitCode, wrongRoot.Stdout), Is.EqualTo((ExitCodes.Usage, "")));
                Assert.That(wrongRoot.Stderr, Is.EqualTo($"agentcluster deploy: $AGENTCLUSTER_ROOT is {outside}, which has no scripts/deploy: it must name an AgentCluster checkout.\n"));
            }
            finally
            {
                Environment.SetEnvironmentVariable("AGENTCLUSTER_ROOT", saved);
            }
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
