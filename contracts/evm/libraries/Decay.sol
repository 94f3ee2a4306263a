// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Exponential decay with a fixed half-life
/// @dev `exp2Neg(x)` = 2^(-x) for x in Q64.64, returned in Q128 (2^128 = 1). The fraction is expanded bit by
///      bit: 2^(-f) = prod over set bits k of 2^(-2^-k), with each constant floor(2^128 * 2^(-2^-k)) computed at
///      80-digit precision. Every multiply truncates by less than 2^-128, so the relative error stays below
///      64 * 2^-128 plus the 2^-64 quantisation of the exponent: far below the 1e-9 the protocol needs.
library Decay {
    uint256 internal constant HALF_LIFE = 90 days;
    uint256 internal constant Q128 = 1 << 128;

    /// @notice 2^(-x) in Q128 for `x` in Q64.64 (x / 2^64 halvings). Zero once x >= 128 halvings.
    function exp2Neg(uint256 x) internal pure returns (uint256 r) {
        uint256 whole = x >> 64;
        if (whole >= 128) return 0;
        uint256 frac = x & 0xffffffffffffffff;
        r = Q128;
        unchecked {
            if (frac & 0x8000000000000000 != 0) r = (r * 0xb504f333f9de6484597d89b3754abe9f) >> 128;
            if (frac & 0x4000000000000000 != 0) r = (r * 0xd744fccad69d6af439a68bb9902d3fde) >> 128;
            if (frac & 0x2000000000000000 != 0) r = (r * 0xeac0c6e7dd24392ed02d75b3706e54fa) >> 128;
            if (frac & 0x1000000000000000 != 0) r = (r * 0xf5257d152486cc2c7b9d0c7aed980fc3) >> 128;
            if (frac & 0x800000000000000 != 0) r = (r * 0xfa83b2db722a033a7c25bb14315d7fcc) >> 128;
            if (frac & 0x400000000000000 != 0) r = (r * 0xfd3e0c0cf486c174853f3a5931e0ee03) >> 128;
            if (frac & 0x200000000000000 != 0) r = (r * 0xfe9e115c7b8f884badd25995e79d2f09) >> 128;
            if (frac & 0x100000000000000 != 0) r = (r * 0xff4ecb59511ec8a5301ba217ef18dd7c) >> 128;
            if (frac & 0x80000000000000 != 0) r = (r * 0xffa756521c8daed19f3a1b48fb94c589) >> 128;
            if (frac & 0x40000000000000 != 0) r = (r * 0xffd3a751c0f7e10bd3b9f8ae012fbe06) >> 128;
            if (frac & 0x20000000000000 != 0) r = (r * 0xffe9d2b2f7db2755ddf1d28a378a438c) >> 128;
            if (frac & 0x10000000000000 != 0) r = (r * 0xfff4e91bff1b8c3d88338e0ebf284a4d) >> 128;
            if (frac & 0x8000000000000 != 0) r = (r * 0xfffa747ea0040664238f92f792405805) >> 128;
            if (frac & 0x4000000000000 != 0) r = (r * 0xfffd3a3b7814eb53cd7629d70fea116a) >> 128;
            if (frac & 0x2000000000000 != 0) r = (r * 0xfffe9d1cc60ddab126de1aec4a87e7b8) >> 128;
            if (frac & 0x1000000000000 != 0) r = (r * 0xffff4e8e25879bfa09ea263360240c1a) >> 128;
            if (frac & 0x800000000000 != 0) r = (r * 0xffffa7470363f4515426d76c762b6b61) >> 128;
            if (frac & 0x400000000000 != 0) r = (r * 0xffffd3a37dda03133bde87a8379c8932) >> 128;
            if (frac & 0x200000000000 != 0) r = (r * 0xffffe9d1bdf703aef21ea4dcfb0682d8) >> 128;
            if (frac & 0x100000000000 != 0) r = (r * 0xfffff4e8debe025e24128a3d460731f1) >> 128;
            if (frac & 0x80000000000 != 0) r = (r * 0xfffffa746f4fa1506788fbc89750bf71) >> 128;
            if (frac & 0x40000000000 != 0) r = (r * 0xfffffd3a37a3f8b07e7c4871dc00d76e) >> 128;
            if (frac & 0x20000000000 != 0) r = (r * 0xfffffe9d1bd1065a50971275792f1c83) >> 128;
            if (frac & 0x10000000000 != 0) r = (r * 0xffffff4e8de845adac77243cd0914b37) >> 128;
            if (frac & 0x8000000000 != 0) r = (r * 0xffffffa746f41376f74124cd483186d4) >> 128;
            if (frac & 0x4000000000 != 0) r = (r * 0xffffffd3a37a05e383e14c90273c94f5) >> 128;
            if (frac & 0x2000000000 != 0) r = (r * 0xffffffe9d1bd01fbc400bf822dc936b5) >> 128;
            if (frac & 0x1000000000 != 0) r = (r * 0xfffffff4e8de80c062846365949b61af) >> 128;
            if (frac & 0x800000000 != 0) r = (r * 0xfffffffa746f4050d1633246a8a0e09a) >> 128;
            if (frac & 0x400000000 != 0) r = (r * 0xfffffffd3a37a02490b9d93da3c1ebcf) >> 128;
            if (frac & 0x200000000 != 0) r = (r * 0xfffffffe9d1bd011525efca410b8eab7) >> 128;
            if (frac & 0x100000000 != 0) r = (r * 0xffffffff4e8de8086bb002532d71e54d) >> 128;
            if (frac & 0x80000000 != 0) r = (r * 0xffffffffa746f40426782229daaa3cfa) >> 128;
            if (frac & 0x40000000 != 0) r = (r * 0xffffffffd3a37a020f641954fda6eedd) >> 128;
            if (frac & 0x20000000 != 0) r = (r * 0xffffffffe9d1bd0106bc0eba82d29b40) >> 128;
            if (frac & 0x10000000 != 0) r = (r * 0xfffffffff4e8de80832087e142666c8b) >> 128;
            if (frac & 0x8000000 != 0) r = (r * 0xfffffffffa746f404180e411a17228bf) >> 128;
            if (frac & 0x4000000 != 0) r = (r * 0xfffffffffd3a37a020bc9a1110c8c656) >> 128;
            if (frac & 0x2000000 != 0) r = (r * 0xfffffffffe9d1bd0105d570a98684e53) >> 128;
            if (frac & 0x1000000 != 0) r = (r * 0xffffffffff4e8de8082e6e05d03521c9) >> 128;
            if (frac & 0x800000 != 0) r = (r * 0xffffffffffa746f4041727a3091acf87) >> 128;
            if (frac & 0x400000 != 0) r = (r * 0xffffffffffd3a37a020b8ff98ccd776b) >> 128;
            if (frac & 0x200000 != 0) r = (r * 0xffffffffffe9d1bd0105c706c876bf9f) >> 128;
            if (frac & 0x100000 != 0) r = (r * 0xfffffffffff4e8de8082e345e4bf60ca) >> 128;
            if (frac & 0x80000 != 0) r = (r * 0xfffffffffffa746f404171939280b0a3) >> 128;
            if (frac & 0x40000 != 0) r = (r * 0xfffffffffffd3a37a020b8c5f1489861) >> 128;
            if (frac & 0x20000 != 0) r = (r * 0xfffffffffffe9d1bd0105c6202a65c34) >> 128;
            if (frac & 0x10000 != 0) r = (r * 0xffffffffffff4e8de8082e30c3d3b21b) >> 128;
            if (frac & 0x8000 != 0) r = (r * 0xffffffffffffa746f40417185289fa0d) >> 128;
            if (frac & 0x4000 != 0) r = (r * 0xffffffffffffd3a37a020b8c256d0547) >> 128;
            if (frac & 0x2000 != 0) r = (r * 0xffffffffffffe9d1bd0105c611c084b3) >> 128;
            if (frac & 0x1000 != 0) r = (r * 0xfffffffffffff4e8de8082e308a2c2dd) >> 128;
            if (frac & 0x800 != 0) r = (r * 0xfffffffffffffa746f4041718442018f) >> 128;
            if (frac & 0x400 != 0) r = (r * 0xfffffffffffffd3a37a020b8c21d28d0) >> 128;
            if (frac & 0x200 != 0) r = (r * 0xfffffffffffffe9d1bd0105c610d9e6a) >> 128;
            if (frac & 0x100 != 0) r = (r * 0xffffffffffffff4e8de8082e308691b5) >> 128;
            if (frac & 0x80 != 0) r = (r * 0xffffffffffffffa746f404171843397a) >> 128;
            if (frac & 0x40 != 0) r = (r * 0xffffffffffffffd3a37a020b8c2198e5) >> 128;
            if (frac & 0x20 != 0) r = (r * 0xffffffffffffffe9d1bd0105c610cb7c) >> 128;
            if (frac & 0x10 != 0) r = (r * 0xfffffffffffffff4e8de8082e3086580) >> 128;
            if (frac & 0x8 != 0) r = (r * 0xfffffffffffffffa746f4041718432b1) >> 128;
            if (frac & 0x4 != 0) r = (r * 0xfffffffffffffffd3a37a020b8c21954) >> 128;
            if (frac & 0x2 != 0) r = (r * 0xfffffffffffffffe9d1bd0105c610ca9) >> 128;
            if (frac & 0x1 != 0) r = (r * 0xffffffffffffffff4e8de8082e308654) >> 128;
        }
        r >>= whole;
    }

    /// @notice The factor by which a value decays over `elapsed` seconds, in Q128.
    function factor(uint256 elapsed) internal pure returns (uint256) {
        if (elapsed >= 128 * HALF_LIFE) return 0;
        return exp2Neg((elapsed << 64) / HALF_LIFE);
    }

    /// @notice `value` decayed over `elapsed` seconds (rounded down).
    function decay(uint256 value, uint256 elapsed) internal pure returns (uint256) {
        return mulQ128(value, factor(elapsed));
    }

    /// @notice `value * f / 2^128` without overflow for value < 2^128.
    function mulQ128(uint256 value, uint256 f) internal pure returns (uint256) {
        return (value * f) >> 128;
    }
}
