// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {AgentClusterDeployment} from "./AgentClusterDeployment.sol";

/// @title Deploys the whole suite from the broadcasting account
/// @notice Used by scripts/deploy, which turns the broadcast record into the deployment manifest.
///         Beneficiaries come from the environment (AC_TEAM_BENEFICIARY, AC_VALIDATORS_BENEFICIARY,
///         AC_COMPUTE_BENEFICIARY, AC_MARKETPLACE_BENEFICIARY, AC_REVIEW_BENEFICIARY) and default to the deployer.
contract Deploy is Script, AgentClusterDeployment {
    function run() external returns (Suite memory s) {
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        DeploymentConfig memory cfg = DeploymentConfig({
            genesisTime: uint64(block.timestamp),
            teamBeneficiary: vm.envOr("AC_TEAM_BENEFICIARY", deployer),
            validatorsBeneficiary: vm.envOr("AC_VALIDATORS_BENEFICIARY", deployer),
            computeBeneficiary: vm.envOr("AC_COMPUTE_BENEFICIARY", deployer),
            marketplaceBeneficiary: vm.envOr("AC_MARKETPLACE_BENEFICIARY", deployer),
            reviewBeneficiary: vm.envOr("AC_REVIEW_BENEFICIARY", deployer)
        });
        s = _deploySuite(deployer, cfg);
        vm.stopBroadcast();
        console.log("AccToken", address(s.token));
        console.log("Governor", address(s.governor));
        console.log("Timelock", address(s.timelock));
    }
}
