// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Weighted sortition keys (Efraimidis-Spirakis)
/// @notice Each candidate gets `key = E / weight` with `E = -log2(u)`, `u = keccak(seed, taskId, agentId) / 2^256`
///         an exponential variate. The committee is the candidates with the smallest keys: weighted sampling
///         without replacement, where each member's chance grows with its weight. A key depends only on the seed
///         and the candidate's own snapshotted weight, so it is checked in O(1) per member.
library Sortition {
    uint256 internal constant KEY_SHIFT = 24;
    uint256 internal constant MAX_KEY = type(uint96).max;

    /// @notice The sortition key of one candidate; smaller is better. `weight` is in weight units (> 0).
    function key(bytes32 seed, uint256 taskId, uint256 agentId, uint256 weight) internal pure returns (uint256) {
        uint256 u = uint256(keccak256(abi.encode(seed, taskId, agentId)));
        uint256 e = (uint256(256) << 64) - log2Q64(u | 1);
        uint256 k = (e << KEY_SHIFT) / weight;
        return k > MAX_KEY ? MAX_KEY : k;
    }

    /// @notice log2(x) in Q64.64 for x > 0, with the fraction exact to 40 bits (rounded down): keys a relative
    ///         2^-40 apart are already ordered correctly, and 24 fewer squarings save about 1,500 gas per key.
    function log2Q64(uint256 x) internal pure returns (uint256 result) {
        uint256 n = _msb(x);
        result = n << 64;
        // y = x / 2^n in Q1.127, in [2^127, 2^128)
        uint256 y = n >= 127 ? x >> (n - 127) : x << (127 - n);
        // 40 squarings, branchless: y < 2^128, so y * y fits; after the shift y < 2^129 and the bit `b` says whether
        // y reached 2 (then halved). Same result as the textbook loop, bit for bit, with no branches. (Not unrolled:
        // the task market sits close to the contract size limit.)
        assembly ("memory-safe") {
            for { let bit := 63 } gt(bit, 23) { bit := sub(bit, 1) } {
                y := shr(127, mul(y, y))
                let b := shr(128, y)
                y := shr(b, y)
                result := or(result, shl(bit, b))
            }
        }
    }

    function _msb(uint256 x) private pure returns (uint256 r) {
        unchecked {
            if (x >= 1 << 128) { x >>= 128; r += 128; }
            if (x >= 1 << 64) { x >>= 64; r += 64; }
            if (x >= 1 << 32) { x >>= 32; r += 32; }
            if (x >= 1 << 16) { x >>= 16; r += 16; }
            if (x >= 1 << 8) { x >>= 8; r += 8; }
            if (x >= 1 << 4) { x >>= 4; r += 4; }
            if (x >= 1 << 2) { x >>= 2; r += 2; }
            if (x >= 1 << 1) r += 1;
        }
    }
}
