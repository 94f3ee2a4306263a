// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {TeamVesting} from "../../../contracts/evm/economy/TeamVesting.sol";
import {IScheduledVault} from "../../../contracts/evm/interfaces/IScheduledVault.sol";
import {AccGenesis} from "../../../contracts/evm/libraries/AccGenesis.sol";

contract TeamVestingTest is SuiteFixture {
    uint256 internal constant TEAM = AccGenesis.TEAM_SHARE;

    function test_Schedule_IsFixedAtDeployment() public view {
        assertEq(s.teamVesting.beneficiary(), team);
        assertEq(s.teamVesting.cliff(), 365 days);
        assertEq(s.teamVesting.duration(), 4 * 365 days);
        assertEq(s.teamVesting.start(), GENESIS);
        assertEq(s.teamVesting.allocation(), TEAM);
        assertEq(s.teamVesting.token(), address(s.token));
    }

    function test_NothingVestsBeforeTheCliff() public {
        vm.warp(GENESIS + 365 days - 1);
        assertEq(s.teamVesting.releasable(), 0);
        assertEq(s.teamVesting.release(), 0);
        assertEq(s.token.balanceOf(team), 0);
        assertEq(s.teamVesting.unvestedAt(uint64(block.timestamp)), TEAM);
    }

    function test_AQuarterVestsAtTheCliff() public {
        vm.warp(GENESIS + 365 days);
        assertEq(s.teamVesting.release(), TEAM / 4);
        assertEq(s.token.balanceOf(team), TEAM / 4);
    }

    function test_VestsLinearlyAfterTheCliff() public {
        vm.warp(GENESIS + 3 * 365 days);
        assertEq(s.teamVesting.vestedAt(uint64(block.timestamp)), TEAM * 3 / 4);
        assertEq(s.teamVesting.vestedAt(uint64(GENESIS + 1000 days)), TEAM * 1000 days / (4 * 365 days));
    }

    function test_EverythingVestsAfterFourYears() public {
        vm.warp(GENESIS + 4 * 365 days);
        s.teamVesting.release();
        vm.warp(GENESIS + 9 * 365 days);
        assertEq(s.teamVesting.release(), 0);
        assertEq(s.token.balanceOf(team), TEAM);
        assertEq(s.teamVesting.unvestedAt(uint64(block.timestamp)), 0);
    }

    function testFuzz_ReleasesNeverExceedTheSchedule(uint32[5] memory steps) public {
        uint256 t = GENESIS;
        for (uint256 i; i < steps.length; ++i) {
            t += bound(steps[i], 0, 500 days);
            vm.warp(t);
            s.teamVesting.release();
            assertLe(s.teamVesting.released(), s.teamVesting.vestedAt(uint64(t)));
            assertEq(s.token.balanceOf(team), s.teamVesting.released());
        }
    }

    function test_Constructor_RejectsBadSchedules() public {
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "beneficiary"));
        new TeamVesting(address(1), 1, GENESIS, 1, 2, address(0));
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "cliff/duration"));
        new TeamVesting(address(1), 1, GENESIS, 3, 2, team);
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "cliff/duration"));
        new TeamVesting(address(1), 1, GENESIS, 0, 0, team);
    }
}
