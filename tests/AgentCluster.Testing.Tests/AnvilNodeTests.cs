using System.Diagnostics;
using System.Numerics;
using AgentCluster.Testing.Internal;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Testing.Tests;

[TestFixture]
[Category("Anvil")]
public sealed class AnvilNodeTests
{
    private static readonly string[] Kinds = [AnvilKinds.Container, AnvilKinds.Process];

    [TestCaseSource(nameof(Kinds))]
    public async Task Starts_and_answers_eth_chainId_with_the_chain_id_asked(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync(new AnvilOptions { ChainId = 4242 });

        Assert.That(node.Kind, Is.EqualTo(kind));
        Assert.That(Anvil.LastKind, Is.EqualTo(kind));
        Assert.That(node.ChainId, Is.EqualTo(4242UL));
        Assert.That(node.RpcUrl.Host, Is.EqualTo("127.0.0.1"));
        var web3 = new Web3(node.RpcUrl.ToString());
        HexBigInteger chainId = await web3.Eth.ChainId.SendRequestAsync();
        Assert.That(chainId.Value, Is.EqualTo(new BigInteger(4242)));
    }

    /// <summary>
    /// The loopback is shared: a node asked for a port another anvil (same chain id) already holds must not take that anvil for its
    /// own. Before, the start "succeeded" as soon as the other node answered eth_chainId, and two fixtures then shared one chain.
    /// </summary>
    [TestCaseSource(nameof(Kinds))]
    public async Task A_port_another_anvil_holds_is_refused_not_shared(string kind)
    {
        DockerCheck.RequireFor(kind);
        IAnvilNode holder;
        using (EnvScope.Kind(AnvilKinds.Process))
        {
            holder = await Anvil.StartAsync();
        }

        await using (holder)
        {
            using var env = EnvScope.Kind(kind);
            var e = Assert.ThrowsAsync<AnvilException>(() => Anvil.StartAsync(new AnvilOptions { Port = holder.RpcUrl.Port, StartTimeout = TimeSpan.FromSeconds(20) }));
            Assert.That(e!.Message, Does.Contain("Address already in use").Or.Contain("did not answer"), e.Message);
            Assert.That(await Net.TryChainIdAsync(holder.RpcUrl, TimeSpan.FromSeconds(5), CancellationToken.None), Is.EqualTo(holder.ChainId), "the holder still runs");
        }
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task The_default_accounts_are_anvils_and_their_keys_match(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync();

        string[] accounts = await new Web3(node.RpcUrl.ToString()).Eth.Accounts.SendRequestAsync();
        Assert.That(accounts.Select(a => a.ToLowerInvariant()), Is.EqualTo(AnvilAccounts.Addresses.Select(a => a.ToLowerInvariant())));
        for (int i = 0; i < AnvilAccounts.PrivateKeys.Count; i++)
        {
            Assert.That(new EthECKey(AnvilAccounts.PrivateKeys[i]).GetPublicAddress(), Is.EqualTo(AnvilAccounts.Addresses[i]), $"key {i}");
        }
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task A_mined_transaction_survives_stop_and_start_on_the_same_url(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync(new AnvilOptions { ChainId = 777 });
        Uri url = node.RpcUrl;
        var web3 = new Web3(new Account(AnvilAccounts.PrivateKeys[0], 777), url.ToString());
        string recipient = AnvilAccounts.Addresses[1];
        BigInteger before = (await web3.Eth.GetBalance.SendRequestAsync(recipient)).Value;

        TransactionReceipt receipt = await web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(recipient, 1.5m);
        Assert.That(receipt.Succeeded(), Is.True);

        await node.StopAsync();
        Assert.That(await Net.TryChainIdAsync(url, TimeSpan.FromSeconds(2), CancellationToken.None), Is.Null, "the node still answers after StopAsync");

        await node.StartAsync();
        Assert.That(node.RpcUrl, Is.EqualTo(url));
        var reader = new Web3(url.ToString());
        TransactionReceipt? again = await reader.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(receipt.TransactionHash);
        Assert.That(again, Is.Not.Null, "the transaction mined before the stop is gone after the start");
        Assert.That(again!.BlockNumber.Value, Is.EqualTo(receipt.BlockNumber.Value));
        Assert.That((await reader.Eth.GetBalance.SendRequestAsync(recipient)).Value - before, Is.EqualTo(Web3.Convert.ToWei(1.5m)));
        Assert.That((await reader.Eth.ChainId.SendRequestAsync()).Value, Is.EqualTo(new BigInteger(777)));

        // The restarted node keeps working: the next transaction from the same account mines with the next nonce.
        TransactionReceipt next = await new Web3(new Account(AnvilAccounts.PrivateKeys[0], 777), url.ToString())
            .Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(recipient, 0.1m);
        Assert.That(next.Succeeded(), Is.True);
        Assert.That(next.BlockNumber.Value, Is.GreaterThan(receipt.BlockNumber.Value));
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task A_paused_node_does_not_answer_and_answers_again_after_unpause(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync();
        Assert.That((await Rpc.CallAsync(node.RpcUrl, "eth_blockNumber", TimeSpan.FromSeconds(5))).GetString(), Does.StartWith("0x"));

        await node.PauseAsync();
        Assert.ThrowsAsync<TaskCanceledException>(() => Rpc.CallAsync(node.RpcUrl, "eth_blockNumber", TimeSpan.FromSeconds(1)));

        await node.UnpauseAsync();
        Assert.That((await Rpc.CallAsync(node.RpcUrl, "eth_chainId", TimeSpan.FromSeconds(5))).GetString(), Is.EqualTo("0x7a69"));
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task Stop_while_paused_still_keeps_the_chain(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync();
        await Rpc.CallAsync(node.RpcUrl, "evm_mine", TimeSpan.FromSeconds(5));
        await Rpc.CallAsync(node.RpcUrl, "evm_mine", TimeSpan.FromSeconds(5));

        await node.PauseAsync();
        await node.StopAsync();
        await node.StartAsync();

        Assert.That((await Rpc.CallAsync(node.RpcUrl, "eth_blockNumber", TimeSpan.FromSeconds(5))).GetString(), Is.EqualTo("0x2"));
    }

    [Test]
    public async Task Dispose_removes_the_container()
    {
        DockerCheck.RequireFor(AnvilKinds.Container);
        using var env = EnvScope.Kind(AnvilKinds.Container);
        IAnvilNode node = await Anvil.StartAsync();
        string id = ((ContainerAnvilNode)node).ContainerId;
        Assert.That(await DockerCheck.ContainerIdsOfThisProcessAsync(), Does.Contain(id));
        await node.PauseAsync(); // a paused container must go too

        await node.DisposeAsync();

        Assert.That(await DockerCheck.ContainerIdsOfThisProcessAsync(), Does.Not.Contain(id));
        Assert.That(await Net.TryChainIdAsync(node.RpcUrl, TimeSpan.FromSeconds(1), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Dispose_kills_the_process()
    {
        using var env = EnvScope.Kind(AnvilKinds.Process);
        IAnvilNode node = await Anvil.StartAsync();
        int pid = ((ProcessAnvilNode)node).ProcessId ?? throw new AssertionException("no process id");
        using Process process = Process.GetProcessById(pid);
        await node.PauseAsync(); // a stopped (SIGSTOP) process must go too

        await node.DisposeAsync();

        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(5)), Is.True, "anvil is still running after dispose");
        Assert.That(await Net.TryChainIdAsync(node.RpcUrl, TimeSpan.FromSeconds(1), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Without_a_reachable_engine_auto_mode_falls_back_to_a_process()
    {
        using var env = new EnvScope((Anvil.KindVariable, null), ("DOCKER_HOST", "unix:///nonexistent/agentcluster-test.sock"));
        await using IAnvilNode node = await Anvil.StartAsync(new AnvilOptions { ChainId = 99 });

        Assert.That(node.Kind, Is.EqualTo(AnvilKinds.Process));
        Assert.That((await new Web3(node.RpcUrl.ToString()).Eth.ChainId.SendRequestAsync()).Value, Is.EqualTo(new BigInteger(99)));
    }

    [Test]
    public void Forcing_containers_without_an_engine_fails_clearly()
    {
        using var env = new EnvScope((Anvil.KindVariable, "container"), ("DOCKER_HOST", "unix:///nonexistent/agentcluster-test.sock"));
        AnvilException e = Assert.ThrowsAsync<AnvilException>(() => Anvil.StartAsync())!;
        Assert.That(e.Message, Does.Contain("AGENTCLUSTER_ANVIL=container").And.Contain("no socket at /nonexistent/agentcluster-test.sock"));
    }

    [Test]
    public void An_unknown_kind_is_refused()
    {
        using var env = EnvScope.Kind("vm");
        AnvilException e = Assert.ThrowsAsync<AnvilException>(() => Anvil.StartAsync())!;
        Assert.That(e.Message, Does.Contain("AGENTCLUSTER_ANVIL").And.Contain("'vm'"));
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task NoMining_leaves_transactions_pending_until_evm_mine(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        await using IAnvilNode node = await Anvil.StartAsync(new AnvilOptions { NoMining = true });
        var web3 = new Web3(new Account(AnvilAccounts.PrivateKeys[0], node.ChainId), node.RpcUrl.ToString());
        string hash = await web3.Eth.GetEtherTransferService().TransferEtherAsync(AnvilAccounts.Addresses[2], 1m);

        Assert.That(await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash), Is.Null);
        await Rpc.CallAsync(node.RpcUrl, "evm_mine", TimeSpan.FromSeconds(5));
        Assert.That(await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash), Is.Not.Null);
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task A_port_in_use_gives_an_AnvilException_and_leaves_nothing_behind(string kind)
    {
        DockerCheck.RequireFor(kind);
        using var env = EnvScope.Kind(kind);
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        IReadOnlyList<string> before = kind == AnvilKinds.Container ? await DockerCheck.ContainerIdsOfThisProcessAsync() : [];

        AnvilException e = Assert.ThrowsAsync<AnvilException>(() => Anvil.StartAsync(new AnvilOptions { Port = port, StartTimeout = TimeSpan.FromSeconds(20) }))!;

        Assert.That(e.Message, Does.Contain(port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(e.Message, Does.Contain("exited"));
        if (kind == AnvilKinds.Container)
        {
            Assert.That(await DockerCheck.ContainerIdsOfThisProcessAsync(), Is.EquivalentTo(before));
        }
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        yield return new TestCaseData(new AnvilOptions { ChainId = 0 }, "ChainId").SetName("ChainId 0");
        yield return new TestCaseData(new AnvilOptions { Port = 0 }, "Port").SetName("Port 0");
        yield return new TestCaseData(new AnvilOptions { Port = 65536 }, "Port").SetName("Port 65536");
        yield return new TestCaseData(new AnvilOptions { BlockTime = TimeSpan.Zero }, "BlockTime").SetName("BlockTime 0");
        yield return new TestCaseData(new AnvilOptions { BlockTime = TimeSpan.FromSeconds(1), NoMining = true }, "NoMining").SetName("NoMining with BlockTime");
        yield return new TestCaseData(new AnvilOptions { StartTimeout = TimeSpan.Zero }, "StartTimeout").SetName("StartTimeout 0");
        yield return new TestCaseData(new AnvilOptions { ExtraArguments = ["--port", "1"] }, "ExtraArguments").SetName("ExtraArguments --port");
        yield return new TestCaseData(new AnvilOptions { ExtraArguments = null! }, "ExtraArguments").SetName("ExtraArguments null");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Bad_options_give_an_ArgumentException_naming_the_option(AnvilOptions options, string name)
    {
        ArgumentException e = Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => Anvil.StartAsync(options)) as ArgumentException
            ?? throw new AssertionException("not an ArgumentException");
        Assert.That(e.ParamName, Is.EqualTo(name));
        Assert.That(e.Message, Does.Contain("AnvilOptions." + name));
    }
}
