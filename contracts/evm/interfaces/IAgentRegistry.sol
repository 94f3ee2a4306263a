// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Agent identities, bonds and attestations
/// @notice An agent id is derived from the agent's signing key: `agentId = uint256(uint160(agentKey))`.
///         Shaped after ERC-8004's identity registry (`ownerOf`, `getAgentWallet`, a registration-file URI);
///         docs/evm-protocol.md says where it differs.
interface IAgentRegistry {
    /// @notice Lifecycle of an agent. `Suspended` is never stored: it is `Active` past its attestation expiry.
    enum AgentStatus {
        None,
        Pending, // registered, bonded, not yet attested
        Active, // attested and the attestation has not expired
        Suspended, // the attestation expired; re-attesting makes it Active again
        Exited // left the network; the bond is returned after the exit delay
    }

    /// @notice A TEE attestation and compute benchmark, verified off-chain and signed by an approved attestor.
    struct Attestation {
        uint256 agentId;
        bytes32 measurementHash; // hash of the enclave / TD measurement that was verified
        uint32 cpuCores;
        uint32 gpuMemoryMb;
        uint32 tokensPerSecond; // LLM inference benchmark
        uint64 expiresAt; // unix seconds
        uint64 nonce; // strictly greater than the agent's last attestation nonce
    }

    event AgentRegistered(
        uint256 indexed agentId, address indexed owner, address agentKey, string agentURI, uint256 bond, uint256 fee
    );
    event AgentURISet(uint256 indexed agentId, string agentURI);
    event CapabilitiesSet(uint256 indexed agentId, uint64 capabilities, bytes32 capabilityVectorHash);
    event Attested(
        uint256 indexed agentId,
        address indexed attestor,
        bytes32 measurementHash,
        uint32 cpuCores,
        uint32 gpuMemoryMb,
        uint32 tokensPerSecond,
        uint64 expiresAt,
        uint64 nonce
    );
    event ExitRequested(uint256 indexed agentId, uint256 bondUnlocksAt);
    event BondWithdrawn(uint256 indexed agentId, address indexed to, uint256 amount);
    event AttestorSet(address indexed attestor, bool approved);
    event FeesBurned(uint256 amount);
    event BondSet(uint256 previousBond, uint256 newBond);
    event RegistrationFeeSet(uint256 previousFee, uint256 newFee);
    event ExitDelaySet(uint256 previousDelay, uint256 newDelay);

    error AgentAlreadyRegistered(uint256 agentId);
    error AgentNotRegistered(uint256 agentId);
    error NotAgentOwner(uint256 agentId, address caller);
    error ZeroAgentKey();
    error SignatureExpired(uint256 deadline, uint256 nowTimestamp);
    error InvalidKeySignature(address agentKey, address recovered);
    error UnknownAttestor(address signer);
    error AttestationAlreadyExpired(uint64 expiresAt, uint256 nowTimestamp);
    error AttestationTooLong(uint64 expiresAt, uint256 maxExpiresAt);
    error StaleAttestation(uint64 nonce, uint64 lastNonce);
    error AgentHasExited(uint256 agentId);
    error BondLocked(uint256 agentId, uint256 unlocksAt);
    error NothingToWithdraw(uint256 agentId);
    error ParameterOutOfRange(string parameter, uint256 value);

    // ------------------------------------------------------------------ agent-facing

    /// @notice Register `agentKey` as an agent owned by the caller, pulling bond + fee (approve first).
    /// @param keySignature EIP-712 `AgentKeyBinding(address agentKey,address owner,uint256 nonce,uint256 deadline)`
    ///        signed by `agentKey`, proving the owner controls it.
    function register(
        address agentKey,
        string calldata agentURI,
        uint64 capabilities,
        bytes32 capabilityVectorHash,
        uint256 deadline,
        bytes calldata keySignature
    ) external returns (uint256 agentId);

    /// @notice Burn the registration fees collected so far; anyone may call. Returns the amount (0 does nothing).
    function burnFees() external returns (uint256 amount);

    /// @notice Registration fees collected and not yet burned.
    function feesToBurn() external view returns (uint256);

    /// @notice Set the registration file URI. Owner only.
    function setAgentURI(uint256 agentId, string calldata agentURI) external;

    /// @notice Advertise capabilities: a bitmask of governance-named tags and the hash of the capability vector.
    function setCapabilities(uint256 agentId, uint64 capabilities, bytes32 capabilityVectorHash) external;

    /// @notice Submit an attestor-signed attestation (anyone may submit it). Makes the agent Active.
    function attest(Attestation calldata attestation, bytes calldata signature) external;

    /// @notice Leave the network; the bond unlocks after the exit delay. Owner only.
    function requestExit(uint256 agentId) external;

    /// @notice Return the bond to the owner once unlocked.
    function withdrawBond(uint256 agentId) external returns (uint256 amount);

    // ------------------------------------------------------------------ reads

    function statusOf(uint256 agentId) external view returns (AgentStatus);
    /// @notice ERC-8004: the account that controls the agent.
    function ownerOf(uint256 agentId) external view returns (address);
    /// @notice ERC-8004: the agent's own wallet (its signing key).
    function getAgentWallet(uint256 agentId) external view returns (address);
    function capabilitiesOf(uint256 agentId) external view returns (uint64 capabilities, bytes32 capabilityVectorHash);
    /// @notice Active (attested, unexpired) and advertising every bit of `requiredCapabilities`.
    function isEligible(uint256 agentId, uint64 requiredCapabilities) external view returns (bool);
    /// @notice `ownerOf` and `isEligible` in one call (reverts with `AgentNotRegistered` for an unknown id).
    function eligibleOwnerOf(uint256 agentId, uint64 requiredCapabilities)
        external
        view
        returns (address agentOwner, bool eligible);
    function attestationOf(uint256 agentId) external view returns (Attestation memory);
    function bondOf(uint256 agentId) external view returns (uint256);
    function keyNonce(address agentKey) external view returns (uint256);

    // ------------------------------------------------------------------ governance (the timelock)

    function setAttestor(address attestor, bool approved) external;
    function setBond(uint256 newBond) external;
    function setRegistrationFee(uint256 newFee) external;
    function setExitDelay(uint256 newDelay) external;
}
