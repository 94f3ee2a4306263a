// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {GovernanceFixture} from "../utils/GovernanceFixture.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {ReferenceToken, ReferenceGovernor, ReferenceTarget} from "../reference/ReferenceGovernance.sol";

/// @dev Gas of each foundation operation, as a whole transaction (run with --isolate), written to
///      snapshots/foundation.json (ours) and snapshots/reference.json (OpenZeppelin's plain stack, same run).
///      scripts/bench gas prints them; CI compares them with the committed snapshot.
contract GasBench is GovernanceFixture {
    string internal constant OURS = "foundation";
    string internal constant REF = "reference";

    ReferenceToken internal refToken;
    ReferenceGovernor internal refGovernor;
    TimelockController internal refTimelock;
    ReferenceTarget internal refTarget;
    VestingWallet internal refVesting;

    address internal plainA = makeAddr("plainA");
    address internal plainB = makeAddr("plainB");

    function setUp() public override {
        super.setUp();
        // Plain holders for the undelegated transfer, warmed the same way for both tokens.
        vm.prank(alice);
        s.token.transfer(plainA, 1_000e18);
        vm.prank(alice);
        s.token.transfer(plainB, 1e18);

        address[] memory none = new address[](0);
        refTimelock = new TimelockController(TIMELOCK_DELAY, none, none, address(this));
        refToken = new ReferenceToken(address(this), 1_000_000_000e18);
        refGovernor = new ReferenceGovernor(refToken, refTimelock);
        refTimelock.grantRole(refTimelock.PROPOSER_ROLE(), address(refGovernor));
        refTimelock.grantRole(refTimelock.EXECUTOR_ROLE(), address(0));
        refTimelock.renounceRole(refTimelock.DEFAULT_ADMIN_ROLE(), address(this));
        refTarget = new ReferenceTarget(address(refTimelock));
        refToken.transfer(alice, 400_000_000e18);
        refToken.transfer(bob, 200_000_000e18);
        refToken.transfer(plainA, 1_000e18);
        refToken.transfer(plainB, 1e18);
        vm.prank(alice);
        refToken.delegate(alice);
        vm.prank(bob);
        refToken.delegate(bob);
        refVesting = new VestingWallet(makeAddr("refBeneficiary"), GENESIS, 10 * 365 days);
        refToken.transfer(address(refVesting), 300_000_000e18);
        vm.warp(block.timestamp + 1);
    }

    function test_Gas_Transfers() public {
        vm.prank(plainA);
        s.token.transfer(plainB, 1e18);
        vm.snapshotGasLastCall(OURS, "transfer");
        vm.prank(plainA);
        refToken.transfer(plainB, 1e18);
        vm.snapshotGasLastCall(REF, "transfer");

        vm.prank(alice);
        s.token.transfer(bob, 1e18);
        vm.snapshotGasLastCall(OURS, "transfer_with_delegation");
        vm.prank(alice);
        refToken.transfer(bob, 1e18);
        vm.snapshotGasLastCall(REF, "transfer_with_delegation");
    }

    function test_Gas_Permit() public {
        _permit(ERC20Permit(address(s.token)), OURS);
        _permit(ERC20Permit(address(refToken)), REF);
    }

    function _permit(ERC20Permit token, string memory group) internal {
        (address owner, uint256 key) = makeAddrAndKey("permitter");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(
                    abi.encode(
                        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                        owner,
                        spender,
                        1e18,
                        token.nonces(owner),
                        deadline
                    )
                )
            )
        );
        (uint8 v, bytes32 r, bytes32 sg) = vm.sign(key, digest);
        token.permit(owner, spender, 1e18, deadline, v, r, sg);
        vm.snapshotGasLastCall(group, "permit");
    }

    function test_Gas_ProposalLifecycle() public {
        _lifecycle(
            IGovernor(address(s.governor)), address(s.feeRouter), abi.encodeCall(FeeRouter.setBurnShare, (6_000)), OURS
        );
        assertEq(s.feeRouter.burnShareBps(), 6_000);
        _lifecycle(
            IGovernor(address(refGovernor)), address(refTarget), abi.encodeCall(ReferenceTarget.setValue, (6_000)), REF
        );
        assertEq(refTarget.value(), 6_000);
    }

    function _lifecycle(IGovernor governor, address target, bytes memory data, string memory group) internal {
        address[] memory t = new address[](1);
        t[0] = target;
        uint256[] memory v = new uint256[](1);
        bytes[] memory c = new bytes[](1);
        c[0] = data;
        string memory d = "set the parameter to 6000";
        bytes32 h = keccak256(bytes(d));
        vm.prank(alice);
        uint256 id = governor.propose(t, v, c, d);
        vm.snapshotGasLastCall(group, "propose");
        vm.warp(governor.proposalSnapshot(id) + 1);
        vm.prank(alice);
        governor.castVote(id, 1);
        vm.snapshotGasLastCall(group, "castVote");
        vm.prank(bob);
        governor.castVote(id, 0);
        vm.warp(governor.proposalDeadline(id) + 1);
        governor.queue(t, v, c, h);
        vm.snapshotGasLastCall(group, "queue");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        governor.execute(t, v, c, h);
        vm.snapshotGasLastCall(group, "execute");
    }

    function test_Gas_EmissionRelease() public {
        vm.warp(block.timestamp + 30 days);
        s.computePool.release();
        vm.snapshotGasLastCall(OURS, "emission_release");
        refVesting.release(address(refToken));
        vm.snapshotGasLastCall(REF, "emission_release");
    }

    function test_Gas_FeeSplit() public {
        vm.startPrank(alice);
        s.token.approve(address(s.feeRouter), 1_000e18 + 1);
        s.feeRouter.routeFee(1_000e18 + 1);
        vm.snapshotGasLastCall(OURS, "fee_split");
        vm.stopPrank();
    }
}
