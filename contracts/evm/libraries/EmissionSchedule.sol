// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Halving emission: five 2-year periods, each streaming half of the one before
/// @dev Weights 16, 8, 4, 2, 1 (sum 31), linear inside a period. The result is a floor of a monotone
///      function of time, so it never decreases, and it is exactly `allocation` once the schedule ends.
library EmissionSchedule {
    uint256 internal constant PERIOD = 2 * 365 days;
    uint256 internal constant PERIODS = 5;
    uint256 internal constant DURATION = PERIOD * PERIODS;
    uint256 internal constant TOTAL_WEIGHT = 31;

    /// @notice Amount of `allocation` made available by `timestamp` for a schedule starting at `start`.
    function vestedAt(uint256 allocation, uint256 start, uint256 timestamp) internal pure returns (uint256) {
        if (timestamp <= start) return 0;
        uint256 elapsed = timestamp - start;
        if (elapsed >= DURATION) return allocation;
        uint256 period = elapsed / PERIOD;
        uint256 intoPeriod = elapsed % PERIOD;
        uint256 weightedSeconds = (32 - (32 >> period)) * PERIOD + (16 >> period) * intoPeriod;
        // allocation <= 1e27 and weightedSeconds < 31 * PERIOD < 2^31: the product cannot overflow.
        return allocation * weightedSeconds / (TOTAL_WEIGHT * PERIOD);
    }

    /// @notice What the whole of period `index` (0-based) emits, rounding as `vestedAt` does.
    function periodEmission(uint256 allocation, uint256 index) internal pure returns (uint256) {
        if (index >= PERIODS) return 0;
        return vestedAt(allocation, 0, (index + 1) * PERIOD) - vestedAt(allocation, 0, index * PERIOD);
    }
}
