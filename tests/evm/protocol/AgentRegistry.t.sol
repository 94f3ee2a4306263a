// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RegistryStakingFixture} from "./RegistryStakingFixture.sol";
import {AgentRegistry} from "../../../contracts/evm/protocol/AgentRegistry.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";

/// @dev Records the last `set` call; every other IReputation function is unused by the registry.
contract ReputationRecorder {
    uint256 public calls;
    uint256 public lastAgentId;
    IReputation.Dimension public lastDimension;
    uint256 public lastValue;

    function set(uint256 agentId, IReputation.Dimension dimension, uint256 value) external {
        ++calls;
        lastAgentId = agentId;
        lastDimension = dimension;
        lastValue = value;
    }
}

contract AgentRegistryTest is RegistryStakingFixture {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    TestAgent internal alice;
    address internal stranger = makeAddr("stranger");

    function setUp() public override {
        super.setUp();
        alice = _newAgent("alice");
    }

    // ------------------------------------------------------------------ deployment

    function test_Constructor_SetsGovernanceDefaultsAndEmitsThem() public {
        assertEq(registry.owner(), governance);
        assertEq(address(registry.token()), address(s.token));
        assertEq(address(registry.reputation()), address(0));
        assertEq(registry.bond(), BOND);
        assertEq(registry.registrationFee(), FEE);
        assertEq(registry.exitDelay(), 30 days);
        assertEq(registry.MAX_ATTESTATION_VALIDITY(), 30 days);

        vm.expectEmit();
        emit IAgentRegistry.BondSet(0, BOND);
        vm.expectEmit();
        emit IAgentRegistry.RegistrationFeeSet(0, FEE);
        vm.expectEmit();
        emit IAgentRegistry.ExitDelaySet(0, 30 days);
        new AgentRegistry(s.token, governance, IReputation(address(0)), new address[](0));
    }

    function test_Constructor_RevertsForZeroToken() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.ParameterOutOfRange.selector, "token", 0));
        new AgentRegistry(IERC20(address(0)), governance, IReputation(address(0)), new address[](0));
    }

    function test_Domain_MatchesIndependentlyBuiltDigests() public view {
        assertEq(registry.domainSeparator(), _domainSeparator(address(registry)));
        assertEq(
            registry.agentKeyBindingDigest(alice.key, alice.owner, 7, 99), _bindingDigest(alice.key, alice.owner, 7, 99)
        );
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 3);
        assertEq(registry.attestationDigest(a), _attestationDigest(a));
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = registry.eip712Domain();
        assertEq(name, "AgentCluster AgentRegistry");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(registry));
    }

    // ------------------------------------------------------------------ register

    function test_Register_BindsKeyToOwnerHoldsBondAndBurnsFee() public {
        uint256 supplyBefore = s.token.totalSupply();
        uint256 burnedBefore = s.token.totalBurned();
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);

        vm.expectEmit(address(registry));
        emit IAgentRegistry.AgentRegistered(alice.id, alice.owner, alice.key, AGENT_URI, BOND, FEE);
        vm.expectEmit(address(registry));
        emit IAgentRegistry.CapabilitiesSet(alice.id, CAPS, VECTOR_HASH);
        vm.prank(alice.owner);
        uint256 id = registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);

        assertEq(id, uint256(uint160(alice.key)));
        assertEq(registry.ownerOf(id), alice.owner);
        assertEq(registry.getAgentWallet(id), alice.key);
        assertEq(uint8(registry.statusOf(id)), uint8(IAgentRegistry.AgentStatus.Pending));
        assertEq(registry.bondOf(id), BOND);
        assertEq(registry.keyNonce(alice.key), 1);
        (uint64 caps, bytes32 vectorHash) = registry.capabilitiesOf(id);
        assertEq(caps, CAPS);
        assertEq(vectorHash, VECTOR_HASH);
        assertFalse(registry.isEligible(id, 0), "pending agents are not eligible");

        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - BOND - FEE);
        assertEq(s.token.balanceOf(address(registry)), BOND + FEE, "bond held, fee waiting to be burned");
        assertEq(registry.feesToBurn(), FEE);
        assertEq(s.token.totalBurned(), burnedBefore, "burned in batches, not per registration");

        vm.expectEmit(address(registry));
        emit IAgentRegistry.FeesBurned(FEE);
        assertEq(registry.burnFees(), FEE);
        assertEq(s.token.totalBurned(), burnedBefore + FEE, "the fee is burned");
        assertEq(s.token.totalSupply(), supplyBefore - FEE);
        assertEq(s.token.balanceOf(address(registry)), BOND, "the registry holds the bond only");
        assertEq(registry.feesToBurn(), 0);
        assertEq(registry.burnFees(), 0, "nothing left: changes nothing");
    }

    function test_Register_DeadlineEqualToNowIsAccepted() public {
        bytes memory signature = _bindingSignature(alice, block.timestamp);
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, bytes32(0), block.timestamp, signature);
        (, bytes32 vectorHash) = registry.capabilitiesOf(alice.id);
        assertEq(vectorHash, bytes32(0));
    }

    function test_Register_WithZeroFeeBurnsNothing() public {
        vm.prank(governance);
        registry.setRegistrationFee(0);
        uint256 burnedBefore = s.token.totalBurned();
        _register(alice);
        assertEq(registry.feesToBurn(), 0);
        assertEq(registry.burnFees(), 0);
        assertEq(s.token.totalBurned(), burnedBefore);
        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - BOND);
    }

    function test_Register_RevertsForZeroKey() public {
        vm.expectRevert(IAgentRegistry.ZeroAgentKey.selector);
        vm.prank(alice.owner);
        registry.register(address(0), AGENT_URI, CAPS, VECTOR_HASH, block.timestamp, "");
    }

    function test_Register_RevertsWhenAlreadyRegistered() public {
        _register(alice);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline); // a fresh binding with the new nonce
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentAlreadyRegistered.selector, alice.id));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_ReplayOfTheSameCallReverts() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentAlreadyRegistered.selector, alice.id));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsWhenTheDeadlinePassed() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.SignatureExpired.selector, deadline, deadline + 1));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsWhenAnotherKeySigned() public {
        (address other, uint256 otherPk) = makeAddrAndKey("other-key");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _sign(otherPk, _bindingDigest(alice.key, alice.owner, 0, deadline));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, other));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsWhenTheBindingNamesAnotherOwner() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(alice.keyPk, _bindingDigest(alice.key, alice.owner, 0, deadline));
        // Submitted by a stranger, the contract hashes the stranger as owner and recovers some unrelated address.
        address recovered = ecrecover(_bindingDigest(alice.key, stranger, 0, deadline), v, r, sv);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, recovered));
        vm.prank(stranger);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, abi.encodePacked(r, sv, v));
    }

    function test_Register_RevertsForAWrongNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _sign(alice.keyPk, _bindingDigest(alice.key, alice.owner, 1, deadline));
        address recovered = _recover(_bindingDigest(alice.key, alice.owner, 0, deadline), signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, recovered));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsForABindingSignedOnAnotherChain() public {
        uint256 deadline = block.timestamp + 1 hours;
        uint256 home = block.chainid;
        vm.chainId(8453);
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.chainId(home);
        address recovered = _recover(_bindingDigest(alice.key, alice.owner, 0, deadline), signature);
        assertTrue(recovered != alice.key);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, recovered));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsForABindingReplayedOnAnotherChain() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.chainId(8453);
        address recovered = _recover(_bindingDigest(alice.key, alice.owner, 0, deadline), signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, recovered));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RevertsForABindingToAnotherRegistry() public {
        AgentRegistry other = new AgentRegistry(s.token, governance, IReputation(address(0)), new address[](0));
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        address recovered = _recover(other.agentKeyBindingDigest(alice.key, alice.owner, 0, deadline), signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, recovered));
        vm.prank(alice.owner);
        other.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_RejectsTheMalleableTwinOfAValidSignature() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(alice.keyPk, _bindingDigest(alice.key, alice.owner, 0, deadline));
        bytes32 highS = bytes32(SECP256K1_N - uint256(sv));
        bytes memory twin = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        assertEq(ecrecover(_bindingDigest(alice.key, alice.owner, 0, deadline), v == 27 ? 28 : 27, r, highS), alice.key);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, address(0)));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, twin);
    }

    function test_Register_RejectsASignatureOfTheWrongLength() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        bytes memory short = new bytes(64);
        for (uint256 i; i < 64; ++i) {
            short[i] = signature[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.InvalidKeySignature.selector, alice.key, address(0)));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, short);
    }

    function test_Register_RevertsWithoutAllowanceForBondPlusFee() public {
        vm.prank(alice.owner);
        s.token.approve(address(registry), BOND + FEE - 1);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(registry), BOND + FEE - 1, BOND + FEE
            )
        );
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_Register_BondChangesApplyToNewAgentsOnly() public {
        _register(alice);
        vm.prank(governance);
        registry.setBond(25_000e18);
        TestAgent memory bob = _newAgent("bob");
        _register(bob);
        assertEq(registry.bondOf(alice.id), BOND);
        assertEq(registry.bondOf(bob.id), 25_000e18);
        assertEq(s.token.balanceOf(address(registry)), BOND + 25_000e18 + registry.feesToBurn());

        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.warp(block.timestamp + 30 days);
        assertEq(registry.withdrawBond(alice.id), BOND, "alice gets back what she paid");
    }

    function testFuzz_Register_AnyKeyAnyOwner(uint256 keyPk, address owner, uint64 caps, bytes32 vectorHash) public {
        keyPk = bound(keyPk, 1, SECP256K1_N - 1);
        vm.assume(owner != address(0) && owner != address(registry) && owner.code.length == 0);
        address key = vm.addr(keyPk);
        vm.assume(s.token.balanceOf(owner) == 0);
        _fund(owner, BOND + FEE);
        vm.prank(owner);
        s.token.approve(address(registry), BOND + FEE);
        uint256 deadline = block.timestamp;
        bytes memory signature = _sign(keyPk, _bindingDigest(key, owner, 0, deadline));
        vm.prank(owner);
        uint256 id = registry.register(key, AGENT_URI, caps, vectorHash, deadline, signature);
        assertEq(id, uint256(uint160(key)));
        assertEq(registry.ownerOf(id), owner);
        (uint64 storedCaps, bytes32 storedHash) = registry.capabilitiesOf(id);
        assertEq(storedCaps, caps);
        assertEq(storedHash, vectorHash);
        assertEq(s.token.balanceOf(owner), 0);
    }

    // ------------------------------------------------------------------ URI and capabilities

    function test_SetAgentURI_EmitsTheNewURI() public {
        _register(alice);
        vm.expectEmit(address(registry));
        emit IAgentRegistry.AgentURISet(alice.id, "https://agents.example/alice.json");
        vm.prank(alice.owner);
        registry.setAgentURI(alice.id, "https://agents.example/alice.json");
    }

    function test_SetAgentURI_RevertsForOthersUnknownAndExited() public {
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.NotAgentOwner.selector, alice.id, stranger));
        vm.prank(stranger);
        registry.setAgentURI(alice.id, "x");

        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, 42));
        vm.prank(alice.owner);
        registry.setAgentURI(42, "x");

        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentHasExited.selector, alice.id));
        vm.prank(alice.owner);
        registry.setAgentURI(alice.id, "x");
    }

    function test_SetCapabilities_ReplacesMaskAndVectorHash() public {
        _register(alice);
        vm.expectEmit(address(registry));
        emit IAgentRegistry.CapabilitiesSet(alice.id, 0xf0, bytes32(uint256(1)));
        vm.prank(alice.owner);
        registry.setCapabilities(alice.id, 0xf0, bytes32(uint256(1)));
        (uint64 caps, bytes32 vectorHash) = registry.capabilitiesOf(alice.id);
        assertEq(caps, 0xf0);
        assertEq(vectorHash, bytes32(uint256(1)));
    }

    function test_SetCapabilities_RevertsForOthersUnknownAndExited() public {
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.NotAgentOwner.selector, alice.id, stranger));
        vm.prank(stranger);
        registry.setCapabilities(alice.id, 1, bytes32(0));

        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, 42));
        vm.prank(alice.owner);
        registry.setCapabilities(42, 1, bytes32(0));

        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentHasExited.selector, alice.id));
        vm.prank(alice.owner);
        registry.setCapabilities(alice.id, 1, bytes32(0));
    }

    // ------------------------------------------------------------------ attest

    function test_Attest_MakesTheAgentActiveAndRecordsTheBenchmark() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));

        vm.expectEmit(address(registry));
        emit IAgentRegistry.Attested(
            alice.id, attestor, MEASUREMENT, a.cpuCores, a.gpuMemoryMb, a.tokensPerSecond, a.expiresAt, 1
        );
        vm.prank(stranger); // anyone may submit a signed attestation
        registry.attest(a, signature);

        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Active));
        IAgentRegistry.Attestation memory stored = registry.attestationOf(alice.id);
        assertEq(keccak256(abi.encode(stored)), keccak256(abi.encode(a)));
    }

    function test_Attest_RevertsForAnUnknownAttestor() public {
        _register(alice);
        (address impostor, uint256 impostorPk) = makeAddrAndKey("impostor");
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        bytes memory signature = _sign(impostorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, impostor));
        registry.attest(a, signature);
    }

    function test_Attest_RevertsOnceTheAttestorIsRemoved() public {
        _register(alice);
        vm.prank(governance);
        registry.setAttestor(attestor, false);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, attestor));
        registry.attest(a, signature);
    }

    function test_Attest_RevertsWhenAFieldWasChangedAfterSigning() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        a.tokensPerSecond *= 10;
        address recovered = _recover(_attestationDigest(a), signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, recovered));
        registry.attest(a, signature);
    }

    function test_Attest_RevertsForMalformedOrMalleableSignatures() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, address(0)));
        registry.attest(a, abi.encodePacked(r, sv));
        bytes memory twin = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(sv)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, address(0)));
        registry.attest(a, twin);
    }

    function test_Attest_RevertsForAnAttestationSignedForAnotherChain() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        uint256 home = block.chainid;
        vm.chainId(home + 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.chainId(home);
        address recovered = _recover(_attestationDigest(a), signature);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.UnknownAttestor.selector, recovered));
        registry.attest(a, signature);
    }

    function test_Attest_RevertsForAStaleNonce() public {
        _register(alice);
        IAgentRegistry.Attestation memory zero = _attestation(alice.id, 0);
        bytes memory zeroSignature = _sign(attestorPk, _attestationDigest(zero));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.StaleAttestation.selector, 0, 0));
        registry.attest(zero, zeroSignature);

        IAgentRegistry.Attestation memory a = _attest(alice.id, 5);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.StaleAttestation.selector, 5, 5));
        registry.attest(a, signature); // the very same attestation again

        IAgentRegistry.Attestation memory older = _attestation(alice.id, 4);
        bytes memory olderSignature = _sign(attestorPk, _attestationDigest(older));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.StaleAttestation.selector, 4, 5));
        registry.attest(older, olderSignature);

        _attest(alice.id, 6);
        assertEq(registry.attestationOf(alice.id).nonce, 6);
    }

    function test_Attest_RevertsForAnExpiryNotInTheFuture() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        a.expiresAt = uint64(block.timestamp);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(
            abi.encodeWithSelector(IAgentRegistry.AttestationAlreadyExpired.selector, a.expiresAt, block.timestamp)
        );
        registry.attest(a, signature);
    }

    function test_Attest_RevertsForAnExpiryBeyondTheMaximumValidity() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        uint256 maxExpiresAt = block.timestamp + 30 days;
        a.expiresAt = uint64(maxExpiresAt + 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AttestationTooLong.selector, a.expiresAt, maxExpiresAt));
        registry.attest(a, signature);

        a.expiresAt = uint64(maxExpiresAt);
        registry.attest(a, _sign(attestorPk, _attestationDigest(a)));
        assertEq(registry.attestationOf(alice.id).expiresAt, maxExpiresAt);
    }

    function testFuzz_Attest_AcceptsExactlyTheValidityRange(uint64 expiresAt) public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        a.expiresAt = expiresAt;
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        bool valid = expiresAt > block.timestamp && expiresAt <= block.timestamp + 30 days;
        if (!valid) vm.expectRevert();
        registry.attest(a, signature);
        assertEq(registry.statusOf(alice.id) == IAgentRegistry.AgentStatus.Active, valid);
    }

    function test_Attest_RevertsForUnknownAndExitedAgents() public {
        IAgentRegistry.Attestation memory a = _attestation(alice.id, 1);
        bytes memory signature = _sign(attestorPk, _attestationDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, alice.id));
        registry.attest(a, signature);

        _register(alice);
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentHasExited.selector, alice.id));
        registry.attest(a, signature);
    }

    function test_Status_SuspendedAfterExpiryWithoutATransactionAndActiveAgainAfterReattesting() public {
        _register(alice);
        IAgentRegistry.Attestation memory a = _attest(alice.id, 1);
        assertTrue(registry.isEligible(alice.id, CAPS));

        vm.warp(a.expiresAt - 1);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Active));
        vm.warp(a.expiresAt);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Suspended));
        assertFalse(registry.isEligible(alice.id, 0));

        _attest(alice.id, 2);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Active));
        assertTrue(registry.isEligible(alice.id, CAPS));
    }

    function test_EligibleOwnerOf_IsOwnerOfAndIsEligibleInOneCall() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, alice.id));
        registry.eligibleOwnerOf(alice.id, 0);
        _register(alice);
        (address agentOwner, bool eligible) = registry.eligibleOwnerOf(alice.id, 0);
        assertEq(agentOwner, alice.owner);
        assertFalse(eligible, "pending");
        IAgentRegistry.Attestation memory a = _attest(alice.id, 1);
        uint64[3] memory masks = [uint64(0), CAPS, ~uint64(0)];
        for (uint256 i; i < 3; ++i) {
            (agentOwner, eligible) = registry.eligibleOwnerOf(alice.id, masks[i]);
            assertEq(agentOwner, registry.ownerOf(alice.id));
            assertEq(eligible, registry.isEligible(alice.id, masks[i]));
        }
        assertFalse(registry.isEligible(alice.id, ~uint64(0)));
        vm.warp(a.expiresAt);
        (, eligible) = registry.eligibleOwnerOf(alice.id, 0);
        assertFalse(eligible, "suspended");
    }

    function test_Attest_WritesComputeReputationFromTheBenchmark() public {
        ReputationRecorder recorder = new ReputationRecorder();
        registry = new AgentRegistry(s.token, governance, IReputation(address(recorder)), new address[](0));
        vm.prank(governance);
        registry.setAttestor(attestor, true);
        vm.prank(alice.owner);
        s.token.approve(address(registry), type(uint256).max);
        _register(alice);
        IAgentRegistry.Attestation memory a = _attest(alice.id, 1);

        // 32 cores + 4 x 80 GiB + 450 / 10 tokens per second = 397 points
        assertEq(recorder.calls(), 1);
        assertEq(recorder.lastAgentId(), alice.id);
        assertEq(uint8(recorder.lastDimension()), uint8(IReputation.Dimension.Compute));
        assertEq(recorder.lastValue(), 397e18);
        assertEq(recorder.lastValue(), registry.computeScore(a.cpuCores, a.gpuMemoryMb, a.tokensPerSecond));
    }

    function test_Attest_WithoutReputationWritesNothing() public {
        ReputationRecorder recorder = new ReputationRecorder();
        _register(alice);
        _attest(alice.id, 1);
        assertEq(recorder.calls(), 0);
        assertEq(address(registry.reputation()), address(0));
    }

    function test_ComputeScore_Examples() public view {
        assertEq(registry.computeScore(0, 0, 0), 0);
        assertEq(registry.computeScore(8, 1023, 9), 8e18, "partial GiB and partial tens count nothing");
        assertEq(registry.computeScore(8, 24_576, 120), (8 + 96 + 12) * 1e18);
        assertEq(registry.computeScore(type(uint32).max, type(uint32).max, type(uint32).max), 1_000e18, "capped");
    }

    function testFuzz_ComputeScore_MonotoneAndCapped(uint32 cpu, uint32 gpu, uint32 tps, uint32 extra) public view {
        uint256 score = registry.computeScore(cpu, gpu, tps);
        assertLe(score, registry.MAX_COMPUTE_POINTS() * 1e18);
        uint32 more = uint32(bound(extra, 0, type(uint32).max - cpu));
        assertGe(registry.computeScore(cpu + more, gpu, tps), score);
    }

    // ------------------------------------------------------------------ eligibility

    function test_IsEligible_RequiresEveryRequiredCapabilityBit() public {
        _register(alice);
        _attest(alice.id, 1);
        assertTrue(registry.isEligible(alice.id, 0));
        assertTrue(registry.isEligible(alice.id, 0x01));
        assertTrue(registry.isEligible(alice.id, 0x0a));
        assertTrue(registry.isEligible(alice.id, CAPS));
        assertFalse(registry.isEligible(alice.id, 0x04));
        assertFalse(registry.isEligible(alice.id, CAPS | 0x10));
        assertFalse(registry.isEligible(uint256(uint160(stranger)), 0), "unknown agents are not eligible");
    }

    function testFuzz_IsEligible_IsTheSubsetTest(uint64 caps, uint64 required) public {
        _register(alice);
        _attest(alice.id, 1);
        vm.prank(alice.owner);
        registry.setCapabilities(alice.id, caps, bytes32(0));
        assertEq(registry.isEligible(alice.id, required), caps & required == required);
    }

    // ------------------------------------------------------------------ exit and bond

    function test_RequestExit_LocksTheBondForTheExitDelay() public {
        _register(alice);
        _attest(alice.id, 1);
        uint256 unlocksAt = block.timestamp + 30 days;
        vm.expectEmit(address(registry));
        emit IAgentRegistry.ExitRequested(alice.id, unlocksAt);
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Exited));
        assertEq(registry.exitUnlocksAt(alice.id), unlocksAt);
        assertFalse(registry.isEligible(alice.id, 0));
        assertEq(registry.ownerOf(alice.id), alice.owner, "an exited agent keeps its owner");

        vm.warp(unlocksAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.BondLocked.selector, alice.id, unlocksAt));
        registry.withdrawBond(alice.id);

        vm.warp(unlocksAt);
        vm.expectEmit(address(registry));
        emit IAgentRegistry.BondWithdrawn(alice.id, alice.owner, BOND);
        vm.prank(stranger); // anyone may trigger it; the bond goes to the owner
        assertEq(registry.withdrawBond(alice.id), BOND);
        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - FEE);
        assertEq(s.token.balanceOf(address(registry)), registry.feesToBurn(), "only unburned fees remain");
        assertEq(registry.bondOf(alice.id), 0);

        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.NothingToWithdraw.selector, alice.id));
        registry.withdrawBond(alice.id);
    }

    function test_WithdrawBond_RevertsBeforeExitAndForUnknownAgents() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, alice.id));
        registry.withdrawBond(alice.id);
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.BondLocked.selector, alice.id, 0));
        registry.withdrawBond(alice.id);
    }

    function test_RequestExit_RevertsForOthersUnknownAndTwice() public {
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.NotAgentOwner.selector, alice.id, stranger));
        vm.prank(stranger);
        registry.requestExit(alice.id);

        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, 42));
        registry.requestExit(42);

        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentHasExited.selector, alice.id));
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
    }

    function test_RequestExit_FromPendingAndSuspended() public {
        _register(alice);
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Exited));

        TestAgent memory bob = _newAgent("bob");
        _register(bob);
        IAgentRegistry.Attestation memory a = _attest(bob.id, 1);
        vm.warp(a.expiresAt);
        assertEq(uint8(registry.statusOf(bob.id)), uint8(IAgentRegistry.AgentStatus.Suspended));
        vm.prank(bob.owner);
        registry.requestExit(bob.id);
        assertEq(uint8(registry.statusOf(bob.id)), uint8(IAgentRegistry.AgentStatus.Exited));
    }

    function test_ExitedKeyCanNeverRegisterAgain() public {
        _register(alice);
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.warp(block.timestamp + 30 days);
        registry.withdrawBond(alice.id);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(alice, deadline);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentAlreadyRegistered.selector, alice.id));
        vm.prank(alice.owner);
        registry.register(alice.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function test_ExitDelayChangesApplyToLaterRequestsOnly() public {
        _register(alice);
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.prank(governance);
        registry.setExitDelay(90 days);
        assertEq(registry.exitUnlocksAt(alice.id), block.timestamp + 30 days);

        TestAgent memory bob = _newAgent("bob");
        _register(bob);
        vm.prank(bob.owner);
        registry.requestExit(bob.id);
        assertEq(registry.exitUnlocksAt(bob.id), block.timestamp + 90 days);
    }

    // ------------------------------------------------------------------ reads of unknown agents

    function test_Reads_OfAnUnknownAgent() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, alice.id));
        registry.ownerOf(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, alice.id));
        registry.getAgentWallet(alice.id);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.None));
        assertEq(registry.bondOf(alice.id), 0);
        assertEq(registry.keyNonce(alice.key), 0);
        assertEq(registry.attestationOf(alice.id).nonce, 0);
    }

    // ------------------------------------------------------------------ governance

    function test_Governance_SettersEmitAndApply() public {
        vm.startPrank(governance);
        vm.expectEmit(address(registry));
        emit IAgentRegistry.AttestorSet(stranger, true);
        registry.setAttestor(stranger, true);
        assertTrue(registry.isAttestor(stranger));

        vm.expectEmit(address(registry));
        emit IAgentRegistry.BondSet(BOND, 1);
        registry.setBond(1);
        assertEq(registry.bond(), 1);

        vm.expectEmit(address(registry));
        emit IAgentRegistry.RegistrationFeeSet(FEE, 2);
        registry.setRegistrationFee(2);
        assertEq(registry.registrationFee(), 2);

        vm.expectEmit(address(registry));
        emit IAgentRegistry.ExitDelaySet(30 days, 0);
        registry.setExitDelay(0);
        assertEq(registry.exitDelay(), 0);
        vm.stopPrank();
    }

    function test_Governance_SettersRejectOutOfRangeValues() public {
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.ParameterOutOfRange.selector, "attestor", 0));
        registry.setAttestor(address(0), true);
        uint256 tooBig = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.ParameterOutOfRange.selector, "bond", tooBig));
        registry.setBond(tooBig);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.ParameterOutOfRange.selector, "registrationFee", tooBig));
        registry.setRegistrationFee(tooBig);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.ParameterOutOfRange.selector, "exitDelay", 365 days + 1));
        registry.setExitDelay(365 days + 1);
        registry.setBond(type(uint96).max);
        registry.setExitDelay(365 days);
        vm.stopPrank();
    }

    function test_Governance_SettersAreTimelockOnly() public {
        bytes memory unauthorized = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice.owner);
        vm.startPrank(alice.owner);
        vm.expectRevert(unauthorized);
        registry.setAttestor(alice.owner, true);
        vm.expectRevert(unauthorized);
        registry.setBond(0);
        vm.expectRevert(unauthorized);
        registry.setRegistrationFee(0);
        vm.expectRevert(unauthorized);
        registry.setExitDelay(0);
        vm.expectRevert(unauthorized);
        registry.transferOwnership(alice.owner);
        vm.stopPrank();
    }

    function test_Ownership_TransfersInTwoSteps() public {
        vm.prank(governance);
        registry.transferOwnership(stranger);
        assertEq(registry.owner(), governance);
        assertEq(registry.pendingOwner(), stranger);
        vm.prank(stranger);
        registry.acceptOwnership();
        assertEq(registry.owner(), stranger);
    }

    // ------------------------------------------------------------------ helpers

    function _recover(bytes32 digest, bytes memory signature) internal pure returns (address) {
        bytes32 r;
        bytes32 sv;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            sv := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        return ecrecover(digest, v, r, sv);
    }
}
