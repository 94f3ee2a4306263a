namespace AgentCluster.Solana.Rpc;

/// <summary>A result with the slot the node read it at (the RPC's <c>{ context: { slot }, value }</c>).</summary>
/// <param name="ContextSlot">The slot of the state read.</param>
/// <param name="Value">The value.</param>
public sealed record RpcResponse<T>(ulong ContextSlot, T Value);

/// <summary>A recent blockhash and the last block height at which a transaction using it can land.</summary>
public sealed record LatestBlockhash(string Blockhash, ulong LastValidBlockHeight);

/// <summary>An account: owner program, lamports, data (the whole data, or the slice asked for), executable, rent epoch, space.</summary>
public sealed record AccountInfo(PublicKey Owner, ulong Lamports, byte[] Data, bool Executable, ulong RentEpoch, ulong Space);

/// <summary>An account of a program (getProgramAccounts).</summary>
public sealed record ProgramAccount(PublicKey PublicKey, AccountInfo Account);

/// <summary>A getProgramAccounts filter: <see cref="DataSize"/> or <see cref="Memcmp"/>.</summary>
public abstract record ProgramAccountFilter
{
    private protected ProgramAccountFilter()
    {
    }

    /// <summary>Accounts whose data is exactly <paramref name="size"/> bytes.</summary>
    public static ProgramAccountFilter DataSize(ulong size) => new DataSizeFilter(size);

    /// <summary>Accounts whose data holds <paramref name="bytes"/> (1..128 bytes) at <paramref name="offset"/>.</summary>
    public static ProgramAccountFilter Memcmp(int offset, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (bytes.Length is 0 or > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes.Length, "A memcmp filter compares 1 to 128 bytes.");
        }

        return new MemcmpFilter(offset, (byte[])bytes.Clone());
    }
}

/// <summary>Accounts whose data is exactly <paramref name="Size"/> bytes.</summary>
public sealed record DataSizeFilter(ulong Size) : ProgramAccountFilter;

/// <summary>Accounts whose data holds <paramref name="Bytes"/> at <paramref name="Offset"/> (sent base64).</summary>
public sealed record MemcmpFilter(int Offset, byte[] Bytes) : ProgramAccountFilter;

/// <summary>A transaction's status (getSignatureStatuses).</summary>
/// <param name="Slot">The slot it was processed in.</param>
/// <param name="Confirmations">Blocks confirmed on top of it; null when rooted (finalized).</param>
/// <param name="Error">Its error, or null when it succeeded.</param>
/// <param name="ConfirmationStatus">How settled it is.</param>
public sealed record SignatureStatus(ulong Slot, ulong? Confirmations, TransactionError? Error, Commitment? ConfirmationStatus);

/// <summary>Data a program returned (sol_set_return_data).</summary>
public sealed record ReturnData(PublicKey ProgramId, byte[] Data);

/// <summary>A simulation's outcome (simulateTransaction).</summary>
/// <param name="Error">The error, or null when the transaction would succeed.</param>
/// <param name="Logs">The log lines.</param>
/// <param name="UnitsConsumed">Compute units consumed.</param>
/// <param name="Accounts">The accounts asked for, as they would be after (null when none were asked or it failed).</param>
/// <param name="ReturnData">Data the program returned, if any.</param>
/// <param name="ReplacementBlockhash">The blockhash used instead of the transaction's (replaceRecentBlockhash), if any.</param>
public sealed record SimulationResult(TransactionError? Error, IReadOnlyList<string> Logs, ulong? UnitsConsumed,
    IReadOnlyList<AccountInfo?>? Accounts, ReturnData? ReturnData, LatestBlockhash? ReplacementBlockhash);

/// <summary>A token amount: base units, decimals, and the node's decimal text.</summary>
public sealed record TokenAmount(ulong Amount, byte Decimals, string UiAmountString);

/// <summary>A token account's balance before or after a transaction.</summary>
public sealed record TokenBalance(int AccountIndex, PublicKey Mint, PublicKey? Owner, TokenAmount Amount);

/// <summary>A processed transaction's meta (getTransaction).</summary>
public sealed record TransactionMeta(TransactionError? Error, ulong Fee, IReadOnlyList<ulong> PreBalances, IReadOnlyList<ulong> PostBalances,
    IReadOnlyList<string> LogMessages, ulong? ComputeUnitsConsumed, IReadOnlyList<TokenBalance> PreTokenBalances,
    IReadOnlyList<TokenBalance> PostTokenBalances, ReturnData? ReturnData);

/// <summary>A processed transaction (getTransaction, read base64): where, when, its wire bytes and its meta.</summary>
/// <param name="Slot">The slot it was processed in.</param>
/// <param name="BlockTime">The block's Unix time, if known.</param>
/// <param name="Version">0 for a v0 transaction, null for a legacy one.</param>
/// <param name="WireTransaction">The transaction as sent (signatures then message).</param>
/// <param name="Meta">The outcome.</param>
public sealed record TransactionInfo(ulong Slot, long? BlockTime, int? Version, byte[] WireTransaction, TransactionMeta Meta);

/// <summary>The node's software version (getVersion).</summary>
public sealed record NodeVersion(string SolanaCore, ulong? FeatureSet);

/// <summary>A transaction touching an address (getSignaturesForAddress), newest first.</summary>
public sealed record SignatureInfo(string Signature, ulong Slot, TransactionError? Error, long? BlockTime, Commitment? ConfirmationStatus);
