// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {AgentRegistry} from "../../../contracts/evm/protocol/AgentRegistry.sol";
import {Staking} from "../../../contracts/evm/protocol/Staking.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";

/// @dev The foundation suite plus AgentRegistry and Staking, both owned by the timelock, with one approved attestor
///      and one slasher. EIP-712 digests are built here from the type strings, independently of the contracts.
abstract contract RegistryStakingFixture is SuiteFixture {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant BINDING_TYPEHASH =
        keccak256("AgentKeyBinding(address agentKey,address owner,uint256 nonce,uint256 deadline)");
    bytes32 internal constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 agentId,bytes32 measurementHash,uint32 cpuCores,uint32 gpuMemoryMb,uint32 tokensPerSecond,uint64 expiresAt,uint64 nonce)"
    );
    /// @dev 66 bytes, the size of an ipfs:// CIDv1 URI.
    string internal constant AGENT_URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    bytes32 internal constant MEASUREMENT = keccak256("tdx-measurement");
    bytes32 internal constant VECTOR_HASH = keccak256("capability-vector");
    uint64 internal constant CAPS = 0x0b;
    uint256 internal constant BOND = 10_000e18;
    uint256 internal constant FEE = 100e18;
    uint256 internal constant OWNER_FUNDS = 1_000_000e18;

    struct TestAgent {
        uint256 id;
        address key;
        uint256 keyPk;
        address owner;
    }

    AgentRegistry internal registry;
    Staking internal staking;
    address internal governance;
    address internal attestor;
    uint256 internal attestorPk;
    address internal slasher = makeAddr("slasher");
    address internal harmed = makeAddr("harmed");

    function setUp() public virtual override {
        super.setUp();
        governance = address(s.timelock);
        (attestor, attestorPk) = makeAddrAndKey("attestor");
        registry = new AgentRegistry(s.token, governance, IReputation(address(0)), new address[](0));
        staking = new Staking(s.token, registry, governance, new address[](0));
        vm.startPrank(governance);
        registry.setAttestor(attestor, true);
        staking.setSlasher(slasher, true);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ accounts

    /// @dev A fresh key and a funded owner that has approved both contracts.
    function _newAgent(string memory name) internal returns (TestAgent memory agent) {
        (agent.key, agent.keyPk) = makeAddrAndKey(string.concat(name, "-key"));
        agent.id = uint256(uint160(agent.key));
        agent.owner = makeAddr(string.concat(name, "-owner"));
        _fund(agent.owner, OWNER_FUNDS);
        vm.startPrank(agent.owner);
        s.token.approve(address(registry), type(uint256).max);
        s.token.approve(address(staking), type(uint256).max);
        vm.stopPrank();
    }

    function _fund(address to, uint256 amount) internal {
        vm.prank(address(s.treasury));
        s.token.transfer(to, amount);
    }

    // ------------------------------------------------------------------ EIP-712, built independently

    function _domainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256(bytes("AgentCluster AgentRegistry")),
                keccak256(bytes("1")),
                block.chainid,
                verifyingContract
            )
        );
    }

    function _bindingDigest(address agentKey, address owner, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(BINDING_TYPEHASH, agentKey, owner, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(address(registry)), structHash));
    }

    function _attestationDigest(IAgentRegistry.Attestation memory a) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                ATTESTATION_TYPEHASH,
                a.agentId,
                a.measurementHash,
                a.cpuCores,
                a.gpuMemoryMb,
                a.tokensPerSecond,
                a.expiresAt,
                a.nonce
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(address(registry)), structHash));
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(pk, digest);
        return abi.encodePacked(r, sig, v);
    }

    function _bindingSignature(TestAgent memory agent, uint256 deadline) internal view returns (bytes memory) {
        return _sign(agent.keyPk, _bindingDigest(agent.key, agent.owner, registry.keyNonce(agent.key), deadline));
    }

    function _attestation(uint256 agentId, uint64 nonce) internal view returns (IAgentRegistry.Attestation memory) {
        return IAgentRegistry.Attestation({
            agentId: agentId,
            measurementHash: MEASUREMENT,
            cpuCores: 32,
            gpuMemoryMb: 81_920,
            tokensPerSecond: 450,
            expiresAt: uint64(block.timestamp + 7 days),
            nonce: nonce
        });
    }

    // ------------------------------------------------------------------ flows

    function _register(TestAgent memory agent) internal {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _bindingSignature(agent, deadline);
        vm.prank(agent.owner);
        registry.register(agent.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, signature);
    }

    function _attest(uint256 agentId, uint64 nonce) internal returns (IAgentRegistry.Attestation memory a) {
        a = _attestation(agentId, nonce);
        registry.attest(a, _sign(attestorPk, _attestationDigest(a)));
    }

    function _stake(TestAgent memory agent, uint256 amount) internal {
        vm.prank(agent.owner);
        staking.stake(agent.id, amount);
    }

    /// @dev Registers, attests (nonce 1) and, when `amount` is non-zero, stakes.
    function _activeAgent(string memory name, uint256 amount) internal returns (TestAgent memory agent) {
        agent = _newAgent(name);
        _register(agent);
        _attest(agent.id, 1);
        if (amount != 0) _stake(agent, amount);
    }
}
