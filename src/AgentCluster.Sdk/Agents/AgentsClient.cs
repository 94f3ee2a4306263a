using System.Numerics;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.Signing;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using Registry = AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;

namespace AgentCluster.Sdk.Agents;

/// <summary>
/// Agent identities on the <c>AgentRegistry</c>: register with bond (ERC-20 <c>approve</c> of exactly bond + fee when the allowance is short:
/// <c>register</c> takes no permit), capabilities, attestations, exit and bond withdrawal, and typed reads. Every send checks the signer
/// first (<see cref="ReadOnlyClientException"/>), then the input, then what is cheap to check on-chain (<see cref="UnknownAgentException"/>,
/// <see cref="InsufficientAccException"/>); a contract revert arrives as <c>ContractCustomErrorException&lt;TError&gt;</c> of the registry's
/// error types (<c>AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition</c>) from the gas estimate, before anything is sent.
/// </summary>
public sealed class AgentsClient
{
    /// <summary>EIP-712 domain name of the registry.</summary>
    public const string DomainName = "AgentCluster AgentRegistry";

    /// <summary>EIP-712 domain version of the registry.</summary>
    public const string DomainVersion = "1";

    /// <summary>The longest block range <see cref="FindByOwnerAsync"/> reads in one <c>eth_getLogs</c>.</summary>
    public const ulong LogWindow = 10_000;

    private static readonly TimeSpan KeyBindingValidity = TimeSpan.FromHours(1);
    private readonly AgentClusterClient _client;

    internal AgentsClient(AgentClusterClient client) => _client = client;

    /// <summary>The agent id of an agent key: its address as an unsigned 160-bit number.</summary>
    /// <exception cref="ArgumentException">Not a 20-byte hex address.</exception>
    public static BigInteger AgentIdOf(string agentKeyAddress)
    {
        ArgumentNullException.ThrowIfNull(agentKeyAddress);
        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(agentKeyAddress))
        {
            throw new ArgumentException($"'{agentKeyAddress}' is not a 20-byte hex address.", nameof(agentKeyAddress));
        }

        return new BigInteger(agentKeyAddress.HexToByteArray(), isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The address of an agent id's key (checksummed).</summary>
    public static string AgentKeyOf(BigInteger agentId)
    {
        SdkCalls.ValidateAgentId(agentId);
        byte[] bytes = agentId.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] address = new byte[20];
        bytes.CopyTo(address, 20 - bytes.Length);
        return AddressUtil.Current.ConvertToChecksumAddress(address.ToHex());
    }

    /// <summary>Bond, registration fee and exit delay in force now.</summary>
    public async Task<RegistrationTerms> GetTermsAsync(CancellationToken cancellationToken = default)
    {
        var registry = _client.Contracts.Registry;
        BigInteger bond = await SdkCalls.ReadAsync(() => registry.BondQueryAsync(), cancellationToken).ConfigureAwait(false);
        BigInteger fee = await SdkCalls.ReadAsync(() => registry.RegistrationFeeQueryAsync(), cancellationToken).ConfigureAwait(false);
        BigInteger delay = await SdkCalls.ReadAsync(() => registry.ExitDelayQueryAsync(), cancellationToken).ConfigureAwait(false);
        return new RegistrationTerms(bond, fee, TimeSpan.FromSeconds((double)delay));
    }

    /// <summary>
    /// Registers <paramref name="agentKey"/> as an agent owned by the signer: the key signs the EIP-712 <c>AgentKeyBinding</c> to the
    /// signer (valid one hour of chain time), ACC for bond + fee is approved if the allowance is short, and <c>register</c> is sent.
    /// </summary>
    /// <param name="agentKey">The agent's own signing key (its address becomes the agent id).</param>
    /// <param name="agentUri">URI of the registration file (emitted, not stored); not empty.</param>
    /// <param name="capabilities">Bitmask of capability tags.</param>
    /// <param name="capabilityVectorHash">32-byte hash of the capability vector in the registration file.</param>
    /// <param name="cancellationToken">Cancels the waits (a transaction already sent stays sent).</param>
    /// <exception cref="ReadOnlyClientException">No signer.</exception>
    /// <exception cref="ArgumentException">Empty URI, a hash that is not 32 bytes, or a key that is already registered (or exited).</exception>
    /// <exception cref="InsufficientAccException">The signer holds less ACC than bond + fee.</exception>
    public async Task<AgentRegistration> RegisterAsync(Secp256k1Signer agentKey, string agentUri, ulong capabilities, byte[] capabilityVectorHash,
        CancellationToken cancellationToken = default)
    {
        string owner = _client.RequireSigner("Agents.RegisterAsync");
        ArgumentNullException.ThrowIfNull(agentKey);
        ArgumentNullException.ThrowIfNull(agentUri);
        ArgumentNullException.ThrowIfNull(capabilityVectorHash);
        if (string.IsNullOrWhiteSpace(agentUri))
        {
            throw new ArgumentException("agentUri must name the agent's registration file; it is empty.", nameof(agentUri));
        }

        if (capabilityVectorHash.Length != 32)
        {
            throw new ArgumentException($"capabilityVectorHash must be 32 bytes (a keccak-256 hash), not {capabilityVectorHash.Length}.", nameof(capabilityVectorHash));
        }

        BigInteger agentId = AgentIdOf(agentKey.Address);
        var registry = _client.Contracts.Registry;
        var status = (AgentStatus)await SdkCalls.ReadAsync(() => registry.StatusOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
        if (status != AgentStatus.None)
        {
            throw new ArgumentException($"The agent key {agentKey.Address} is already registered as agent {agentId} (status {status}); a key registers once, ever.",
                nameof(agentKey));
        }

        RegistrationTerms terms = await GetTermsAsync(cancellationToken).ConfigureAwait(false);
        BigInteger nonce = await SdkCalls.ReadAsync(() => registry.KeyNonceQueryAsync(agentKey.Address), cancellationToken).ConfigureAwait(false);
        ulong deadline = await SdkCalls.ChainTimeAsync(_client, cancellationToken).ConfigureAwait(false) + (ulong)KeyBindingValidity.TotalSeconds;
        // The key's consent, as the registry checks it (one definition of the typed data: Identity.AgentKeyBinding).
        var binding = new Identity.AgentKeyBinding { AgentKey = agentKey.Address, Owner = owner, Nonce = nonce, Deadline = deadline };
        byte[] signature = Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.HexToByteArray(
            Nethereum.Signer.EthECDSASignature.CreateStringSignature(agentKey.SignHash(binding.Digest(_client.ChainId, registry.ContractAddress))));

        TransactionReceipt? approval = await SdkCalls.EnsureAllowanceAsync(_client, owner, registry.ContractAddress, terms.Bond + terms.RegistrationFee,
            "Agents.RegisterAsync", cancellationToken).ConfigureAwait(false);
        var function = new Registry.RegisterFunction
        {
            AgentKey = agentKey.Address, AgentURI = agentUri, Capabilities = capabilities, CapabilityVectorHash = capabilityVectorHash,
            Deadline = deadline, KeySignature = signature,
        };
        TransactionReceipt receipt = await SdkCalls.SendAsync("Agents.RegisterAsync", ct => registry.RegisterRequestAndWaitForReceiptAsync(function, ct),
            cancellationToken).ConfigureAwait(false);
        Registry.AgentRegisteredEventDTO registered = SdkCalls.SingleEvent<Registry.AgentRegisteredEventDTO>(receipt)
            ?? throw new AgentClusterException($"register succeeded but emitted no AgentRegistered event (tx {receipt.TransactionHash}).");
        return new AgentRegistration(registered.AgentId, AddressUtil.Current.ConvertToChecksumAddress(registered.AgentKey),
            AddressUtil.Current.ConvertToChecksumAddress(registered.Owner), registered.Bond, registered.Fee, approval, receipt);
    }

    /// <summary>The agent as the registry stores it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a possible agent id.</exception>
    /// <exception cref="UnknownAgentException">Not registered.</exception>
    public async Task<AgentInfo> GetAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        var registry = _client.Contracts.Registry;
        AgentStatus status = await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        string owner = await SdkCalls.ReadAsync(() => registry.OwnerOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
        Registry.CapabilitiesOfOutputDTO caps = await SdkCalls.ReadAsync(() => registry.CapabilitiesOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
        BigInteger bond = await SdkCalls.ReadAsync(() => registry.BondOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
        AgentAttestation attestation = await GetAttestationAsync(agentId, cancellationToken).ConfigureAwait(false);
        BigInteger unlocks = await SdkCalls.ReadAsync(() => registry.ExitUnlocksAtQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
        return new AgentInfo(agentId, AgentKeyOf(agentId), AddressUtil.Current.ConvertToChecksumAddress(owner), status, caps.Capabilities,
            caps.CapabilityVectorHash, bond, attestation, SdkCalls.FromUnixOrNull(unlocks));
    }

    /// <summary>The agent's status now (<see cref="AgentStatus.None"/> for an unknown id: this read does not throw for it).</summary>
    public async Task<AgentStatus> GetStatusAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        return (AgentStatus)await SdkCalls.ReadAsync(() => _client.Contracts.Registry.StatusOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The agent's last attestation (all fields but the id zero before the first).</summary>
    public async Task<AgentAttestation> GetAttestationAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        SdkCalls.ValidateAgentId(agentId);
        Attestation a = (await SdkCalls.ReadAsync(() => _client.Contracts.Registry.AttestationOfQueryAsync(agentId), cancellationToken).ConfigureAwait(false))
            .ReturnValue1;
        return new AgentAttestation(a.AgentId, a.MeasurementHash, a.CpuCores, a.GpuMemoryMb, a.TokensPerSecond, a.ExpiresAt, a.Nonce);
    }

    /// <summary>True when <paramref name="address"/> is an attestor the registry accepts.</summary>
    public async Task<bool> IsAttestorAsync(string address, CancellationToken cancellationToken = default)
    {
        RequireAddress(address, nameof(address));
        return await SdkCalls.ReadAsync(() => _client.Contracts.Registry.IsAttestorQueryAsync(address), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The attestor's part, done locally: signs <paramref name="attestation"/> as EIP-712 <c>Attestation</c> of this deployment's
    /// registry domain (name <see cref="DomainName"/>, version <see cref="DomainVersion"/>, the chain id, the registry address). The
    /// 65-byte signature (r, s, v = 27/28) goes to <see cref="SubmitAttestationAsync"/>.
    /// </summary>
    public byte[] SignAttestation(AgentAttestation attestation, Secp256k1Signer attestor)
    {
        ValidateAttestation(attestation);
        ArgumentNullException.ThrowIfNull(attestor);
        return SignTyped(attestor, ToStruct(attestation), "Attestation", typeof(Attestation));
    }

    /// <summary>
    /// The attestor's part with this client's own signer (a local key, or an external signer such as a KMS through Nethereum's
    /// <see cref="IEthExternalSigner"/>): the same EIP-712 <c>Attestation</c> as <see cref="SignAttestation"/>, checked to recover to the
    /// client's address before it is returned. A keeper that is an approved attestor signs with this.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed attestation.</exception>
    /// <exception cref="ReadOnlyClientException">The client has no signer.</exception>
    /// <exception cref="InvalidOperationException">The signer cannot sign typed data, or its signature recovers to another address.</exception>
    public async Task<byte[]> SignAttestationAsync(AgentAttestation attestation, CancellationToken cancellationToken = default)
    {
        string attestor = _client.RequireSigner("Signing an attestation");
        ValidateAttestation(attestation);
        var typedData = new TypedData<Domain>
        {
            Domain = new Domain
            {
                Name = DomainName, Version = DomainVersion, ChainId = _client.ChainId, VerifyingContract = _client.Contracts.Registry.ContractAddress,
            },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(Attestation)),
            PrimaryType = "Attestation",
        };
        return await Identity.ClientTypedDataSigner.SignAsync(_client, typedData, ToStruct(attestation), attestor, "an attestation", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits an attestor-signed attestation (anyone may submit one): the agent becomes Active until <see cref="AgentAttestation.ExpiresAt"/>,
    /// and its compute reputation is set from the benchmark.
    /// </summary>
    /// <exception cref="ArgumentException">Malformed attestation or signature, or an expiry that is not in the future.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<TransactionReceipt> SubmitAttestationAsync(AgentAttestation attestation, byte[] signature, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Agents.SubmitAttestationAsync");
        ValidateAttestation(attestation);
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length != 65)
        {
            throw new ArgumentException($"An attestor's signature is 65 bytes (r, s, v), not {signature.Length}.", nameof(signature));
        }

        await SdkCalls.RequireRegisteredAsync(_client, attestation.AgentId, cancellationToken).ConfigureAwait(false);
        ulong now = await SdkCalls.ChainTimeAsync(_client, cancellationToken).ConfigureAwait(false);
        if (attestation.ExpiresAt <= now)
        {
            throw new ArgumentException($"The attestation expires at {attestation.ExpiresAt}, not after the chain's time {now}.", nameof(attestation));
        }

        Attestation value = ToStruct(attestation);
        return await SdkCalls.SendAsync("Agents.SubmitAttestationAsync",
            ct => _client.Contracts.Registry.AttestRequestAndWaitForReceiptAsync(value, signature, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the agent's advertised capabilities (owner only).</summary>
    /// <exception cref="ArgumentException">A hash that is not 32 bytes.</exception>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<TransactionReceipt> SetCapabilitiesAsync(BigInteger agentId, ulong capabilities, byte[] capabilityVectorHash,
        CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Agents.SetCapabilitiesAsync");
        SdkCalls.ValidateAgentId(agentId);
        ArgumentNullException.ThrowIfNull(capabilityVectorHash);
        if (capabilityVectorHash.Length != 32)
        {
            throw new ArgumentException($"capabilityVectorHash must be 32 bytes (a keccak-256 hash), not {capabilityVectorHash.Length}.", nameof(capabilityVectorHash));
        }

        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        return await SdkCalls.SendAsync("Agents.SetCapabilitiesAsync",
            ct => _client.Contracts.Registry.SetCapabilitiesRequestAndWaitForReceiptAsync(agentId, capabilities, capabilityVectorHash, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the network (owner only; final: an exited key never registers again); the bond unlocks after the exit delay.</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<AgentExit> RequestExitAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Agents.RequestExitAsync");
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await SdkCalls.SendAsync("Agents.RequestExitAsync",
            ct => _client.Contracts.Registry.RequestExitRequestAndWaitForReceiptAsync(agentId, ct), cancellationToken).ConfigureAwait(false);
        Registry.ExitRequestedEventDTO exit = SdkCalls.SingleEvent<Registry.ExitRequestedEventDTO>(receipt)
            ?? throw new AgentClusterException($"requestExit succeeded but emitted no ExitRequested event (tx {receipt.TransactionHash}).");
        return new AgentExit(agentId, SdkCalls.FromUnix(exit.BondUnlocksAt), receipt);
    }

    /// <summary>Returns an exited agent's bond to its owner once unlocked (anyone may send it; the owner receives it).</summary>
    /// <exception cref="UnknownAgentException">The agent is not registered.</exception>
    public async Task<BondWithdrawal> WithdrawBondAsync(BigInteger agentId, CancellationToken cancellationToken = default)
    {
        _client.RequireSigner("Agents.WithdrawBondAsync");
        SdkCalls.ValidateAgentId(agentId);
        await SdkCalls.RequireRegisteredAsync(_client, agentId, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt = await SdkCalls.SendAsync("Agents.WithdrawBondAsync",
            ct => _client.Contracts.Registry.WithdrawBondRequestAndWaitForReceiptAsync(agentId, ct), cancellationToken).ConfigureAwait(false);
        Registry.BondWithdrawnEventDTO paid = SdkCalls.SingleEvent<Registry.BondWithdrawnEventDTO>(receipt)
            ?? throw new AgentClusterException($"withdrawBond succeeded but emitted no BondWithdrawn event (tx {receipt.TransactionHash}).");
        return new BondWithdrawal(agentId, AddressUtil.Current.ConvertToChecksumAddress(paid.To), paid.Amount, receipt);
    }

    /// <summary>
    /// The ids of the agents <paramref name="owner"/> registered, from the registry's <c>AgentRegistered</c> logs (the owner is an indexed
    /// topic; the registry keeps no per-owner list). Reads blocks <paramref name="fromBlock"/> (default: the deployment's block) to the
    /// latest in windows of <see cref="LogWindow"/> blocks, and refuses a range longer than <paramref name="maxBlocks"/>: pass a later
    /// <paramref name="fromBlock"/> on a long chain. Ownership never moves, so every id found is still the owner's (exited ones included).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range to read is longer than <paramref name="maxBlocks"/>, or <paramref name="fromBlock"/> is past the head.</exception>
    public async Task<IReadOnlyList<BigInteger>> FindByOwnerAsync(string owner, ulong? fromBlock = null, ulong maxBlocks = 1_000_000,
        CancellationToken cancellationToken = default)
    {
        RequireAddress(owner, nameof(owner));
        ArgumentOutOfRangeException.ThrowIfZero(maxBlocks);
        ulong from = fromBlock ?? _client.Manifest.Block;
        HexBigInteger head = await SdkCalls.ReadAsync(() => _client.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync(), cancellationToken).ConfigureAwait(false);
        ulong to = (ulong)head.Value;
        if (from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(fromBlock), from, $"fromBlock {from} is past the chain's head {to}.");
        }

        if (to - from + 1 > maxBlocks)
        {
            throw new ArgumentOutOfRangeException(nameof(fromBlock), from,
                $"Reading blocks {from}..{to} is {to - from + 1} blocks, more than maxBlocks {maxBlocks}: pass a later fromBlock or a larger maxBlocks.");
        }

        Event<Registry.AgentRegisteredEventDTO> registered = _client.Web3.Eth.GetEvent<Registry.AgentRegisteredEventDTO>(_client.Contracts.Registry.ContractAddress);
        var ids = new List<BigInteger>();
        for (ulong start = from; start <= to; start += LogWindow)
        {
            ulong end = Math.Min(to, start + LogWindow - 1);
            NewFilterInput filter = registered.CreateFilterInput(null!, new object[] { owner },
                new BlockParameter(new HexBigInteger(start)), new BlockParameter(new HexBigInteger(end)));
            List<EventLog<Registry.AgentRegisteredEventDTO>> logs = await SdkCalls.ReadAsync(() => registered.GetAllChangesAsync(filter), cancellationToken)
                .ConfigureAwait(false);
            ids.AddRange(logs.Select(l => l.Event.AgentId));
        }

        return ids;
    }

    private byte[] SignTyped<TMessage>(Secp256k1Signer signer, TMessage message, string primaryType, Type messageType)
    {
        var typedData = new TypedData<Domain>
        {
            Domain = new Domain
            {
                Name = DomainName, Version = DomainVersion, ChainId = _client.ChainId, VerifyingContract = _client.Contracts.Registry.ContractAddress,
            },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), messageType),
            PrimaryType = primaryType,
        };
        typedData.SetMessage(message);
        byte[] digest = Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(typedData);
        return EthECDSASignature.CreateStringSignature(signer.SignHash(digest)).HexToByteArray();
    }

    private static Attestation ToStruct(AgentAttestation a) => new()
    {
        AgentId = a.AgentId, MeasurementHash = a.MeasurementHash, CpuCores = a.CpuCores, GpuMemoryMb = a.GpuMemoryMb, TokensPerSecond = a.TokensPerSecond,
        ExpiresAt = a.ExpiresAt, Nonce = a.Nonce,
    };

    private static void ValidateAttestation(AgentAttestation attestation)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        SdkCalls.ValidateAgentId(attestation.AgentId, "attestation.AgentId");
        if (attestation.MeasurementHash is not { Length: 32 })
        {
            throw new ArgumentException($"attestation.MeasurementHash must be 32 bytes, not {attestation.MeasurementHash?.Length ?? 0}.", nameof(attestation));
        }

        if (attestation.Nonce == 0)
        {
            throw new ArgumentException("attestation.Nonce must be above the agent's last attestation nonce, so at least 1.", nameof(attestation));
        }
    }

    private static void RequireAddress(string address, string paramName)
    {
        ArgumentNullException.ThrowIfNull(address, paramName);
        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(address))
        {
            throw new ArgumentException($"'{address}' is not a 20-byte hex address.", paramName);
        }
    }
}
