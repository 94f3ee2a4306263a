// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Decay} from "../../../contracts/evm/libraries/Decay.sol";

contract DecayTest is Test {
    uint256 internal constant ONE36 = 1e36;
    /// ln 2 to 36 decimals.
    uint256 internal constant LN2_36 = 693147180559945309417232121458176568;

    /// @dev Independent reference: e^(-y) by its Taylor series at 36 decimals, y = x ln2, x in [0, 1),
    ///      then halved `whole` times. Alternating series: the error is below the first omitted term.
    function _reference(uint256 elapsed) internal pure returns (uint256 value36) {
        uint256 whole = elapsed / Decay.HALF_LIFE;
        uint256 rem = elapsed % Decay.HALF_LIFE;
        uint256 y = rem * LN2_36 / Decay.HALF_LIFE; // < ln2, 36 decimals
        uint256 term = ONE36;
        int256 sum = int256(ONE36);
        for (uint256 k = 1; k < 40; ++k) {
            term = term * y / ONE36 / k;
            if (term == 0) break;
            sum += (k % 2 == 1) ? -int256(term) : int256(term);
        }
        value36 = uint256(sum) >> whole;
    }

    function _toQ128(uint256 value36) internal pure returns (uint256) {
        return value36 * (1 << 128) / ONE36;
    }

    function test_Factor_IsOneAtZeroAndHalfAtTheHalfLife() public pure {
        assertEq(Decay.factor(0), 1 << 128);
        assertApproxEqRel(Decay.factor(90 days), 1 << 127, 1);
        assertApproxEqRel(Decay.factor(180 days), 1 << 126, 1);
        assertApproxEqRel(Decay.factor(45 days), 240615969168004511545033772477625056927, 1e3);
    }

    function test_Factor_IsZeroAfter128HalfLives() public pure {
        assertEq(Decay.factor(128 * 90 days), 0);
        assertEq(Decay.decay(1e30, type(uint64).max), 0);
    }

    function testFuzz_Factor_MatchesTheHighPrecisionReferenceTo1e9(uint256 elapsed) public pure {
        elapsed = bound(elapsed, 0, 60 * 90 days);
        uint256 ours = Decay.factor(elapsed);
        uint256 ref = _toQ128(_reference(elapsed));
        // relative error below 1e-9 (assertApproxEqRel works in 1e18 = 100%)
        assertApproxEqRel(ours, ref, 1e9);
    }

    function testFuzz_Factor_NeverIncreasesWithTime(uint256 a, uint256 b) public pure {
        a = bound(a, 0, 130 * 90 days);
        b = bound(b, a, 130 * 90 days);
        assertLe(Decay.factor(b), Decay.factor(a));
    }

    function testFuzz_Decay_ComposesOverSplitIntervals(uint256 value, uint256 t1, uint256 t2) public pure {
        value = bound(value, 1e18, 1e30);
        t1 = bound(t1, 0, 1000 days);
        t2 = bound(t2, 0, 1000 days);
        uint256 direct = Decay.decay(value, t1 + t2);
        uint256 stepped = Decay.decay(Decay.decay(value, t1), t2);
        assertApproxEqRel(stepped, direct, 1e9);
    }
}
