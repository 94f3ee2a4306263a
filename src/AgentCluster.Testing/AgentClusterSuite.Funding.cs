using System.Numerics;
using AgentCluster.Evm.Bindings.AccToken;
using AgentCluster.Evm.Bindings.AccToken.ContractDefinition;
using Nethereum.Contracts;
using AgentCluster.Evm.Bindings.EmissionVault;
using Nethereum.Hex.HexTypes;

namespace AgentCluster.Testing;

public sealed partial class AgentClusterSuite
{
    private static readonly string[] Pools = ["ValidatorsPool", "ComputePool", "MarketplacePool", "ReviewPool"];
    private readonly SemaphoreSlim _fundingGate = new(1, 1);

    /// <summary>
    /// Moves the chain's clock forward by <paramref name="warp"/> (anvil <c>evm_increaseTime</c> + <c>evm_mine</c>) and releases what the four
    /// emission pools vested to their beneficiary, the deployer (account 0) on a local chain, as <c>scripts/localnet</c> does. Returns the
    /// ACC released (wei). About 565,000 ACC per day early in the schedule.
    /// </summary>
    public async Task<BigInteger> ReleaseEmissionsAsync(TimeSpan warp, CancellationToken ct = default)
    {
        if (warp < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(warp), warp, "The clock only moves forward.");
        }

        if (warp > TimeSpan.Zero)
        {
            await IncreaseTimeAsync(warp, ct).ConfigureAwait(false);
        }

        BigInteger released = 0;
        foreach (string pool in Pools)
        {
            string vaultAddress = Manifest.AddressOf(pool);
            var vault = new EmissionVaultService(Web3, vaultAddress);
            if (await vault.ReleasableQueryAsync().ConfigureAwait(false) > 0)
            {
                // What was paid is what the receipt's ACC transfers out of the vault say (vesting runs on to the release's block).
                var receipt = await vault.ReleaseRequestAndWaitForReceiptAsync(ct).ConfigureAwait(false);
                released += receipt.DecodeAllEvents<TransferEventDTO>()
                    .Where(e => string.Equals(e.Event.From, vaultAddress, StringComparison.OrdinalIgnoreCase))
                    .Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Value);
            }
        }

        return released;
    }

    /// <summary>
    /// Gives <paramref name="address"/> <paramref name="amount"/> wei of ACC from the deployer (account 0), first releasing emissions a day at a
    /// time (at most 400 days) while the deployer holds too little. Serialised: several tests of one suite may fund at once.
    /// </summary>
    public async Task FundAsync(string address, BigInteger amount, CancellationToken ct = default)
    {
        string to = Evm.Validation.EvmInput.ParseAddress(address);
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Fund a positive amount of ACC (wei).");
        }

        await _fundingGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var token = new AccTokenService(Web3, Manifest.AddressOf("AccToken"));
            string deployer = Accounts[0].Address;
            for (int day = 0; await token.BalanceOfQueryAsync(deployer).ConfigureAwait(false) < amount; day++)
            {
                if (day == 400)
                {
                    throw new AnvilException($"The emission pools did not release {amount} wei of ACC to the deployer within 400 days.");
                }

                await ReleaseEmissionsAsync(TimeSpan.FromDays(1), ct).ConfigureAwait(false);
            }

            var receipt = await token.TransferRequestAndWaitForReceiptAsync(to, amount, ct).ConfigureAwait(false);
            if (receipt.Status.Value != 1)
            {
                throw new AnvilException($"The ACC transfer to {to} failed (transaction {receipt.TransactionHash}).");
            }
        }
        finally
        {
            _fundingGate.Release();
        }
    }
}
