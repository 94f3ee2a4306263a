// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {IFeeRouter} from "../../../contracts/evm/interfaces/IFeeRouter.sol";
import {FeeSplit} from "../../../contracts/evm/libraries/FeeSplit.sol";

contract FeeRouterTest is SuiteFixture {
    address internal payer = makeAddr("payer");

    function setUp() public override {
        super.setUp();
        vm.prank(address(s.treasury));
        s.token.transfer(payer, 1_000_000e18);
        vm.prank(payer);
        s.token.approve(address(s.feeRouter), type(uint256).max);
    }

    function test_RouteFee_BurnsHalfAndPaysHalfToTheValidatorsPool() public {
        uint256 poolBefore = s.token.balanceOf(address(s.validatorsPool));
        vm.expectEmit(address(s.feeRouter));
        emit IFeeRouter.FeeRouted(payer, 100e18, 50e18, 50e18);
        vm.prank(payer);
        (uint256 burned, uint256 toRewards) = s.feeRouter.routeFee(100e18);
        assertEq(burned, 50e18);
        assertEq(toRewards, 50e18);
        assertEq(s.token.totalBurned(), 50e18);
        assertEq(s.token.balanceOf(address(s.validatorsPool)), poolBefore + 50e18);
        assertEq(s.token.balanceOf(address(s.feeRouter)), 0);
    }

    function test_RouteFee_OddWeiGoesToRewardsNotToTheBurn() public {
        vm.prank(payer);
        (uint256 burned, uint256 toRewards) = s.feeRouter.routeFee(7);
        assertEq(burned, 3);
        assertEq(toRewards, 4);
        vm.prank(payer);
        (burned, toRewards) = s.feeRouter.routeFee(1);
        assertEq(burned, 0);
        assertEq(toRewards, 1);
    }

    function testFuzz_Split_ConservesTheFee(uint256 amount, uint16 bps) public pure {
        amount = bound(amount, 0, 1e27);
        bps = uint16(bound(bps, 0, 10_000));
        (uint256 burned, uint256 toRewards) = FeeSplit.split(amount, bps);
        assertEq(burned + toRewards, amount);
        assertEq(burned, amount * bps / 10_000);
        assertLe(toRewards - amount * (10_000 - bps) / 10_000, 1, "rewards get at most the rounding wei");
    }

    function testFuzz_RouteFee_ConservesSupplyPlusBurned(uint256 amount) public {
        amount = bound(amount, 0, 1_000_000e18);
        uint256 poolBefore = s.token.balanceOf(address(s.validatorsPool));
        vm.prank(payer);
        (uint256 burned, uint256 toRewards) = s.feeRouter.routeFee(amount);
        assertEq(burned, amount / 2);
        assertEq(s.token.balanceOf(address(s.validatorsPool)) - poolBefore, toRewards);
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }

    function test_RouteFee_RevertsWithoutAllowance() public {
        address stranger = makeAddr("stranger");
        vm.prank(address(s.treasury));
        s.token.transfer(stranger, 10e18);
        vm.expectRevert();
        vm.prank(stranger);
        s.feeRouter.routeFee(10e18);
    }

    function test_Flush_RoutesTokensSentDirectly() public {
        vm.prank(payer);
        s.token.transfer(address(s.feeRouter), 11);
        (uint256 burned, uint256 toRewards) = s.feeRouter.flush();
        assertEq(burned, 5);
        assertEq(toRewards, 6);
        assertEq(s.token.balanceOf(address(s.feeRouter)), 0);
        (burned, toRewards) = s.feeRouter.flush();
        assertEq(burned + toRewards, 0, "an empty flush does nothing");
    }

    function test_SetBurnShare_ChangesTheSplit() public {
        vm.prank(address(s.timelock));
        s.feeRouter.setBurnShare(2_500);
        vm.prank(payer);
        (uint256 burned, uint256 toRewards) = s.feeRouter.routeFee(100);
        assertEq(burned, 25);
        assertEq(toRewards, 75);
    }

    function test_SetBurnShare_RejectsMoreThanAll() public {
        vm.expectRevert(abi.encodeWithSelector(IFeeRouter.BurnShareTooHigh.selector, 10_001, 10_000));
        vm.prank(address(s.timelock));
        s.feeRouter.setBurnShare(10_001);
    }

    function test_SetBurnShare_OnlyGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, payer));
        vm.prank(payer);
        s.feeRouter.setBurnShare(0);
    }

    function test_Constructor_RejectsZeroAddresses() public {
        vm.expectRevert(IFeeRouter.ZeroAddress.selector);
        new FeeRouter(address(0), address(1), address(this));
        vm.expectRevert(IFeeRouter.ZeroAddress.selector);
        new FeeRouter(address(1), address(0), address(this));
    }
}
