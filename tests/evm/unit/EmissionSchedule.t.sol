// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {EmissionSchedule} from "../../../contracts/evm/libraries/EmissionSchedule.sol";

contract EmissionScheduleTest is Test {
    uint256 internal constant P = EmissionSchedule.PERIOD;
    uint256 internal constant START = 1_000_000;

    /// @dev Independent reference: walk the periods one by one with explicit halving weights.
    function _reference(uint256 allocation, uint256 elapsed) internal pure returns (uint256) {
        if (elapsed >= 5 * P) return allocation;
        uint256 weight = 16;
        uint256 weighted;
        for (uint256 i; i < 5; ++i) {
            uint256 inThis = elapsed > P ? P : elapsed;
            weighted += weight * inThis;
            elapsed -= inThis;
            weight /= 2;
        }
        return allocation * weighted / (31 * P);
    }

    function test_VestedAt_IsZeroUpToStart() public pure {
        assertEq(EmissionSchedule.vestedAt(1e27, START, 0), 0);
        assertEq(EmissionSchedule.vestedAt(1e27, START, START), 0);
    }

    function test_VestedAt_HalvesEveryTwoYears() public pure {
        uint256 a = 31e24; // divisible by 31: period totals are exact
        assertEq(EmissionSchedule.vestedAt(a, START, START + P), 16e24);
        assertEq(EmissionSchedule.vestedAt(a, START, START + 2 * P), 24e24);
        assertEq(EmissionSchedule.vestedAt(a, START, START + 3 * P), 28e24);
        assertEq(EmissionSchedule.vestedAt(a, START, START + 4 * P), 30e24);
        assertEq(EmissionSchedule.vestedAt(a, START, START + 5 * P), 31e24);
        for (uint256 i; i < 4; ++i) {
            assertEq(EmissionSchedule.periodEmission(a, i), 2 * EmissionSchedule.periodEmission(a, i + 1));
        }
        assertEq(EmissionSchedule.periodEmission(a, 5), 0);
    }

    function test_VestedAt_StreamsLinearlyInsideAPeriod() public pure {
        uint256 a = 31e24;
        assertEq(EmissionSchedule.vestedAt(a, START, START + P / 2), 8e24);
        assertEq(EmissionSchedule.vestedAt(a, START, START + P + P / 2), 20e24);
    }

    function test_VestedAt_IsTheWholePoolAfterTenYears() public pure {
        assertEq(EmissionSchedule.vestedAt(300_000_000e18, START, START + 10 * 365 days), 300_000_000e18);
        assertEq(EmissionSchedule.vestedAt(300_000_000e18, START, type(uint64).max), 300_000_000e18);
    }

    function testFuzz_VestedAt_MatchesThePeriodByPeriodReference(uint256 allocation, uint256 elapsed) public pure {
        allocation = bound(allocation, 1, 1e27);
        elapsed = bound(elapsed, 0, 6 * P);
        assertEq(EmissionSchedule.vestedAt(allocation, START, START + elapsed), _reference(allocation, elapsed));
    }

    function testFuzz_VestedAt_NeverDecreasesAndNeverExceedsTheAllocation(uint256 allocation, uint256 t1, uint256 t2)
        public
        pure
    {
        allocation = bound(allocation, 1, 1e27);
        t1 = bound(t1, 0, 11 * 365 days);
        t2 = bound(t2, t1, 11 * 365 days);
        uint256 v1 = EmissionSchedule.vestedAt(allocation, START, START + t1);
        uint256 v2 = EmissionSchedule.vestedAt(allocation, START, START + t2);
        assertLe(v1, v2);
        assertLe(v2, allocation);
    }

    /// @dev Releases at arbitrary timestamps add up to exactly the pool over the ten years.
    function testFuzz_ReleasesAtArbitraryTimesSumToThePool(uint256 allocation, uint64[8] memory steps) public pure {
        allocation = bound(allocation, 1, 1e27);
        uint256 t = START;
        uint256 released;
        for (uint256 i; i < steps.length; ++i) {
            t += bound(steps[i], 0, 2 * P);
            uint256 due = EmissionSchedule.vestedAt(allocation, START, t) - released;
            released += due;
            assertLe(released, allocation);
        }
        released += EmissionSchedule.vestedAt(allocation, START, START + 5 * P) - released;
        assertEq(released, allocation);
    }
}
