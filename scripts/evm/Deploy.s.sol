// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {AgentClusterDeployment} from "./AgentClusterDeployment.sol";

/// @title Deploys the whole suite from the broadcasting account
/// @notice Used by scripts/deploy, which turns the broadcast record into the deployment manifest.
///         Beneficiaries come from the environment (AC_TEAM_BENEFICIARY, AC_VALIDATORS_BENEFICIARY,
///         AC_COMPUTE_BENEFICIARY, AC_MARKETPLACE_BENEFICIARY, AC_REVIEW_BENEFICIARY) and default to the deployer.
///         AC_ATTESTORS (comma-separated) are the attestors approved at genesis. Seeds come from LocalRandomness
///         unless AC_VRF_COORDINATOR (with AC_VRF_KEY_HASH, AC_VRF_SUBSCRIPTION_ID) selects Chainlink VRF v2.5.
contract Deploy is Script, AgentClusterDeployment {
    function run() external returns (Suite memory s) {
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        DeploymentConfig memory cfg;
        cfg.genesisTime = uint64(block.timestamp);
        cfg.teamBeneficiary = vm.envOr("AC_TEAM_BENEFICIARY", deployer);
        cfg.validatorsBeneficiary = vm.envOr("AC_VALIDATORS_BENEFICIARY", deployer);
        cfg.computeBeneficiary = vm.envOr("AC_COMPUTE_BENEFICIARY", deployer);
        cfg.marketplaceBeneficiary = vm.envOr("AC_MARKETPLACE_BENEFICIARY", deployer);
        cfg.reviewBeneficiary = vm.envOr("AC_REVIEW_BENEFICIARY", deployer);
        cfg.attestors = vm.envOr("AC_ATTESTORS", ",", new address[](0));
        cfg.vrfCoordinator = vm.envOr("AC_VRF_COORDINATOR", address(0));
        if (cfg.vrfCoordinator != address(0)) {
            cfg.vrf.keyHash = vm.envBytes32("AC_VRF_KEY_HASH");
            cfg.vrf.subscriptionId = vm.envUint("AC_VRF_SUBSCRIPTION_ID");
            cfg.vrf.callbackGasLimit = uint32(vm.envOr("AC_VRF_CALLBACK_GAS_LIMIT", uint256(200_000)));
            cfg.vrf.requestConfirmations = uint16(vm.envOr("AC_VRF_CONFIRMATIONS", uint256(3)));
            cfg.vrf.nativePayment = vm.envOr("AC_VRF_NATIVE_PAYMENT", false);
        }
        s = _deploySuite(deployer, cfg);
        vm.stopBroadcast();
        console.log("AccToken", address(s.token));
        console.log("Governor", address(s.governor));
        console.log("Timelock", address(s.timelock));
        console.log("TaskMarket", address(s.market));
    }
}
