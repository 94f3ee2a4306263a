// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {AccToken} from "../../../contracts/evm/token/AccToken.sol";
import {IAccToken} from "../../../contracts/evm/interfaces/IAccToken.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";
import {TeamVesting} from "../../../contracts/evm/economy/TeamVesting.sol";
import {AccGenesis} from "../../../contracts/evm/libraries/AccGenesis.sol";

contract AccTokenTest is SuiteFixture {
    address internal holder = makeAddr("holder");

    function test_Genesis_MintsExactlyOneBillionAcc() public view {
        assertEq(s.token.totalSupply(), 1_000_000_000e18);
        assertEq(s.token.totalBurned(), 0);
        assertEq(s.token.decimals(), 18);
        assertEq(s.token.symbol(), "ACC");
    }

    function test_Genesis_DistributesEachShareExactToTheWei() public view {
        assertEq(s.token.balanceOf(address(s.validatorsPool)), 300_000_000e18, "validators 30%");
        assertEq(s.token.balanceOf(address(s.computePool)), 250_000_000e18, "compute 25%");
        assertEq(s.token.balanceOf(address(s.marketplacePool)), 150_000_000e18, "marketplace 15%");
        assertEq(s.token.balanceOf(address(s.reviewPool)), 100_000_000e18, "review 10%");
        assertEq(s.token.balanceOf(address(s.treasury)), 80_000_000e18, "treasury 8%");
        assertEq(s.token.balanceOf(address(s.teamVesting)), 120_000_000e18, "team 12%");
        assertEq(s.token.balanceOf(address(this)), 0, "deployer holds nothing");
    }

    function test_Genesis_TreasuryIsOwnedByTheTimelock() public view {
        assertEq(s.treasury.owner(), address(s.timelock));
    }

    function test_NoMintFunctionExists() public {
        bytes4[4] memory mints = [
            bytes4(keccak256("mint(address,uint256)")),
            bytes4(keccak256("mint(uint256)")),
            bytes4(keccak256("_mint(address,uint256)")),
            bytes4(keccak256("issue(address,uint256)"))
        ];
        for (uint256 i; i < mints.length; ++i) {
            vm.prank(address(s.timelock));
            (bool ok,) = address(s.token).call(abi.encodeWithSelector(mints[i], address(s.timelock), 1e18));
            assertFalse(ok, "a mint-like call succeeded");
        }
        assertEq(s.token.totalSupply(), SUPPLY);
    }

    function test_Burn_CountsBurnedAndKeepsSupplyPlusBurnedConstant() public {
        _fund(holder, 1_000e18);
        vm.prank(holder);
        s.token.burn(400e18);
        assertEq(s.token.totalBurned(), 400e18);
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }

    function test_BurnFrom_NeedsAllowance() public {
        _fund(holder, 10e18);
        vm.expectRevert();
        s.token.burnFrom(holder, 1e18);
        vm.prank(holder);
        s.token.approve(address(this), 1e18);
        s.token.burnFrom(holder, 1e18);
        assertEq(s.token.totalBurned(), 1e18);
    }

    function test_Clock_IsTimestamp() public view {
        assertEq(s.token.clock(), uint48(block.timestamp));
        assertEq(s.token.CLOCK_MODE(), "mode=timestamp");
    }

    function test_Permit_SetsAllowanceFromSignature() public {
        (address owner, uint256 key) = makeAddrAndKey("permitOwner");
        _fund(owner, 5e18);
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                3e18,
                s.token.nonces(owner),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", s.token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, digest);
        s.token.permit(owner, spender, 3e18, deadline, v, r, sig);
        assertEq(s.token.allowance(owner, spender), 3e18);
        assertEq(s.token.nonces(owner), 1);
        vm.expectRevert(); // replay with a used nonce
        s.token.permit(owner, spender, 3e18, deadline, v, r, sig);
    }

    function test_Votes_FollowDelegationAtPastTimestamps() public {
        _fund(holder, 70e18);
        vm.prank(holder);
        s.token.delegate(holder);
        uint256 t0 = block.timestamp;
        vm.warp(t0 + 10);
        vm.prank(holder);
        s.token.transfer(makeAddr("other"), 20e18);
        vm.warp(t0 + 20);
        assertEq(s.token.getPastVotes(holder, t0), 70e18);
        assertEq(s.token.getPastVotes(holder, t0 + 10), 50e18);
        assertEq(s.token.getVotes(holder), 50e18);
    }

    function test_CirculatingSupply_IsZeroAtGenesis() public {
        assertEq(s.token.circulatingSupply(), 0);
        vm.warp(block.timestamp + 1);
        assertEq(s.token.circulatingSupplyAt(GENESIS), 0);
    }

    function test_CirculatingSupply_GrowsWithReleasesAndIsReadableInThePast() public {
        vm.warp(GENESIS + 30 days);
        uint256 released = s.validatorsPool.release();
        uint256 t1 = block.timestamp;
        vm.warp(t1 + 10 days);
        uint256 released2 = s.computePool.release();
        uint256 t2 = block.timestamp;
        vm.warp(t2 + 1);
        assertEq(s.token.circulatingSupplyAt(t1 - 1), 0, "before the first release");
        assertEq(s.token.circulatingSupplyAt(t1), released);
        assertEq(s.token.circulatingSupplyAt(t2), released + released2);
        assertEq(s.token.circulatingSupply(), released + released2);
    }

    function test_CirculatingSupply_ExcludesUnvestedTeamButCountsVested() public {
        vm.warp(GENESIS + 2 * 365 days); // half of the 4-year vesting
        uint256 vested = s.teamVesting.vestedAt(uint64(block.timestamp));
        assertEq(vested, AccGenesis.TEAM_SHARE / 2);
        assertEq(s.token.circulatingSupply(), vested, "vested team tokens circulate");
    }

    function test_CirculatingSupply_DropsWhenTokensAreBurnedOrReturnedToAVault() public {
        _fund(holder, 100e18);
        uint256 before = s.token.circulatingSupply();
        vm.startPrank(holder);
        s.token.burn(10e18);
        s.token.transfer(address(s.treasury), 30e18);
        vm.stopPrank();
        assertEq(s.token.circulatingSupply(), before - 40e18);
    }

    function test_HeldByProtocolVaultsAt_ReadsThePast() public {
        uint256 t0 = block.timestamp;
        uint256 atGenesis = s.token.heldByProtocolVaults();
        assertEq(atGenesis, SUPPLY - AccGenesis.TEAM_SHARE, "pools and treasury");
        vm.warp(t0 + 1 days);
        _fund(holder, 5e18);
        vm.warp(t0 + 2 days);
        assertEq(s.token.heldByProtocolVaultsAt(t0), atGenesis);
        assertEq(s.token.heldByProtocolVaultsAt(t0 + 1 days), atGenesis - 5e18);
        assertEq(s.token.heldByProtocolVaults(), atGenesis - 5e18);
    }

    function test_CirculatingSupplyAt_RevertsForNowAndTheFuture() public {
        vm.expectRevert(abi.encodeWithSelector(Votes.ERC5805FutureLookup.selector, block.timestamp, block.timestamp));
        s.token.circulatingSupplyAt(block.timestamp);
    }

    function test_SetProtocolVault_MovesBalanceOutOfCirculation() public {
        _fund(holder, 100e18);
        uint256 before = s.token.circulatingSupply();
        vm.expectEmit(address(s.token));
        emit IAccToken.ProtocolVaultSet(holder, true, 100e18);
        vm.prank(address(s.timelock));
        s.token.setProtocolVault(holder, true);
        assertEq(s.token.circulatingSupply(), before - 100e18);
        vm.prank(address(s.timelock));
        s.token.setProtocolVault(holder, false);
        assertEq(s.token.circulatingSupply(), before);
    }

    function test_SetProtocolVault_RevertsForAnyoneButGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, holder));
        vm.prank(holder);
        s.token.setProtocolVault(holder, true);
    }

    function test_SetProtocolVault_RevertsWhenUnchanged() public {
        vm.expectRevert(abi.encodeWithSelector(IAccToken.ProtocolVaultUnchanged.selector, address(s.treasury), true));
        vm.prank(address(s.timelock));
        s.token.setProtocolVault(address(s.treasury), true);
    }

    function test_RenounceOwnership_AlwaysReverts() public {
        vm.expectRevert(IAccToken.OwnershipCannotBeRenounced.selector);
        vm.prank(address(s.timelock));
        s.token.renounceOwnership();
    }

    function test_Constructor_RevertsOnZeroRecipient() public {
        IAccToken.GenesisRecipients memory r = _recipients();
        r.treasury = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAccToken.ZeroGenesisRecipient.selector, 4));
        new AccToken(address(s.timelock), r, new address[](0));
    }

    function test_Constructor_RevertsOnDuplicateRecipient() public {
        IAccToken.GenesisRecipients memory r = _recipients();
        r.reviewPool = r.computePool;
        vm.expectRevert(abi.encodeWithSelector(IAccToken.DuplicateGenesisRecipient.selector, r.computePool));
        new AccToken(address(s.timelock), r, new address[](0));
    }

    function test_Constructor_RevertsWhenAVaultNamesAnotherToken() public {
        // A fresh set of vaults bound to the already deployed token: the new token is not theirs.
        IAccToken.GenesisRecipients memory r = _recipients();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccToken.GenesisVaultMismatch.selector,
                r.validatorsPool,
                address(s.token),
                AccGenesis.VALIDATORS_SHARE,
                AccGenesis.VALIDATORS_SHARE
            )
        );
        new AccToken(address(s.timelock), r, new address[](0));
    }

    function test_Constructor_RevertsWhenAVaultExpectsAnotherAllocation() public {
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        EmissionVault wrong = new EmissionVault("x", predicted, 1, GENESIS, address(s.timelock), address(0));
        IAccToken.GenesisRecipients memory r = _recipients();
        r.validatorsPool = address(wrong);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccToken.GenesisVaultMismatch.selector, address(wrong), predicted, 1, AccGenesis.VALIDATORS_SHARE
            )
        );
        new AccToken(address(s.timelock), r, new address[](0));
    }

    function test_Constructor_RejectsBadNonVotingHolders() public {
        IAccToken.GenesisRecipients memory r = _recipients();
        address[] memory list = new address[](1);
        vm.expectRevert(IAccToken.ZeroProtocolVault.selector);
        new AccToken(address(s.timelock), r, list);
        list[0] = r.teamVesting;
        vm.expectRevert(abi.encodeWithSelector(IAccToken.TeamVestingCannotBeVault.selector, r.teamVesting));
        new AccToken(address(s.timelock), r, list);
        list[0] = r.treasury;
        vm.expectRevert(abi.encodeWithSelector(IAccToken.ProtocolVaultUnchanged.selector, r.treasury, true));
        new AccToken(address(s.timelock), r, list);
    }

    function test_Genesis_NamesTheNonVotingProtocolHoldersWithoutMakingThemVaults() public {
        address[] memory holders = s.token.nonVotingHolders();
        assertEq(holders.length, 3);
        assertEq(holders[0], address(s.registry));
        assertEq(holders[1], address(s.staking));
        assertEq(holders[2], address(s.market));
        // Not vaults: a stake or a task moves no vault checkpoint.
        assertFalse(s.token.isProtocolVault(address(s.staking)));
        assertEq(s.token.nonVotingBalance(), 0);
        vm.prank(address(s.treasury));
        s.token.transfer(address(s.staking), 5e18);
        vm.prank(address(s.treasury));
        s.token.transfer(address(s.market), 7e18);
        assertEq(s.token.nonVotingBalance(), 12e18);
    }

    function test_Constructor_RefusesMoreThanFourNonVotingHolders() public {
        address[] memory list = new address[](5);
        for (uint256 i; i < 5; ++i) list[i] = address(uint160(0x1000 + i));
        vm.expectRevert(abi.encodeWithSelector(IAccToken.TooManyNonVotingHolders.selector, 5, 4));
        new AccToken(address(s.timelock), _recipients(), list);
    }

    function test_SetProtocolVault_RefusesTheTeamVestingAndTheZeroAddress() public {
        vm.startPrank(address(s.timelock));
        vm.expectRevert(abi.encodeWithSelector(IAccToken.TeamVestingCannotBeVault.selector, address(s.teamVesting)));
        s.token.setProtocolVault(address(s.teamVesting), true);
        vm.expectRevert(IAccToken.ZeroProtocolVault.selector);
        s.token.setProtocolVault(address(0), true);
        vm.stopPrank();
    }

    /// @dev No timepoint in the past, however early, makes circulatingSupplyAt panic; before genesis it is 0.
    function testFuzz_CirculatingSupplyAt_NeverPanics(uint256 timepoint, uint256 later) public {
        later = bound(later, 1, 20 * 365 days);
        vm.warp(GENESIS + later);
        timepoint = bound(timepoint, 0, block.timestamp - 1);
        uint256 c = s.token.circulatingSupplyAt(timepoint);
        if (timepoint < GENESIS) assertEq(c, 0);
        assertLe(c, SUPPLY);
        assertLe(s.token.circulatingSupply(), SUPPLY);
    }

    function _recipients() private view returns (IAccToken.GenesisRecipients memory) {
        return IAccToken.GenesisRecipients({
            validatorsPool: address(s.validatorsPool),
            computePool: address(s.computePool),
            marketplacePool: address(s.marketplacePool),
            reviewPool: address(s.reviewPool),
            treasury: address(s.treasury),
            teamVesting: address(s.teamVesting)
        });
    }

    function _fund(address to, uint256 amount) internal {
        vm.prank(address(s.treasury));
        s.token.transfer(to, amount);
    }
}
