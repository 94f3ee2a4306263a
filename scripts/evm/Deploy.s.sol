// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {AgentClusterDeployment} from "./AgentClusterDeployment.sol";

/// @title Deploys the whole suite from the broadcasting account
/// @notice Used by scripts/deploy, which validates the same variables first and turns the broadcast record into the
///         deployment manifest. Every AC_* variable is read as a raw string and parsed strictly: a malformed value
///         reverts the simulation (nothing is sent) with a message naming the variable, never falls back to a default.
///         Beneficiaries: AC_TEAM_BENEFICIARY, AC_VALIDATORS_BENEFICIARY, AC_COMPUTE_BENEFICIARY,
///         AC_MARKETPLACE_BENEFICIARY, AC_REVIEW_BENEFICIARY (unset or empty: the deployer). AC_ATTESTORS
///         (comma-separated addresses) are approved at genesis. Seeds come from LocalRandomness unless
///         AC_VRF_COORDINATOR (with AC_VRF_KEY_HASH, AC_VRF_SUBSCRIPTION_ID, optional AC_VRF_CALLBACK_GAS_LIMIT,
///         AC_VRF_CONFIRMATIONS, AC_VRF_NATIVE_PAYMENT) selects Chainlink VRF v2.5.
///         Outside chain ids 31337 and 1337 (anvil, hardhat/ganache) it refuses LocalRandomness unless
///         AC_ALLOW_LOCAL_RANDOMNESS=true, and five identical beneficiaries unless AC_ALLOW_SINGLE_BENEFICIARY=true.
contract Deploy is Script, AgentClusterDeployment {
    uint256 internal constant MAX_CALLBACK_GAS_LIMIT = 2_500_000; // Chainlink VRF v2.5 coordinator maximum
    uint256 internal constant MAX_CONFIRMATIONS = 200; // Chainlink VRF v2.5 coordinator maximum

    function run() external returns (Suite memory s) {
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        DeploymentConfig memory cfg = _config(deployer);
        cfg.genesisTime = uint64(block.timestamp);
        s = _deploySuite(deployer, cfg);
        vm.stopBroadcast();
        console.log("AccToken", address(s.token));
        console.log("Governor", address(s.governor));
        console.log("Timelock", address(s.timelock));
        console.log("TaskMarket", address(s.market));
    }

    function _config(address deployer) internal view returns (DeploymentConfig memory cfg) {
        cfg.teamBeneficiary = _envAddress("AC_TEAM_BENEFICIARY", deployer);
        cfg.validatorsBeneficiary = _envAddress("AC_VALIDATORS_BENEFICIARY", deployer);
        cfg.computeBeneficiary = _envAddress("AC_COMPUTE_BENEFICIARY", deployer);
        cfg.marketplaceBeneficiary = _envAddress("AC_MARKETPLACE_BENEFICIARY", deployer);
        cfg.reviewBeneficiary = _envAddress("AC_REVIEW_BENEFICIARY", deployer);
        cfg.attestors = _envAddressList("AC_ATTESTORS");
        cfg.vrfCoordinator = _envAddress("AC_VRF_COORDINATOR", address(0));
        bool local = block.chainid == 31337 || block.chainid == 1337;
        if (cfg.vrfCoordinator != address(0)) {
            require(cfg.vrfCoordinator.code.length > 0, "AC_VRF_COORDINATOR has no code on this chain");
            cfg.vrf.keyHash = _envBytes32("AC_VRF_KEY_HASH");
            require(cfg.vrf.keyHash != bytes32(0), "AC_VRF_KEY_HASH is zero");
            cfg.vrf.subscriptionId = _envUint("AC_VRF_SUBSCRIPTION_ID", 0, 1, type(uint256).max, true);
            cfg.vrf.callbackGasLimit =
                uint32(_envUint("AC_VRF_CALLBACK_GAS_LIMIT", 200_000, 1, MAX_CALLBACK_GAS_LIMIT, false));
            cfg.vrf.requestConfirmations = uint16(_envUint("AC_VRF_CONFIRMATIONS", 3, 0, MAX_CONFIRMATIONS, false));
            cfg.vrf.nativePayment = _envBool("AC_VRF_NATIVE_PAYMENT", false);
        } else {
            string[5] memory vrfOnly = [
                "AC_VRF_KEY_HASH",
                "AC_VRF_SUBSCRIPTION_ID",
                "AC_VRF_CALLBACK_GAS_LIMIT",
                "AC_VRF_CONFIRMATIONS",
                "AC_VRF_NATIVE_PAYMENT"
            ];
            for (uint256 i; i < vrfOnly.length; ++i) {
                require(bytes(_raw(vrfOnly[i])).length == 0, string.concat(vrfOnly[i], " is set but AC_VRF_COORDINATOR is not"));
            }
            require(
                local || _envBool("AC_ALLOW_LOCAL_RANDOMNESS", false),
                string.concat(
                    "LocalRandomness on chain ",
                    vm.toString(block.chainid),
                    ", which is not local (31337/1337): set AC_VRF_COORDINATOR or AC_ALLOW_LOCAL_RANDOMNESS=true"
                )
            );
        }
        address b = cfg.teamBeneficiary;
        bool single = cfg.validatorsBeneficiary == b && cfg.computeBeneficiary == b && cfg.marketplaceBeneficiary == b
            && cfg.reviewBeneficiary == b;
        require(
            !single || local || _envBool("AC_ALLOW_SINGLE_BENEFICIARY", false),
            string.concat(
                "all five beneficiaries are ",
                vm.toString(b),
                ": set distinct AC_*_BENEFICIARY or AC_ALLOW_SINGLE_BENEFICIARY=true"
            )
        );
    }

    // --- strict parsing of the raw environment ------------------------------------------------------------------

    function _raw(string memory name) internal view returns (string memory) {
        return vm.envOr(name, string(""));
    }

    function _envAddress(string memory name, address dflt) internal view returns (address) {
        string memory raw = _raw(name);
        if (bytes(raw).length == 0) return dflt;
        return _parseAddress(name, raw);
    }

    function _parseAddress(string memory name, string memory raw) internal pure returns (address) {
        bytes memory b = bytes(raw);
        require(
            b.length == 42 && b[0] == "0" && (b[1] == "x" || b[1] == "X"),
            string.concat(name, " is not an address (0x + 40 hex digits): '", raw, "'")
        );
        uint160 v;
        for (uint256 i = 2; i < 42; ++i) {
            v = (v << 4) | uint160(_hexDigit(name, raw, b[i]));
        }
        require(v != 0, string.concat(name, " is the zero address"));
        return address(v);
    }

    /// @dev Comma-separated addresses, no spaces, no empty entries, no duplicates; unset or empty: none.
    function _envAddressList(string memory name) internal view returns (address[] memory list) {
        bytes memory b = bytes(_raw(name));
        if (b.length == 0) return new address[](0);
        uint256 n = 1;
        for (uint256 i; i < b.length; ++i) {
            if (b[i] == ",") ++n;
        }
        list = new address[](n);
        uint256 start;
        uint256 k;
        for (uint256 i; i <= b.length; ++i) {
            if (i == b.length || b[i] == ",") {
                bytes memory item = new bytes(i - start);
                for (uint256 j; j < item.length; ++j) {
                    item[j] = b[start + j];
                }
                string memory label = string.concat(name, " entry ", vm.toString(k + 1));
                list[k] = _parseAddress(label, string(item));
                for (uint256 j; j < k; ++j) {
                    require(list[j] != list[k], string.concat(label, " repeats ", string(item)));
                }
                ++k;
                start = i + 1;
            }
        }
    }

    function _envBytes32(string memory name) internal view returns (bytes32 v) {
        string memory raw = _raw(name);
        bytes memory b = bytes(raw);
        require(
            b.length == 66 && b[0] == "0" && (b[1] == "x" || b[1] == "X"),
            string.concat(name, " must be 32 bytes (0x + 64 hex digits): '", raw, "'")
        );
        for (uint256 i = 2; i < 66; ++i) {
            v = (v << 4) | bytes32(uint256(_hexDigit(name, raw, b[i])));
        }
    }

    /// @dev Decimal digits (or 0x + hex digits), within [min, max]; unset or empty: the default, or a revert if `required`.
    function _envUint(string memory name, uint256 dflt, uint256 min, uint256 max, bool required)
        internal
        view
        returns (uint256 v)
    {
        string memory raw = _raw(name);
        bytes memory b = bytes(raw);
        if (b.length == 0) {
            require(!required, string.concat(name, " is required when AC_VRF_COORDINATOR is set"));
            return dflt;
        }
        string memory bad = string.concat(name, " is not an unsigned integer: '", raw, "'");
        bool hex_ = b.length > 2 && b[0] == "0" && (b[1] == "x" || b[1] == "X");
        require(b.length <= (hex_ ? 66 : 78), string.concat(name, " is out of range: '", raw, "'"));
        for (uint256 i = hex_ ? 2 : 0; i < b.length; ++i) {
            uint256 d;
            if (hex_) {
                d = _hexDigit(name, raw, b[i]);
            } else {
                require(b[i] >= "0" && b[i] <= "9", bad);
                d = uint8(b[i]) - 48;
                require(v <= (type(uint256).max - d) / 10, string.concat(name, " is out of range: '", raw, "'"));
            }
            v = hex_ ? (v << 4) | d : v * 10 + d;
        }
        require(
            v >= min && v <= max,
            string.concat(name, " must be from ", vm.toString(min), " to ", vm.toString(max), ", got ", raw)
        );
    }

    function _envBool(string memory name, bool dflt) internal view returns (bool) {
        string memory raw = _raw(name);
        bytes32 h = keccak256(bytes(raw));
        if (bytes(raw).length == 0) return dflt;
        if (h == keccak256("true")) return true;
        if (h == keccak256("false")) return false;
        revert(string.concat(name, " must be true or false: '", raw, "'"));
    }

    function _hexDigit(string memory name, string memory raw, bytes1 c) internal pure returns (uint8) {
        if (c >= "0" && c <= "9") return uint8(c) - 48;
        if (c >= "a" && c <= "f") return uint8(c) - 87;
        if (c >= "A" && c <= "F") return uint8(c) - 55;
        revert(string.concat(name, " has a non-hex character: '", raw, "'"));
    }
}
