// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {AccToken} from "../../../contracts/evm/token/AccToken.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";
import {TeamVesting} from "../../../contracts/evm/economy/TeamVesting.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {Treasury} from "../../../contracts/evm/economy/Treasury.sol";

/// @dev Drives the economy at random: time passes, pools and team vest and release, holders transfer, burn and
///      pay fees, governance grants from the treasury. Ghost variables record what was sent into each vault.
contract EconomyHandler is Test {
    AccToken internal token;
    EmissionVault[4] internal pools;
    TeamVesting internal teamVesting;
    FeeRouter internal feeRouter;
    Treasury internal treasury;
    address internal governance;
    address[] internal actors;

    mapping(address vault => uint256) public extrasSent;
    uint256 public calls;

    constructor(
        AccToken token_,
        EmissionVault[4] memory pools_,
        TeamVesting team_,
        FeeRouter router_,
        Treasury treasury_,
        address governance_,
        address[] memory beneficiaries
    ) {
        token = token_;
        pools = pools_;
        teamVesting = team_;
        feeRouter = router_;
        treasury = treasury_;
        governance = governance_;
        actors = beneficiaries;
        for (uint256 i; i < 3; ++i) actors.push(makeAddr(string.concat("holder", vm.toString(i))));
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function warp(uint256 secondsAhead) external {
        ++calls;
        vm.warp(block.timestamp + bound(secondsAhead, 1, 400 days));
    }

    function releasePool(uint256 which) external {
        ++calls;
        pools[which % 4].release();
    }

    function releaseTeam() external {
        ++calls;
        teamVesting.release();
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        ++calls;
        address from = _actor(fromSeed);
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        token.transfer(_actor(toSeed), amount);
    }

    function burn(uint256 seed, uint256 amount) external {
        ++calls;
        address from = _actor(seed);
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        token.burn(amount);
    }

    function payFee(uint256 seed, uint256 amount) external {
        ++calls;
        address from = _actor(seed);
        amount = bound(amount, 0, token.balanceOf(from));
        vm.startPrank(from);
        token.approve(address(feeRouter), amount);
        (, uint256 toRewards) = feeRouter.routeFee(amount);
        vm.stopPrank();
        extrasSent[address(pools[0])] += toRewards;
    }

    function donateToPool(uint256 seed, uint256 which, uint256 amount) external {
        ++calls;
        address from = _actor(seed);
        EmissionVault pool = pools[which % 4];
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        token.transfer(address(pool), amount);
        extrasSent[address(pool)] += amount;
    }

    function treasuryGrant(uint256 seed, uint256 amount) external {
        ++calls;
        amount = bound(amount, 0, treasury.availableThisPeriod(IERC20(address(token))));
        vm.prank(governance);
        treasury.transfer(IERC20(address(token)), _actor(seed), amount);
    }
}

contract EconomyInvariantTest is SuiteFixture {
    EconomyHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory beneficiaries = new address[](5);
        beneficiaries[0] = validatorsBeneficiary;
        beneficiaries[1] = computeBeneficiary;
        beneficiaries[2] = marketplaceBeneficiary;
        beneficiaries[3] = reviewBeneficiary;
        beneficiaries[4] = team;
        handler = new EconomyHandler(
            s.token, _pools(), s.teamVesting, s.feeRouter, s.treasury, address(s.timelock), beneficiaries
        );
        targetContract(address(handler));
    }

    function invariant_SupplyPlusBurnedIsOneBillion() public view {
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }

    function invariant_NoPoolReleasesMoreThanItsSchedule() public view {
        EmissionVault[4] memory pools = _pools();
        for (uint256 i; i < 4; ++i) {
            uint256 extras = handler.extrasSent(address(pools[i]));
            uint256 vested = pools[i].vestedAt(uint64(block.timestamp));
            assertLe(pools[i].released(), vested + extras, "released beyond schedule");
            assertLe(vested, pools[i].allocation());
            assertEq(
                s.token.balanceOf(address(pools[i])) + pools[i].released(),
                pools[i].allocation() + extras,
                "vault accounting"
            );
        }
    }

    function invariant_TeamNeverReleasesMoreThanVested() public view {
        assertLe(s.teamVesting.released(), s.teamVesting.vestedAt(uint64(block.timestamp)));
        assertEq(s.token.balanceOf(address(s.teamVesting)) + s.teamVesting.released(), s.teamVesting.allocation());
    }

    function invariant_VaultHoldingsMatchTheirBalances() public view {
        EmissionVault[4] memory pools = _pools();
        uint256 sum = s.token.balanceOf(address(s.treasury)) + s.token.balanceOf(address(s.registry))
            + s.token.balanceOf(address(s.staking)) + s.token.balanceOf(address(s.market));
        for (uint256 i; i < 4; ++i) sum += s.token.balanceOf(address(pools[i]));
        assertEq(s.token.heldByProtocolVaults(), sum);
        assertEq(
            s.token.circulatingSupply(),
            s.token.totalSupply() - sum - s.teamVesting.unvestedAt(uint64(block.timestamp))
        );
    }

    function invariant_FeeRouterHoldsNothing() public view {
        assertEq(s.token.balanceOf(address(s.feeRouter)), 0);
    }
}
