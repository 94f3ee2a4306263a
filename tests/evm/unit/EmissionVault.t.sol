// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";
import {IScheduledVault} from "../../../contracts/evm/interfaces/IScheduledVault.sol";
import {IEmissionVault} from "../../../contracts/evm/interfaces/IEmissionVault.sol";
import {AccGenesis} from "../../../contracts/evm/libraries/AccGenesis.sol";
import {EmissionSchedule} from "../../../contracts/evm/libraries/EmissionSchedule.sol";

contract EmissionVaultTest is SuiteFixture {
    function test_Release_PaysTheScheduleToTheBeneficiary() public {
        vm.warp(GENESIS + 365 days);
        uint256 expected = EmissionSchedule.vestedAt(AccGenesis.VALIDATORS_SHARE, GENESIS, block.timestamp);
        vm.expectEmit(address(s.validatorsPool));
        emit IScheduledVault.Released(validatorsBeneficiary, expected, expected);
        uint256 paid = s.validatorsPool.release();
        assertEq(paid, expected);
        assertEq(s.token.balanceOf(validatorsBeneficiary), expected);
        assertEq(s.validatorsPool.released(), expected);
        assertEq(s.validatorsPool.releasable(), 0);
    }

    function test_Release_WithNothingDueChangesNothing() public {
        vm.warp(GENESIS + 10 days);
        s.computePool.release();
        uint256 balance = s.token.balanceOf(computeBeneficiary);
        vm.recordLogs();
        assertEq(s.computePool.release(), 0);
        assertEq(vm.getRecordedLogs().length, 0, "no event for an empty release");
        assertEq(s.token.balanceOf(computeBeneficiary), balance);
    }

    function test_Release_RevertsWithoutBeneficiary() public {
        vm.prank(address(s.timelock));
        s.reviewPool.setBeneficiary(address(0));
        vm.warp(GENESIS + 10 days);
        vm.expectRevert(IScheduledVault.NoBeneficiary.selector);
        s.reviewPool.release();
    }

    function test_PausedStream_AccruesUntilABeneficiaryIsSet() public {
        vm.prank(address(s.timelock));
        s.reviewPool.setBeneficiary(address(0));
        vm.warp(GENESIS + 400 days);
        address next = makeAddr("next");
        vm.prank(address(s.timelock));
        s.reviewPool.setBeneficiary(next);
        assertEq(s.reviewPool.release(), EmissionSchedule.vestedAt(AccGenesis.REVIEW_SHARE, GENESIS, block.timestamp));
        assertEq(s.token.balanceOf(next), s.reviewPool.released());
    }

    function test_SetBeneficiary_OnlyGovernance() public {
        address attacker = makeAddr("attacker");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        s.validatorsPool.setBeneficiary(attacker);
    }

    function test_SetBeneficiary_EmitsOldAndNew() public {
        address next = makeAddr("next");
        vm.expectEmit(address(s.marketplacePool));
        emit IEmissionVault.BeneficiarySet(marketplaceBeneficiary, next);
        vm.prank(address(s.timelock));
        s.marketplacePool.setBeneficiary(next);
        assertEq(s.marketplacePool.beneficiary(), next);
    }

    function test_ExtrasSentToTheVault_AreReleasableAtOnce() public {
        vm.prank(address(s.treasury));
        s.token.transfer(address(s.validatorsPool), 777);
        assertEq(s.validatorsPool.releasable(), 777, "nothing scheduled yet at genesis");
        vm.warp(GENESIS + 1 days);
        uint256 scheduled = s.validatorsPool.vestedAt(uint64(block.timestamp));
        assertEq(s.validatorsPool.release(), scheduled + 777);
    }

    function test_WholePool_IsReleasedAfterTenYears() public {
        EmissionVault[4] memory pools = _pools();
        uint256[4] memory shares = [
            AccGenesis.VALIDATORS_SHARE, AccGenesis.COMPUTE_SHARE, AccGenesis.MARKETPLACE_SHARE, AccGenesis.REVIEW_SHARE
        ];
        for (uint256 year = 1; year <= 11; ++year) {
            vm.warp(GENESIS + year * 365 days - 17);
            for (uint256 i; i < 4; ++i) pools[i].release();
        }
        for (uint256 i; i < 4; ++i) {
            assertEq(pools[i].released(), shares[i]);
            assertEq(s.token.balanceOf(address(pools[i])), 0);
            assertEq(s.token.balanceOf(pools[i].beneficiary()), shares[i]);
        }
    }

    function test_Constructor_RejectsZeroParameters() public {
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "token"));
        new EmissionVault("x", address(0), 1, GENESIS, address(this), address(0));
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "allocation"));
        new EmissionVault("x", address(1), 0, GENESIS, address(this), address(0));
        vm.expectRevert(abi.encodeWithSelector(IScheduledVault.InvalidVaultParameter.selector, "start"));
        new EmissionVault("x", address(1), 1, 0, address(this), address(0));
    }

    function test_Pool_NamesItself() public view {
        assertEq(s.validatorsPool.pool(), "validators");
        assertEq(s.reviewPool.pool(), "review");
    }
}
