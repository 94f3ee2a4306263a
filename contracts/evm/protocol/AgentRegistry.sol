// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IAgentRegistry} from "../interfaces/IAgentRegistry.sol";
import {IReputation} from "../interfaces/IReputation.sol";

/// @title Agent identities, bonds and attestations
/// @notice An agent is its signing key: `agentId = uint256(uint160(agentKey))`. The registering account owns it,
///         after the key has signed an EIP-712 binding to that owner. A bond is held until exit; the registration
///         fee is burned. Governance-approved attestors vouch for the agent's enclave and benchmark, which keeps it
///         Active until the attestation expires.
/// @dev Owned by the timelock. The agent URI is emitted, never stored (docs/evm-protocol.md, "Identity").
contract AgentRegistry is IAgentRegistry, EIP712, NonRenounceableOwnable2Step {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of the key's consent to be owned by `owner`.
    bytes32 public constant AGENT_KEY_BINDING_TYPEHASH =
        keccak256("AgentKeyBinding(address agentKey,address owner,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type of an attestor's statement.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 agentId,bytes32 measurementHash,uint32 cpuCores,uint32 gpuMemoryMb,uint32 tokensPerSecond,uint64 expiresAt,uint64 nonce)"
    );
    /// @notice An attestation may be valid for at most this long after it is submitted.
    uint256 public constant MAX_ATTESTATION_VALIDITY = 30 days;
    /// @notice Upper bound on the exit delay governance may set.
    uint256 public constant MAX_EXIT_DELAY = 365 days;
    /// @notice Initial bond, registration fee and exit delay (docs/evm-protocol.md).
    uint96 public constant DEFAULT_BOND = 10_000e18;
    uint96 public constant DEFAULT_REGISTRATION_FEE = 100e18;
    uint40 public constant DEFAULT_EXIT_DELAY = 30 days;
    /// @notice Compute reputation saturates at this many points (each point is 1e18).
    uint256 public constant MAX_COMPUTE_POINTS = 1_000;

    /// @dev Four slots per agent, laid out so that `register` writes two fresh slots (0 and 2), `attest` writes
    ///      slots 1 and 3 (and 0 only when the status changes), and `statusOf` / `isEligible` read slots 0 and 1.
    ///      The bond is not stored per agent: the agent keeps a 24-bit index into the list of every bond value
    ///      governance has set (`_bondValues`), which is exactly "the bond in force at registration".
    struct Agent {
        // slot 0: written once at registration
        address owner;
        uint64 capabilities;
        AgentStatus status; // only Pending, Active or Exited are stored; Suspended is Active past attestedUntil
        uint24 bondIndex; // 1 + index into _bondValues; 0 once the bond is withdrawn
        // slot 1: the last attestation, and the exit
        uint40 attestedUntil;
        uint40 exitUnlocksAt;
        uint64 attestationNonce;
        uint32 cpuCores;
        uint32 gpuMemoryMb;
        uint32 tokensPerSecond;
        // slot 2
        bytes32 capabilityVectorHash;
        // slot 3
        bytes32 measurementHash;
    }

    /// @dev The registration terms, one slot so that `register` reads them with one SLOAD.
    struct Terms {
        uint96 bond;
        uint24 bondIndex; // 1 + index of `bond` in _bondValues
        uint96 fee;
        uint40 exitDelay;
    }

    /// @notice The ACC token bonds and fees are paid in.
    IERC20 public immutable token;
    /// @notice Where compute reputation is written on each attestation; address(0) disables the write.
    IReputation public immutable reputation;

    /// @notice Accounts whose signed attestations are accepted.
    mapping(address attestor => bool) public isAttestor;

    /// @inheritdoc IAgentRegistry
    uint256 public feesToBurn;

    Terms private _terms;
    uint256[] private _bondValues;
    mapping(uint256 agentId => Agent) private _agents;

    /// @param initialAttestors approved at deployment (later changes go through governance)
    constructor(IERC20 token_, address governance, IReputation reputation_, address[] memory initialAttestors)
        EIP712("AgentCluster AgentRegistry", "1")
        Ownable(governance)
    {
        if (address(token_) == address(0)) {
            revert ParameterOutOfRange("token", 0);
        }
        token = token_;
        reputation = reputation_;
        _bondValues.push(DEFAULT_BOND);
        _terms = Terms({bond: DEFAULT_BOND, bondIndex: 1, fee: DEFAULT_REGISTRATION_FEE, exitDelay: DEFAULT_EXIT_DELAY});
        emit BondSet(0, DEFAULT_BOND);
        emit RegistrationFeeSet(0, DEFAULT_REGISTRATION_FEE);
        emit ExitDelaySet(0, DEFAULT_EXIT_DELAY);
        for (uint256 i; i < initialAttestors.length; ++i) {
            _setAttestor(initialAttestors[i], true);
        }
    }

    // ------------------------------------------------------------------ agent-facing

    /// @inheritdoc IAgentRegistry
    /// @dev Bond and fee arrive in one `transferFrom`; the fee joins `feesToBurn`, burned in batches by `burnFees`
    ///      (a burn per registration would cost each agent a supply checkpoint). The nonce signed is `keyNonce(agentKey)`,
    ///      which is 0 for every key that can still register.
    function register(
        address agentKey,
        string calldata agentURI,
        uint64 capabilities,
        bytes32 capabilityVectorHash,
        uint256 deadline,
        bytes calldata keySignature
    ) external returns (uint256 agentId) {
        agentId = _verifyKeyBinding(agentKey, deadline, keySignature);
        (uint256 bondAmount, uint256 fee) = _enroll(agentId, capabilities, capabilityVectorHash);
        emit AgentRegistered(agentId, msg.sender, agentKey, agentURI, bondAmount, fee);
        emit CapabilitiesSet(agentId, capabilities, capabilityVectorHash);

        if (fee != 0) feesToBurn += fee;
        token.safeTransferFrom(msg.sender, address(this), bondAmount + fee);
    }

    /// @inheritdoc IAgentRegistry
    function burnFees() external returns (uint256 amount) {
        amount = feesToBurn;
        if (amount == 0) return 0;
        feesToBurn = 0;
        emit FeesBurned(amount);
        ERC20Burnable(address(token)).burn(amount);
    }

    /// @inheritdoc IAgentRegistry
    function setAgentURI(uint256 agentId, string calldata agentURI) external {
        _requireLiveOwner(agentId);
        emit AgentURISet(agentId, agentURI);
    }

    /// @inheritdoc IAgentRegistry
    function setCapabilities(uint256 agentId, uint64 capabilities, bytes32 capabilityVectorHash) external {
        Agent storage agent = _requireLiveOwner(agentId);
        agent.capabilities = capabilities;
        agent.capabilityVectorHash = capabilityVectorHash;
        emit CapabilitiesSet(agentId, capabilities, capabilityVectorHash);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Checks: expiry in (now, now + MAX_ATTESTATION_VALIDITY], agent registered and not exited, nonce above the
    ///      last one, signer an approved attestor. When `reputation` is set, the agent's compute reputation becomes
    ///      `computeScore` of the benchmark (the registry must be a Compute writer there).
    function attest(Attestation calldata attestation, bytes calldata signature) external {
        (Agent storage agent, address signer) = _verifyAttestation(attestation, signature);
        agent.status = AgentStatus.Active;
        agent.attestedUntil = uint40(attestation.expiresAt); // at most now + 30 days
        agent.measurementHash = attestation.measurementHash;
        agent.cpuCores = attestation.cpuCores;
        agent.gpuMemoryMb = attestation.gpuMemoryMb;
        agent.tokensPerSecond = attestation.tokensPerSecond;
        agent.attestationNonce = attestation.nonce;
        _emitAttested(signer, attestation);

        if (address(reputation) != address(0)) {
            reputation.set(
                attestation.agentId,
                IReputation.Dimension.Compute,
                computeScore(attestation.cpuCores, attestation.gpuMemoryMb, attestation.tokensPerSecond)
            );
        }
    }

    /// @inheritdoc IAgentRegistry
    /// @dev The exit delay in force now applies. An exited agent can never register or be attested again.
    function requestExit(uint256 agentId) external {
        Agent storage agent = _requireLiveOwner(agentId);
        uint256 unlocksAt = block.timestamp + _terms.exitDelay;
        agent.status = AgentStatus.Exited;
        agent.exitUnlocksAt = uint40(unlocksAt);
        emit ExitRequested(agentId, unlocksAt);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Anyone may call; the bond always goes to the agent's owner. `BondLocked` carries `unlocksAt = 0` when no
    ///      exit was requested.
    function withdrawBond(uint256 agentId) external returns (uint256 amount) {
        Agent storage agent = _agents[agentId];
        address agentOwner = agent.owner;
        if (agentOwner == address(0)) revert AgentNotRegistered(agentId);
        if (agent.status != AgentStatus.Exited) revert BondLocked(agentId, 0);
        uint256 unlocksAt = agent.exitUnlocksAt;
        if (block.timestamp < unlocksAt) revert BondLocked(agentId, unlocksAt);
        uint256 bondIndex = agent.bondIndex;
        amount = bondIndex == 0 ? 0 : _bondValues[bondIndex - 1];
        if (amount == 0) revert NothingToWithdraw(agentId);

        agent.bondIndex = 0;
        emit BondWithdrawn(agentId, agentOwner, amount);
        token.safeTransfer(agentOwner, amount);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IAgentRegistry
    function statusOf(uint256 agentId) external view returns (AgentStatus) {
        Agent storage agent = _agents[agentId];
        return _status(agent.status, agent.attestedUntil);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Reverts with `AgentNotRegistered` for an unknown id, like ERC-721 `ownerOf`. Exited agents keep their owner.
    function ownerOf(uint256 agentId) external view returns (address agentOwner) {
        agentOwner = _agents[agentId].owner;
        if (agentOwner == address(0)) revert AgentNotRegistered(agentId);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Reverts with `AgentNotRegistered` for an unknown id.
    function getAgentWallet(uint256 agentId) external view returns (address) {
        if (_agents[agentId].owner == address(0)) revert AgentNotRegistered(agentId);
        return address(uint160(agentId));
    }

    /// @inheritdoc IAgentRegistry
    function capabilitiesOf(uint256 agentId) external view returns (uint64 capabilities, bytes32 capabilityVectorHash) {
        Agent storage agent = _agents[agentId];
        return (agent.capabilities, agent.capabilityVectorHash);
    }

    /// @inheritdoc IAgentRegistry
    function isEligible(uint256 agentId, uint64 requiredCapabilities) external view returns (bool) {
        Agent storage agent = _agents[agentId];
        return _status(agent.status, agent.attestedUntil) == AgentStatus.Active
            && agent.capabilities & requiredCapabilities == requiredCapabilities;
    }

    /// @inheritdoc IAgentRegistry
    /// @dev One read of the agent's first two slots for the task market's checks.
    function eligibleOwnerOf(uint256 agentId, uint64 requiredCapabilities)
        external
        view
        returns (address agentOwner, bool eligible)
    {
        Agent storage agent = _agents[agentId];
        agentOwner = agent.owner;
        if (agentOwner == address(0)) revert AgentNotRegistered(agentId);
        eligible = _status(agent.status, agent.attestedUntil) == AgentStatus.Active
            && agent.capabilities & requiredCapabilities == requiredCapabilities;
    }

    /// @inheritdoc IAgentRegistry
    /// @dev All fields but `agentId` are zero before the first attestation.
    function attestationOf(uint256 agentId) external view returns (Attestation memory) {
        Agent storage agent = _agents[agentId];
        return Attestation({
            agentId: agentId,
            measurementHash: agent.measurementHash,
            cpuCores: agent.cpuCores,
            gpuMemoryMb: agent.gpuMemoryMb,
            tokensPerSecond: agent.tokensPerSecond,
            expiresAt: agent.attestedUntil,
            nonce: agent.attestationNonce
        });
    }

    /// @inheritdoc IAgentRegistry
    /// @dev The bond paid at registration, until it is withdrawn.
    function bondOf(uint256 agentId) external view returns (uint256) {
        uint256 bondIndex = _agents[agentId].bondIndex;
        return bondIndex == 0 ? 0 : _bondValues[bondIndex - 1];
    }

    /// @inheritdoc IAgentRegistry
    /// @dev A key binds once, ever (an exited agent's key cannot register again), so its nonce is 1 once registered
    ///      and 0 before; the nonce is derived from the record rather than stored.
    function keyNonce(address agentKey) external view returns (uint256) {
        return _agents[uint256(uint160(agentKey))].owner == address(0) ? 0 : 1;
    }

    /// @notice Bond pulled from new registrations.
    function bond() external view returns (uint256) {
        return _terms.bond;
    }

    /// @notice Fee pulled from new registrations and burned.
    function registrationFee() external view returns (uint256) {
        return _terms.fee;
    }

    /// @notice Time between `requestExit` and the bond becoming withdrawable.
    function exitDelay() external view returns (uint256) {
        return _terms.exitDelay;
    }

    /// @notice When an exited agent's bond unlocks (0 before `requestExit`).
    function exitUnlocksAt(uint256 agentId) external view returns (uint256) {
        return _agents[agentId].exitUnlocksAt;
    }

    /// @notice The EIP-712 domain separator (name "AgentCluster AgentRegistry", version "1", this chain, this contract).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The digest `agentKey` signs to bind itself to `agentOwner` (SDK helper).
    function agentKeyBindingDigest(address agentKey, address agentOwner, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return
            _hashTypedDataV4(keccak256(abi.encode(AGENT_KEY_BINDING_TYPEHASH, agentKey, agentOwner, nonce, deadline)));
    }

    /// @notice The digest an attestor signs (SDK helper).
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, attestation)));
    }

    /// @notice Compute reputation (18 decimals) for a benchmark:
    ///         `min(cpuCores + 4 x whole GiB of GPU memory + tokensPerSecond / 10, MAX_COMPUTE_POINTS) x 1e18`.
    /// @dev Deliberately simple and monotone in every figure; the attestor has already checked the benchmark.
    function computeScore(uint32 cpuCores, uint32 gpuMemoryMb, uint32 tokensPerSecond) public pure returns (uint256) {
        uint256 points = uint256(cpuCores) + (uint256(gpuMemoryMb) / 1024) * 4 + uint256(tokensPerSecond) / 10;
        if (points > MAX_COMPUTE_POINTS) points = MAX_COMPUTE_POINTS;
        return points * 1e18;
    }

    // ------------------------------------------------------------------ governance (the timelock)

    /// @inheritdoc IAgentRegistry
    function setAttestor(address attestor, bool approved) external onlyOwner {
        _setAttestor(attestor, approved);
    }

    function _setAttestor(address attestor, bool approved) private {
        if (attestor == address(0)) revert ParameterOutOfRange("attestor", 0);
        isAttestor[attestor] = approved;
        emit AttestorSet(attestor, approved);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Applies to agents registering from now on; at most 2^96 - 1. Appends to the list of bond values.
    function setBond(uint256 newBond) external onlyOwner {
        uint256 count = _bondValues.length;
        if (newBond > type(uint96).max || count == type(uint24).max) revert ParameterOutOfRange("bond", newBond);
        emit BondSet(_terms.bond, newBond);
        _bondValues.push(newBond);
        _terms.bond = uint96(newBond);
        _terms.bondIndex = uint24(count + 1);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev At most 2^96 - 1.
    function setRegistrationFee(uint256 newFee) external onlyOwner {
        if (newFee > type(uint96).max) revert ParameterOutOfRange("registrationFee", newFee);
        emit RegistrationFeeSet(_terms.fee, newFee);
        _terms.fee = uint96(newFee);
    }

    /// @inheritdoc IAgentRegistry
    /// @dev Applies to exits requested from now on; at most MAX_EXIT_DELAY.
    function setExitDelay(uint256 newDelay) external onlyOwner {
        if (newDelay > MAX_EXIT_DELAY) revert ParameterOutOfRange("exitDelay", newDelay);
        emit ExitDelaySet(_terms.exitDelay, newDelay);
        _terms.exitDelay = uint40(newDelay);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Checks that `agentKey` is new and signed a binding to the caller with its current nonce and a live deadline.
    function _verifyKeyBinding(address agentKey, uint256 deadline, bytes calldata keySignature)
        private
        view
        returns (uint256 agentId)
    {
        if (agentKey == address(0)) revert ZeroAgentKey();
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        agentId = uint256(uint160(agentKey));
        if (_agents[agentId].owner != address(0)) revert AgentAlreadyRegistered(agentId);

        // An unregistered key's nonce is 0 (see `keyNonce`).
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(AGENT_KEY_BINDING_TYPEHASH, agentKey, msg.sender, uint256(0), deadline))
        );
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, keySignature);
        if (err != ECDSA.RecoverError.NoError || recovered != agentKey) {
            revert InvalidKeySignature(agentKey, recovered);
        }
    }

    /// @dev Writes a new agent owned by the caller (slot 0, and slot 2 unless the vector hash is zero). Registering
    ///      consumes the key's only binding nonce: `keyNonce` is 1 from now on.
    function _enroll(uint256 agentId, uint64 capabilities, bytes32 capabilityVectorHash)
        private
        returns (uint256 bondAmount, uint256 fee)
    {
        Terms memory terms = _terms;
        Agent storage agent = _agents[agentId];
        agent.owner = msg.sender;
        agent.capabilities = capabilities;
        agent.status = AgentStatus.Pending;
        agent.bondIndex = terms.bondIndex;
        if (capabilityVectorHash != bytes32(0)) agent.capabilityVectorHash = capabilityVectorHash;
        return (terms.bond, terms.fee);
    }

    /// @dev Checks expiry, the agent, the nonce and the attestor's signature; returns the agent and the signer.
    function _verifyAttestation(Attestation calldata attestation, bytes calldata signature)
        private
        view
        returns (Agent storage agent, address signer)
    {
        uint64 expiresAt = attestation.expiresAt;
        if (expiresAt <= block.timestamp) revert AttestationAlreadyExpired(expiresAt, block.timestamp);
        uint256 maxExpiresAt = block.timestamp + MAX_ATTESTATION_VALIDITY;
        if (expiresAt > maxExpiresAt) revert AttestationTooLong(expiresAt, maxExpiresAt);

        uint256 agentId = attestation.agentId;
        agent = _agents[agentId];
        if (agent.owner == address(0)) revert AgentNotRegistered(agentId);
        if (agent.status == AgentStatus.Exited) revert AgentHasExited(agentId);
        uint64 lastNonce = agent.attestationNonce;
        if (attestation.nonce <= lastNonce) revert StaleAttestation(attestation.nonce, lastNonce);

        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, attestation)));
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || !isAttestor[signer]) revert UnknownAttestor(signer);
    }

    function _emitAttested(address signer, Attestation calldata attestation) private {
        emit Attested(
            attestation.agentId,
            signer,
            attestation.measurementHash,
            attestation.cpuCores,
            attestation.gpuMemoryMb,
            attestation.tokensPerSecond,
            attestation.expiresAt,
            attestation.nonce
        );
    }

    function _requireLiveOwner(uint256 agentId) private view returns (Agent storage agent) {
        agent = _agents[agentId];
        address agentOwner = agent.owner;
        if (agentOwner == address(0)) revert AgentNotRegistered(agentId);
        if (agentOwner != msg.sender) revert NotAgentOwner(agentId, msg.sender);
        if (agent.status == AgentStatus.Exited) revert AgentHasExited(agentId);
    }

    function _status(AgentStatus stored, uint40 attestedUntil) private view returns (AgentStatus) {
        if (stored == AgentStatus.Active && block.timestamp >= attestedUntil) return AgentStatus.Suspended;
        return stored;
    }
}
