// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {ITreasury} from "../../../contracts/evm/interfaces/ITreasury.sol";
import {INonRenounceableOwnership} from "../../../contracts/evm/interfaces/INonRenounceableOwnership.sol";
import {AccGenesis} from "../../../contracts/evm/libraries/AccGenesis.sol";

contract OtherToken is ERC20 {
    constructor(address to, uint256 amount) ERC20("Other", "OTH") {
        _mint(to, amount);
    }
}

contract TreasuryTest is SuiteFixture {
    address internal grantee = makeAddr("grantee");

    function test_Transfer_ByGovernanceMovesFunds() public {
        vm.expectEmit(address(s.treasury));
        emit ITreasury.TreasuryTransfer(address(s.token), grantee, 5e18);
        vm.prank(address(s.timelock));
        s.treasury.transfer(IERC20(address(s.token)), grantee, 5e18);
        assertEq(s.token.balanceOf(grantee), 5e18);
    }

    function test_Transfer_RevertsForAnyoneElse() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, grantee));
        vm.prank(grantee);
        s.treasury.transfer(IERC20(address(s.token)), grantee, 1);
    }

    function test_Transfer_RevertsToTheZeroAddress() public {
        vm.expectRevert(ITreasury.ZeroRecipient.selector);
        vm.prank(address(s.timelock));
        s.treasury.transfer(IERC20(address(s.token)), address(0), 1);
    }

    // ---------------------------------------------------------------- per-period cap

    function _cap() internal view returns (uint256) {
        return s.token.balanceOf(address(s.treasury)) * s.treasury.periodCapBps() / 10_000;
    }

    function test_PeriodCap_DefaultsToFivePercentOfTheBalance() public view {
        assertEq(s.treasury.periodCapBps(), 500);
        assertEq(s.treasury.availableThisPeriod(IERC20(address(s.token))), AccGenesis.TREASURY_SHARE / 20);
    }

    function test_PeriodCap_LimitsTransfersWithinAPeriodAndRefillsInTheNext() public {
        IERC20 acc = IERC20(address(s.token));
        uint256 cap = _cap();
        vm.startPrank(address(s.timelock));
        vm.expectEmit(address(s.treasury));
        emit ITreasury.TreasuryPeriodOpened(address(acc), s.treasury.currentPeriod(), AccGenesis.TREASURY_SHARE);
        s.treasury.transfer(acc, grantee, cap - 1);
        assertEq(s.treasury.availableThisPeriod(acc), 1);
        vm.expectRevert(abi.encodeWithSelector(ITreasury.TreasuryPeriodCapExceeded.selector, address(acc), 2, 1));
        s.treasury.transfer(acc, grantee, 2);
        s.treasury.transfer(acc, grantee, 1);
        assertEq(s.treasury.availableThisPeriod(acc), 0);
        vm.warp((uint256(s.treasury.currentPeriod()) + 1) * s.treasury.PERIOD());
        uint256 next = s.token.balanceOf(address(s.treasury)) * 500 / 10_000;
        assertEq(s.treasury.availableThisPeriod(acc), next);
        s.treasury.transfer(acc, grantee, next);
        vm.stopPrank();
        assertEq(s.token.balanceOf(grantee), cap + next);
    }

    function test_PeriodCap_IsPerToken() public {
        IERC20 acc = IERC20(address(s.token));
        uint256 cap = _cap();
        vm.prank(address(s.timelock));
        s.treasury.transfer(acc, grantee, cap);
        assertEq(s.treasury.availableThisPeriod(acc), 0);
        OtherToken other = new OtherToken(address(s.treasury), 1_000e18);
        assertEq(s.treasury.availableThisPeriod(IERC20(address(other))), 50e18);
        vm.prank(address(s.timelock));
        s.treasury.transfer(IERC20(address(other)), grantee, 50e18);
        assertEq(other.balanceOf(grantee), 50e18);
    }

    function test_SetPeriodCap_BoundedAndGovernanceOnly() public {
        vm.startPrank(address(s.timelock));
        vm.expectRevert(abi.encodeWithSelector(ITreasury.PeriodCapOutOfBounds.selector, 99, 100, 2_000));
        s.treasury.setPeriodCap(99);
        vm.expectRevert(abi.encodeWithSelector(ITreasury.PeriodCapOutOfBounds.selector, 2_001, 100, 2_000));
        s.treasury.setPeriodCap(2_001);
        vm.expectEmit(address(s.treasury));
        emit ITreasury.PeriodCapSet(500, 2_000);
        s.treasury.setPeriodCap(2_000);
        vm.stopPrank();
        assertEq(s.treasury.availableThisPeriod(IERC20(address(s.token))), AccGenesis.TREASURY_SHARE / 5);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, grantee));
        vm.prank(grantee);
        s.treasury.setPeriodCap(1_000);
    }

    function test_LoweringTheCapMidPeriod_LeavesNothingRatherThanUnderflowing() public {
        IERC20 acc = IERC20(address(s.token));
        vm.startPrank(address(s.timelock));
        s.treasury.transfer(acc, grantee, _cap());
        s.treasury.setPeriodCap(100);
        vm.stopPrank();
        assertEq(s.treasury.availableThisPeriod(acc), 0);
    }

    function test_RenounceOwnership_Reverts() public {
        vm.expectRevert(INonRenounceableOwnership.OwnershipCannotBeRenounced.selector);
        vm.prank(address(s.timelock));
        s.treasury.renounceOwnership();
        assertEq(s.treasury.owner(), address(s.timelock));
    }
}
