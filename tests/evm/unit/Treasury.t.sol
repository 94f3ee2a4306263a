// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {ITreasury} from "../../../contracts/evm/interfaces/ITreasury.sol";

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
}
