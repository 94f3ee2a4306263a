using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Rpc;
using AgentCluster.Testing.Solana;

namespace AgentCluster.Solana.Tests.Rpc;

/// <summary>
/// SolanaRpcClient against the real local node (scripts/solana-localnet through the SolanaLocalnet fixture, one per class):
/// every method, kit-signed transactions sent and read back, the program's error through a failed preflight, the localnet_ methods.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SolanaRpcClientTests
{
    private static readonly PublicKey TokenProgram = new("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    private SolanaLocalnet _net = null!;
    private SolanaRpcClient _rpc = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _net = await SolanaLocalnet.StartAsync();
        _rpc = _net.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _rpc?.Dispose();
        if (_net is not null)
        {
            await _net.DisposeAsync();
        }
    }

    private async Task<SignatureStatus> ConfirmedAsync(string signature)
    {
        SignatureStatus status = await _rpc.ConfirmTransactionAsync(signature, Commitment.Confirmed, TimeSpan.FromSeconds(30));
        Assert.That(status.ConfirmationStatus, Is.GreaterThanOrEqualTo(Commitment.Confirmed));
        return status;
    }

    [Test]
    public async Task Health_version_slot_block_height_and_blockhash()
    {
        Assert.That(await _rpc.GetHealthAsync(), Is.EqualTo("ok"));
        Assert.That((await _rpc.GetVersionAsync()).SolanaCore, Does.Match(@"^\d+\.\d+\.\d+"));
        ulong slot = await _rpc.GetSlotAsync();
        ulong height = await _rpc.GetBlockHeightAsync();
        Assert.That(height, Is.GreaterThan(0UL).And.LessThanOrEqualTo(slot));
        RpcResponse<LatestBlockhash> latest = await _rpc.GetLatestBlockhashAsync();
        Assert.That(latest.ContextSlot, Is.GreaterThanOrEqualTo(slot));
        Assert.That(new PublicKey(latest.Value.Blockhash).KeyBytes, Has.Length.EqualTo(32)); // a 32-byte hash in base58
        Assert.That(latest.Value.LastValidBlockHeight, Is.GreaterThanOrEqualTo(height + 149));
    }

    [Test]
    public async Task An_airdrop_is_confirmed_and_shows_in_the_balance_and_its_transaction()
    {
        var who = new PublicKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        string signature = await _rpc.RequestAirdropAsync(who, 2_500_000_000);
        SignatureStatus status = await ConfirmedAsync(signature);
        Assert.That(status.Error, Is.Null);
        Assert.That((await _rpc.GetBalanceAsync(who)).Value, Is.EqualTo(2_500_000_000UL));
        RpcResponse<IReadOnlyList<SignatureStatus?>> statuses = await _rpc.GetSignatureStatusesAsync([signature, signature], searchTransactionHistory: true);
        Assert.That(statuses.Value.Select(s => s!.Slot), Is.All.EqualTo(status.Slot));
        TransactionInfo? tx = await _rpc.GetTransactionAsync(signature);
        Assert.That(tx, Is.Not.Null);
        Assert.That(tx!.Version, Is.Null, "the faucet's transfer is a legacy transaction");
        Assert.That(tx.Meta.PostBalances, Does.Contain(2_500_000_000UL));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_kit_signed_transfer_is_sent_confirmed_and_read_back(bool legacy)
    {
        KitTransaction kit = await KitTransactions.TransferAsync(_net, legacy, 1_000_000_000);
        string signature = await _rpc.SendTransactionAsync(kit.Wire);
        Assert.That(signature, Is.EqualTo(kit.Signature));
        Assert.That((await ConfirmedAsync(signature)).Error, Is.Null);
        Assert.That((await _rpc.GetBalanceAsync(new PublicKey(kit.To!))).Value, Is.EqualTo(1_000_000_000UL));
        TransactionInfo tx = (await _rpc.GetTransactionAsync(signature))!;
        Assert.That(tx.Version, legacy ? Is.Null : Is.EqualTo(0));
        Assert.That(tx.WireTransaction, Is.EqualTo(kit.Wire));
        Assert.That(tx.Meta.Error, Is.Null);
        Assert.That(tx.Meta.Fee, Is.EqualTo(5000UL));
        Assert.That(tx.Meta.ComputeUnitsConsumed, Is.EqualTo(150UL)); // the System program's transfer
        Assert.That(tx.Meta.LogMessages, Does.Contain("Program 11111111111111111111111111111111 success"));
        Assert.That(tx.Meta.PreBalances[0] - tx.Meta.PostBalances[0], Is.EqualTo(1_000_005_000UL));
        IReadOnlyList<SignatureInfo> listed = await _rpc.GetSignaturesForAddressAsync(new PublicKey(kit.To!));
        Assert.That(listed.Select(s => s.Signature), Is.EqualTo(new[] { signature }));
    }

    [Test]
    public async Task A_transaction_built_and_signed_in_CSharp_by_the_authority_keypair_file_lands()
    {
        // the node's authority.json read by the C# keypair reader, a System transfer compiled by TransactionBuilder (v0)
        Account authority = AgentCluster.Solana.Keys.KeypairFile.Read(_net.AuthorityKeypairPath);
        Assert.That(authority.PublicKey, Is.EqualTo(_net.Info.Authority));
        Account to = Account.Generate();
        byte[] data = new byte[12];
        data[0] = 2; // System Transfer
        BitConverter.TryWriteBytes(data.AsSpan(4), 2_000_000_000UL);
        var transfer = new TransactionInstruction(PublicKey.Default, [AccountMeta.Writable(authority.PublicKey, true), AccountMeta.Writable(to.PublicKey, false)], data);
        LatestBlockhash latest = (await _rpc.GetLatestBlockhashAsync()).Value;
        byte[] wire = new AgentCluster.Solana.Messages.TransactionBuilder().SetFeePayer(authority).SetRecentBlockHash(latest.Blockhash)
            .SetVersion(AgentCluster.Solana.Messages.MessageVersion.V0).AddInstruction(transfer).Build(authority);
        string signature = await _rpc.SendTransactionAsync(wire);
        Assert.That((await ConfirmedAsync(signature)).Error, Is.Null);
        Assert.That((await _rpc.GetBalanceAsync(to.PublicKey)).Value, Is.EqualTo(2_000_000_000UL));
        Assert.That((await _rpc.GetTransactionAsync(signature))!.WireTransaction, Is.EqualTo(wire));
    }

    [Test]
    public async Task A_failed_preflight_is_a_typed_exception_with_the_programs_custom_code_and_logs()
    {
        KitTransaction kit = await KitTransactions.ReinitializeAsync(_net);
        var e = Assert.ThrowsAsync<TransactionSimulationException>(() => _rpc.SendTransactionAsync(kit.Wire));
        Assert.That(e!.Code, Is.EqualTo(-32002));
        Assert.That(e.InstructionIndex, Is.EqualTo(0));
        Assert.That(e.CustomCode, Is.EqualTo(kit.ExpectedCustom));
        Assert.That(e.Error!.Kind, Is.EqualTo("InstructionError"));
        Assert.That(e.Logs, Has.Some.Contains($"Program {_net.ProgramId} failed: custom program error"));
        Assert.That(e.UnitsConsumed, Is.GreaterThan(0UL));

        RpcResponse<SimulationResult> sim = await _rpc.SimulateTransactionAsync(kit.Wire);
        Assert.That(sim.Value.Error!.CustomCode, Is.EqualTo(kit.ExpectedCustom));
        Assert.That(sim.Value.Logs, Is.EqualTo(e.Logs));

        string signature = await _rpc.SendTransactionAsync(kit.Wire, skipPreflight: true);
        SignatureStatus status = await ConfirmedAsync(signature);
        Assert.That(status.Error!.CustomCode, Is.EqualTo(kit.ExpectedCustom));
        Assert.That((await _rpc.GetTransactionAsync(signature))!.Meta.Error!.InstructionIndex, Is.EqualTo(0));
    }

    [Test]
    public async Task Simulation_returns_accounts_as_they_would_be_and_changes_nothing()
    {
        KitTransaction kit = await KitTransactions.TransferAsync(_net, legacy: false, 3_000_000_000);
        var to = new PublicKey(kit.To!);
        RpcResponse<SimulationResult> sim = await _rpc.SimulateTransactionAsync(kit.Wire, sigVerify: true, accounts: [to]);
        Assert.That(sim.Value.Error, Is.Null);
        Assert.That(sim.Value.UnitsConsumed, Is.EqualTo(150UL));
        Assert.That(sim.Value.Accounts![0]!.Lamports, Is.EqualTo(3_000_000_000UL));
        Assert.That((await _rpc.GetAccountInfoAsync(to)).Value, Is.Null);
        byte[] forged = (byte[])kit.Wire.Clone();
        forged[10] ^= 0xff;
        var e = Assert.ThrowsAsync<SolanaRpcException>(() => _rpc.SimulateTransactionAsync(forged, sigVerify: true));
        Assert.That(e!.Code, Is.EqualTo(-32003));
        RpcResponse<SimulationResult> replaced = await _rpc.SimulateTransactionAsync(kit.Wire, replaceRecentBlockhash: true);
        Assert.That(replaced.Value.ReplacementBlockhash, Is.Not.Null);
    }

    [Test]
    public async Task Accounts_program_accounts_token_balance_and_rent()
    {
        AccountInfo config = (await _rpc.GetAccountInfoAsync(_net.Config)).Value!;
        Assert.That(config.Owner, Is.EqualTo(_net.ProgramId));
        Assert.That(config.Data, Has.Length.EqualTo(432));
        Assert.That(config.Data[0], Is.EqualTo(1), "AC_DISC_CONFIG");
        AccountInfo slice = (await _rpc.GetAccountInfoAsync(_net.Config, dataSlice: new DataSlice(16, 32))).Value!;
        Assert.That(slice.Data, Is.EqualTo(config.Data[16..48]));
        Assert.That(new PublicKey(slice.Data), Is.EqualTo(_net.Info.Authority), "the config's authority field");
        var missing = new PublicKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        IReadOnlyList<AccountInfo?> many = (await _rpc.GetMultipleAccountsAsync([_net.Mint, missing])).Value;
        Assert.That(many[0]!.Owner, Is.EqualTo(TokenProgram));
        Assert.That(many[1], Is.Null);

        IReadOnlyList<ProgramAccount> found = (await _rpc.GetProgramAccountsAsync(_net.ProgramId,
            [ProgramAccountFilter.DataSize(432), ProgramAccountFilter.Memcmp(16, _net.Info.Authority.KeyBytes)])).Value;
        Assert.That(found.Select(a => a.PublicKey), Is.EqualTo(new[] { _net.Config }));
        Assert.That((await _rpc.GetProgramAccountsAsync(_net.ProgramId, [ProgramAccountFilter.Memcmp(0, [99])])).Value, Is.Empty);
        IReadOnlyList<ProgramAccount> vaults = (await _rpc.GetProgramAccountsAsync(TokenProgram,
            [ProgramAccountFilter.DataSize(165), ProgramAccountFilter.Memcmp(0, _net.Mint.KeyBytes)])).Value;
        Assert.That(vaults.Select(a => a.PublicKey), Is.EquivalentTo(_net.Info.Vaults));

        TokenAmount team = (await _rpc.GetTokenAccountBalanceAsync(_net.Info.Vaults[5])).Value;
        Assert.That(team.Decimals, Is.EqualTo(9));
        Assert.That(team.Amount, Is.GreaterThan(0UL));
        // the cluster's default Rent: (128 + size) bytes x 3,480 lamports per byte-year x 2 years
        Assert.That(await _rpc.GetMinimumBalanceForRentExemptionAsync(165), Is.EqualTo((128UL + 165) * 3480 * 2));
    }

    [Test]
    public async Task Localnet_methods_warp_the_clock_fund_acc_and_advance_slots()
    {
        LocalnetInfo info = await _rpc.GetLocalnetInfoAsync();
        Assert.That(info.ProgramId, Is.EqualTo(_net.ProgramId));
        Assert.That(info.Vaults, Is.EqualTo(_net.Info.Vaults));
        var clockSysvar = new PublicKey("SysvarC1ock11111111111111111111111111111111");
        long before = BitConverter.ToInt64((await _rpc.GetAccountInfoAsync(clockSysvar)).Value!.Data, 32);
        LocalnetWarp warp = await _rpc.WarpTimeAsync(7200);
        long after = BitConverter.ToInt64((await _rpc.GetAccountInfoAsync(clockSysvar)).Value!.Data, 32);
        Assert.That(after, Is.GreaterThanOrEqualTo(before + 7200));
        Assert.That(warp.WarpedSeconds, Is.GreaterThanOrEqualTo(7200UL));

        var owner = new PublicKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        ulong teamBefore = (await _rpc.GetTokenAccountBalanceAsync(_net.Info.Vaults[5])).Value.Amount;
        LocalnetFunding funded = await _rpc.FundAccAsync(owner, 42_000_000_000);
        Assert.That((await _rpc.GetTokenAccountBalanceAsync(funded.TokenAccount)).Value.Amount, Is.EqualTo(42_000_000_000UL));
        Assert.That((await _rpc.GetTokenAccountBalanceAsync(_net.Info.Vaults[5])).Value.Amount, Is.EqualTo(teamBefore - 42_000_000_000));
        var tooMuch = Assert.ThrowsAsync<SolanaRpcException>(() => _rpc.FundAccAsync(owner, ulong.MaxValue));
        Assert.That(tooMuch!.Code, Is.EqualTo(-32602));

        ulong slot = await _rpc.GetSlotAsync();
        Assert.That(await _rpc.AdvanceSlotsAsync(10), Is.GreaterThanOrEqualTo(slot + 10));
    }

    [Test]
    public async Task An_expired_blockhash_fails_preflight_as_BlockhashNotFound()
    {
        KitTransaction kit = await KitTransactions.TransferAsync(_net, legacy: false, 1_000_000_000);
        await _rpc.AdvanceSlotsAsync(151);
        var e = Assert.ThrowsAsync<TransactionSimulationException>(() => _rpc.SendTransactionAsync(kit.Wire));
        Assert.That(e!.Error!.Kind, Is.EqualTo("BlockhashNotFound"));
    }

    [Test]
    public void Json_rpc_errors_are_typed_with_code_and_message()
    {
        var unknown = Assert.ThrowsAsync<SolanaRpcException>(() => _rpc.SendRequestAsync("noSuchMethod", [], true));
        Assert.That(unknown!.Code, Is.EqualTo(-32601));
        var bad = Assert.ThrowsAsync<SolanaRpcException>(() => _rpc.SendRequestAsync("getBalance", ["not-a-key"], true));
        Assert.That(bad!.Code, Is.EqualTo(-32602));
        Assert.That(bad.RpcMessage, Does.Contain("parameter 0"));
        Assert.That(bad, Is.Not.InstanceOf<TransactionSimulationException>());
    }
}
