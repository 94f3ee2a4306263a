// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {AgentClusterDeployment} from "../../../scripts/evm/AgentClusterDeployment.sol";
import {AccGenesis} from "../../../contracts/evm/libraries/AccGenesis.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";

/// @dev Deploys the suite exactly as scripts/evm/Deploy.s.sol does, with this test contract as deployer.
abstract contract SuiteFixture is Test, AgentClusterDeployment {
    uint256 internal constant SUPPLY = AccGenesis.TOTAL_SUPPLY;
    uint64 internal constant GENESIS = 1_750_000_000;

    Suite internal s;
    address internal team = makeAddr("team");
    address internal validatorsBeneficiary = makeAddr("validatorsBeneficiary");
    address internal computeBeneficiary = makeAddr("computeBeneficiary");
    address internal marketplaceBeneficiary = makeAddr("marketplaceBeneficiary");
    address internal reviewBeneficiary = makeAddr("reviewBeneficiary");
    uint256 internal suiteAttestorPk = uint256(keccak256("suite attestor"));
    address internal suiteAttestor = vm.addr(suiteAttestorPk);

    function setUp() public virtual {
        vm.warp(GENESIS);
        s = _deploySuite(address(this), _config());
    }

    function _config() internal view returns (DeploymentConfig memory cfg) {
        cfg.genesisTime = GENESIS;
        cfg.teamBeneficiary = team;
        cfg.validatorsBeneficiary = validatorsBeneficiary;
        cfg.computeBeneficiary = computeBeneficiary;
        cfg.marketplaceBeneficiary = marketplaceBeneficiary;
        cfg.reviewBeneficiary = reviewBeneficiary;
        cfg.attestors = new address[](1);
        cfg.attestors[0] = suiteAttestor;
    }

    function _pools() internal view returns (EmissionVault[4] memory) {
        return [s.validatorsPool, s.computePool, s.marketplacePool, s.reviewPool];
    }

    /// @dev Releases every pool to its beneficiary and gathers it all at `to`; returns the amount gathered.
    function _releaseAllTo(address to) internal returns (uint256 total) {
        EmissionVault[4] memory pools = _pools();
        for (uint256 i; i < pools.length; ++i) {
            uint256 amount = pools[i].release();
            address b = pools[i].beneficiary();
            if (b != to) {
                vm.prank(b);
                s.token.transfer(to, amount);
            }
            total += amount;
        }
    }
}
