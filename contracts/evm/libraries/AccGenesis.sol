// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The genesis supply and its split, in one place for the token, the deployment and the tests
library AccGenesis {
    uint256 internal constant TOTAL_SUPPLY = 1_000_000_000 ether;
    uint256 internal constant BPS = 10_000;

    uint256 internal constant VALIDATORS_BPS = 3_000;
    uint256 internal constant COMPUTE_BPS = 2_500;
    uint256 internal constant MARKETPLACE_BPS = 1_500;
    uint256 internal constant REVIEW_BPS = 1_000;
    uint256 internal constant TREASURY_BPS = 800;
    uint256 internal constant TEAM_BPS = 1_200;

    uint256 internal constant VALIDATORS_SHARE = TOTAL_SUPPLY * VALIDATORS_BPS / BPS;
    uint256 internal constant COMPUTE_SHARE = TOTAL_SUPPLY * COMPUTE_BPS / BPS;
    uint256 internal constant MARKETPLACE_SHARE = TOTAL_SUPPLY * MARKETPLACE_BPS / BPS;
    uint256 internal constant REVIEW_SHARE = TOTAL_SUPPLY * REVIEW_BPS / BPS;
    uint256 internal constant TREASURY_SHARE = TOTAL_SUPPLY * TREASURY_BPS / BPS;
    /// @dev The remainder, so the shares add up to the supply by construction (it equals 12% exactly).
    uint256 internal constant TEAM_SHARE =
        TOTAL_SUPPLY - VALIDATORS_SHARE - COMPUTE_SHARE - MARKETPLACE_SHARE - REVIEW_SHARE - TREASURY_SHARE;

    uint64 internal constant TEAM_CLIFF = 365 days;
    uint64 internal constant TEAM_DURATION = 4 * 365 days;
}
