using AgentCluster.Sdk;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Testing;

public sealed partial class AgentClusterSuite
{
    /// <summary>Mines <paramref name="blocks"/> empty blocks (anvil <c>evm_mine</c>).</summary>
    public async Task MineAsync(int blocks = 1, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        for (int i = 0; i < blocks; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Web3.Client.SendRequestAsync<string>("evm_mine").ConfigureAwait(false);
        }
    }

    /// <summary>Moves the chain's clock forward by <paramref name="by"/> (whole seconds, rounded up; anvil <c>evm_increaseTime</c>) and mines a block at the new time.
    /// On a node with <see cref="AnvilOptions.BlockTimestampInterval"/> (which ignores evm_increaseTime) the block is mined at the latest
    /// block's time plus <paramref name="by"/> (<c>evm_setNextBlockTimestamp</c>).</summary>
    public async Task IncreaseTimeAsync(TimeSpan by, CancellationToken ct = default)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The clock only moves forward.");
        }

        long seconds = (long)Math.Ceiling(by.TotalSeconds);
        if (Node is AnvilNodeBase { FixesTimestamps: true })
        {
            long latest = (await ChainTimeAsync(ct).ConfigureAwait(false)).ToUnixTimeSeconds();
            await Web3.Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(1, "evm_setNextBlockTimestamp", latest + Math.Max(seconds, 1))).ConfigureAwait(false);
        }
        else
        {
            await Web3.Client.SendRequestAsync<string>("evm_increaseTime", null, new HexBigInteger(seconds)).ConfigureAwait(false);
        }

        await MineAsync(1, ct).ConfigureAwait(false);
    }

    /// <summary>The latest block's timestamp.</summary>
    public async Task<DateTimeOffset> ChainTimeAsync(CancellationToken ct = default)
    {
        BlockWithTransactionHashes block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())
            .WaitAsync(ct).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value);
    }

    /// <summary>An SDK client on this suite signing as anvil account <paramref name="accountIndex"/> (0-9), through that account's durable Web3.</summary>
    public async Task<AgentClusterClient> CreateClientAsync(int accountIndex, CancellationToken ct = default) =>
        await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions { Web3 = await CreateWeb3Async(accountIndex, ct).ConfigureAwait(false), Manifest = Manifest },
            cancellationToken: ct).ConfigureAwait(false);
}
