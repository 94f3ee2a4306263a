// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Decay} from "./Decay.sol";

/// @title Normalised reputation arithmetic: values that all decay by the same factor within an era
/// @dev Time since genesis is cut into eras of `ERA_HALF_LIVES` half-lives. A value `v` written at offset `o`
///      into its era is stored as `n = v / 2^(-o / H)`; its value at offset `o'` of the same era is
///      `n * 2^(-o' / H)`. Every stored value of an era is therefore scaled by one common factor, and a sum of
///      `n` is the normalised sum of the values. Moving `n` to the next era divides it by exactly
///      `2^ERA_HALF_LIVES` (a shift). Normalising rounds up and reading rounds down, so a value written at `t`
///      reads back exactly at `t` and never reads above what was written.
library ReputationMath {
    uint256 internal constant ERA_HALF_LIVES = 32;
    uint256 internal constant ERA_LENGTH = ERA_HALF_LIVES * Decay.HALF_LIFE;

    /// @notice The era of `timepoint` and the common decay factor (Q128) of that era at `timepoint`.
    /// @dev Time before `genesis` counts as the genesis instant: nothing decays before it.
    function position(uint256 genesis, uint256 timepoint) internal pure returns (uint256 era, uint256 factor) {
        uint256 sinceGenesis = timepoint > genesis ? timepoint - genesis : 0;
        era = sinceGenesis / ERA_LENGTH;
        // offset < 32 half-lives, so factor >= 2^96: never zero.
        factor = Decay.factor(sinceGenesis % ERA_LENGTH);
    }

    /// @notice `ceil(value / factor)`: the normalised form of `value` at a point whose era factor is `factor`.
    function normalise(uint256 value, uint256 factor) internal pure returns (uint256) {
        return Math.mulDiv(value, Decay.Q128, factor, Math.Rounding.Ceil);
    }

    /// @notice `floor(normalised * factor)`: the value of a normalised amount at a point with era factor `factor`.
    function denormalise(uint256 normalised, uint256 factor) internal pure returns (uint256) {
        return Math.mulDiv(normalised, factor, Decay.Q128);
    }

    /// @notice Moves a normalised amount from era `fromEra` to the later era `toEra` (rounded down).
    function rebase(uint256 normalised, uint256 fromEra, uint256 toEra) internal pure returns (uint256) {
        if (toEra <= fromEra) return normalised;
        uint256 eras = toEra - fromEra;
        // A shift of 256 bits or more already yields zero; the test keeps `eras * 32` from overflowing.
        if (eras >= 8) return 0;
        return normalised >> (eras * ERA_HALF_LIVES);
    }
}
