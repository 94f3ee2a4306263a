// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {SuiteFixture} from "./SuiteFixture.sol";

/// @dev The suite plus a voting population holding the whole circulating supply in known shares (per mille):
///      alice 400, bob 200, carol 150, dave 150, erin 95, frank 5 (below the 1% threshold).
abstract contract GovernanceFixture is SuiteFixture {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal dave = makeAddr("dave");
    address internal erin = makeAddr("erin");
    address internal frank = makeAddr("frank");
    address internal outsider = makeAddr("outsider");

    uint256 internal circulating;

    function setUp() public virtual override {
        super.setUp();
        // 200 days of emission (~113M ACC) puts 10% of circulating supply above the 10M ACC quorum floor and 1%
        // above the 1M ACC threshold floor, so the fraction rules are what these tests exercise.
        vm.warp(GENESIS + 200 days);
        address pot = makeAddr("pot");
        circulating = _releaseAllTo(pot);
        address[6] memory voters = [alice, bob, carol, dave, erin, frank];
        uint16[6] memory perMille = [400, 200, 150, 150, 95, 5];
        uint256 given;
        for (uint256 i; i < voters.length; ++i) {
            uint256 amount = i == voters.length - 1 ? circulating - given : circulating * perMille[i] / 1000;
            given += amount;
            vm.prank(pot);
            s.token.transfer(voters[i], amount);
            vm.prank(voters[i]);
            s.token.delegate(voters[i]);
        }
        vm.warp(block.timestamp + 1);
    }

    function _propose(address proposer, address target, bytes memory data, string memory description)
        internal
        returns (uint256 id, address[] memory targets, uint256[] memory values, bytes[] memory calldatas)
    {
        targets = new address[](1);
        targets[0] = target;
        values = new uint256[](1);
        calldatas = new bytes[](1);
        calldatas[0] = data;
        vm.prank(proposer);
        id = s.governor.propose(targets, values, calldatas, description);
    }

    function _vote(uint256 id, address voter, uint8 support) internal {
        vm.prank(voter);
        s.governor.castVote(id, support);
    }

    function _toVoting(uint256 id) internal {
        vm.warp(s.governor.proposalSnapshot(id) + 1);
    }

    function _toVoteEnd(uint256 id) internal {
        vm.warp(s.governor.proposalDeadline(id) + 1);
    }

    /// @dev Queues a succeeded proposal and lets its timelock delay pass: the next call may execute it.
    function _queueAndWait(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal {
        s.governor.queue(targets, values, calldatas, keccak256(bytes(description)));
        vm.warp(block.timestamp + TIMELOCK_DELAY);
    }

    function _queueAndExecute(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal {
        _queueAndWait(targets, values, calldatas, description);
        s.governor.execute(targets, values, calldatas, keccak256(bytes(description)));
    }

    function _state(uint256 id) internal view returns (IGovernor.ProposalState) {
        return s.governor.state(id);
    }
}
