using AgentCluster.Evm.Errors;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;

namespace AgentCluster.Evm.Bindings;

/// <summary>
/// The base of every generated <c>&lt;Contract&gt;Service</c>: Nethereum's <see cref="ContractWeb3ServiceBase"/> plus one thing
/// Nethereum lacks, typed reverts. Every generated method that reaches the chain (query, request, request-and-wait, gas estimate,
/// deployment) runs through <see cref="TranslateRevertsAsync{T}(Func{Task{T}})"/>, which rethrows Nethereum's revert exceptions
/// (<see cref="SmartContractCustomErrorRevertException"/>, <c>SmartContractRevertException</c>, an RPC error carrying revert data)
/// as <see cref="ContractRevertException"/>: <see cref="ContractCustomErrorException{TError}"/> for a known custom error (this
/// contract's or any other of the suite, since a revert can bubble up from a callee), <see cref="ContractPanicException"/> for
/// <c>Panic(uint256)</c>, <see cref="ContractRevertReasonException"/> for <c>Error(string)</c>. The original exception is kept as the
/// inner exception.
/// </summary>
public abstract class SuiteContractService : ContractWeb3ServiceBase
{
    /// <summary>A service for the contract at <paramref name="contractAddress"/>, reached through <paramref name="web3"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="contractAddress"/> is not a 0x-prefixed 20-byte hex address, or is the zero address.</exception>
    protected SuiteContractService(IWeb3 web3, string contractAddress)
        : base(web3 ?? throw new ArgumentNullException(nameof(web3)), CheckAddress(contractAddress))
    {
    }

    /// <summary>How this service decodes reverts: the contract's own errors first, then the suite's.</summary>
    protected abstract RevertDecoder RevertDecoder { get; }

    /// <summary>Runs <paramref name="call"/> and rethrows a revert as a typed <see cref="ContractRevertException"/>.</summary>
    protected Task<T> TranslateRevertsAsync<T>(Func<Task<T>> call) => TranslateRevertsAsync(RevertDecoder, call);

    /// <summary>Runs <paramref name="call"/> and rethrows a revert, decoded by <paramref name="decoder"/>, as a typed <see cref="ContractRevertException"/>.</summary>
    protected static async Task<T> TranslateRevertsAsync<T>(RevertDecoder decoder, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ContractRevertException && decoder.TryTranslate(e, out ContractRevertException revert))
        {
            throw revert;
        }
    }

    /// <summary>Sends <paramref name="deployment"/> and waits for the receipt; a revert in gas estimation is a typed exception.</summary>
    protected static Task<TransactionReceipt> DeployAndWaitForReceiptAsync<TDeployment>(IWeb3 web3, TDeployment deployment, RevertDecoder decoder,
        CancellationToken cancellationToken)
        where TDeployment : ContractDeploymentMessage, new()
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        return TranslateRevertsAsync(decoder, () => web3.Eth.GetContractDeploymentHandler<TDeployment>().SendRequestAndWaitForReceiptAsync(deployment, cancellationToken));
    }

    /// <summary>Sends <paramref name="deployment"/>; the transaction hash.</summary>
    protected static Task<string> DeployAsync<TDeployment>(IWeb3 web3, TDeployment deployment, RevertDecoder decoder)
        where TDeployment : ContractDeploymentMessage, new()
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        return TranslateRevertsAsync(decoder, () => web3.Eth.GetContractDeploymentHandler<TDeployment>().SendRequestAsync(deployment));
    }

    /// <summary>Estimates the gas of <paramref name="deployment"/>.</summary>
    protected static Task<HexBigInteger> EstimateDeploymentAsync<TDeployment>(IWeb3 web3, TDeployment deployment, RevertDecoder decoder)
        where TDeployment : ContractDeploymentMessage, new()
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        return TranslateRevertsAsync(decoder, () => web3.Eth.GetContractDeploymentHandler<TDeployment>().EstimateGasAsync(deployment));
    }

    /// <summary>The address a successful deployment created.</summary>
    /// <exception cref="InvalidOperationException">The deployment was mined but failed, or the receipt names no contract.</exception>
    protected static string ContractAddressOf(TransactionReceipt receipt, string contract)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Status?.Value != 1 || string.IsNullOrEmpty(receipt.ContractAddress))
        {
            throw new InvalidOperationException(
                $"The deployment of {contract} was mined but failed (transaction {receipt.TransactionHash}, status {receipt.Status?.Value}, gas used {receipt.GasUsed?.Value}).");
        }

        return receipt.ContractAddress;
    }

    private static string CheckAddress(string contractAddress)
    {
        if (string.IsNullOrEmpty(contractAddress) || !AddressUtil.Current.IsValidEthereumAddressHexFormat(contractAddress))
        {
            throw new ArgumentException($"A contract service needs a 0x-prefixed 20-byte hex address, not '{contractAddress}'.", nameof(contractAddress));
        }

        if (contractAddress.AsSpan(2).TrimStart('0').IsEmpty)
        {
            throw new ArgumentException("A contract service needs the contract's address, not the zero address.", nameof(contractAddress));
        }

        return contractAddress;
    }
}
