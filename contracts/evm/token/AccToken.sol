// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IAccToken} from "../interfaces/IAccToken.sol";
import {IScheduledVault} from "../interfaces/IScheduledVault.sol";
import {ITeamVesting} from "../interfaces/ITeamVesting.sol";
import {AccGenesis} from "../libraries/AccGenesis.sol";

/// @title ACC, the AgentCluster token
/// @notice ERC-20 with permit, votes on a timestamp clock, and burn. The whole supply is minted once, in the
///         constructor, into the genesis recipients; there is no mint function.
/// @dev The owner (the timelock) can only mark protocol vaults, whose balances do not count as circulating. The
///      genesis vaults are the four emission vaults and the treasury. The non-voting protocol holders the deployment
///      names (agent registry bonds, staking, task market escrow) are not vaults: their balances move with every
///      stake and task, and tracking them per transfer would cost each such transfer a checkpoint (about 30,000
///      gas). The governor reads them once per proposal instead (`nonVotingBalance`).
contract AccToken is ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, Ownable, IAccToken {
    using Checkpoints for Checkpoints.Trace208;

    /// @inheritdoc IAccToken
    address public immutable teamVesting;
    /// @inheritdoc IAccToken
    uint256 public totalBurned;
    /// @inheritdoc IAccToken
    mapping(address account => bool) public isProtocolVault;
    Checkpoints.Trace208 private _vaultHeld;
    /// @notice At most this many non-voting protocol holders (the reads are bounded).
    uint256 public constant MAX_NON_VOTING_HOLDERS = 4;
    address[] private _nonVotingHolders;

    /// @param governance the owner (the timelock)
    /// @param recipients the genesis vaults, treasury and team vesting that receive the supply
    /// @param nonVotingHolders_ protocol contracts whose ACC belongs to agents but cannot vote (stakes, bonds,
    ///        escrow); marked as vaults from genesis, usually before they exist (predicted addresses)
    constructor(address governance, GenesisRecipients memory recipients, address[] memory nonVotingHolders_)
        ERC20("AgentCluster", "ACC")
        ERC20Permit("AgentCluster")
        Ownable(governance)
    {
        address[6] memory all = [
            recipients.validatorsPool,
            recipients.computePool,
            recipients.marketplacePool,
            recipients.reviewPool,
            recipients.treasury,
            recipients.teamVesting
        ];
        for (uint256 i; i < all.length; ++i) {
            if (all[i] == address(0)) revert ZeroGenesisRecipient(i);
            for (uint256 j; j < i; ++j) {
                if (all[i] == all[j]) revert DuplicateGenesisRecipient(all[i]);
            }
        }
        teamVesting = recipients.teamVesting;

        _markVault(recipients.validatorsPool);
        _markVault(recipients.computePool);
        _markVault(recipients.marketplacePool);
        _markVault(recipients.reviewPool);
        _markVault(recipients.treasury);
        // Bounded by the deployment's own list; each holder is checked like a governance-set vault.
        if (nonVotingHolders_.length > MAX_NON_VOTING_HOLDERS) {
            revert TooManyNonVotingHolders(nonVotingHolders_.length, MAX_NON_VOTING_HOLDERS);
        }
        for (uint256 i; i < nonVotingHolders_.length; ++i) {
            address holder = nonVotingHolders_[i];
            _checkVaultCandidate(holder);
            if (isProtocolVault[holder]) revert ProtocolVaultUnchanged(holder, true);
            _nonVotingHolders.push(holder);
        }

        _mintToVault(recipients.validatorsPool, AccGenesis.VALIDATORS_SHARE);
        _mintToVault(recipients.computePool, AccGenesis.COMPUTE_SHARE);
        _mintToVault(recipients.marketplacePool, AccGenesis.MARKETPLACE_SHARE);
        _mintToVault(recipients.reviewPool, AccGenesis.REVIEW_SHARE);
        _mintToVault(recipients.teamVesting, AccGenesis.TEAM_SHARE);
        _mint(recipients.treasury, AccGenesis.TREASURY_SHARE);
    }

    // ---------------------------------------------------------------- clock (ERC-6372)

    /// @notice Votes and checkpoints are keyed by timestamp.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    // ---------------------------------------------------------------- circulating supply

    /// @inheritdoc IAccToken
    function heldByProtocolVaults() external view returns (uint256) {
        return _vaultHeld.latest();
    }

    /// @inheritdoc IAccToken
    function heldByProtocolVaultsAt(uint256 timepoint) public view returns (uint256) {
        return _vaultHeld.upperLookupRecent(_validatePast(timepoint));
    }

    /// @inheritdoc IAccToken
    function circulatingSupply() external view returns (uint256) {
        return _circulating(totalSupply(), _vaultHeld.latest(), uint64(block.timestamp));
    }

    /// @inheritdoc IAccToken
    /// @dev Reverts with ERC5805FutureLookup for `timepoint >= now`, like getPastTotalSupply. Before genesis every
    ///      term but the (fixed) team allocation is 0, and the result saturates at 0.
    function circulatingSupplyAt(uint256 timepoint) external view returns (uint256) {
        uint48 past = _validatePast(timepoint);
        return _circulating(getPastTotalSupply(past), _vaultHeld.upperLookupRecent(past), past);
    }

    /// @inheritdoc IAccToken
    function nonVotingHolders() external view returns (address[] memory) {
        return _nonVotingHolders;
    }

    /// @inheritdoc IAccToken
    function nonVotingBalance() external view returns (uint256 total) {
        uint256 n = _nonVotingHolders.length;
        for (uint256 i; i < n; ++i) {
            total += balanceOf(_nonVotingHolders[i]);
        }
    }

    /// @inheritdoc IAccToken
    function setProtocolVault(address account, bool isVault) external onlyOwner {
        _checkVaultCandidate(account);
        if (isProtocolVault[account] == isVault) revert ProtocolVaultUnchanged(account, isVault);
        isProtocolVault[account] = isVault;
        uint256 balance = balanceOf(account);
        uint256 held = _vaultHeld.latest();
        _vaultHeld.push(clock(), SafeCast.toUint208(isVault ? held + balance : held - balance));
        emit ProtocolVaultSet(account, isVault, balance);
    }

    /// @notice Always reverts: without an owner, protocol vaults could never change again.
    function renounceOwnership() public view override onlyOwner {
        revert OwnershipCannotBeRenounced();
    }

    // ---------------------------------------------------------------- internals

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
        if (to == address(0)) totalBurned += value;
        bool fromVault = isProtocolVault[from];
        if (fromVault != isProtocolVault[to]) {
            uint256 held = _vaultHeld.latest();
            _vaultHeld.push(clock(), SafeCast.toUint208(fromVault ? held - value : held + value));
        }
    }

    /// @dev supply - held - unvested, saturating at 0: the excluded parts never exceed the supply in a consistent
    ///      state, but a view must not panic whatever the inputs (times before genesis, odd vault sets).
    function _circulating(uint256 supply, uint256 held, uint64 timepoint) private view returns (uint256) {
        uint256 excluded = held + ITeamVesting(teamVesting).unvestedAt(timepoint);
        return supply > excluded ? supply - excluded : 0;
    }

    function _checkVaultCandidate(address account) private view {
        if (account == address(0)) revert ZeroProtocolVault();
        if (account == teamVesting) revert TeamVestingCannotBeVault(account);
    }

    function _markVault(address account) private {
        isProtocolVault[account] = true;
        emit ProtocolVaultSet(account, true, 0);
    }

    function _mintToVault(address vault, uint256 amount) private {
        IScheduledVault v = IScheduledVault(vault);
        address vaultToken = v.token();
        uint256 vaultAllocation = v.allocation();
        if (vaultToken != address(this) || vaultAllocation != amount) {
            revert GenesisVaultMismatch(vault, vaultToken, vaultAllocation, amount);
        }
        _mint(vault, amount);
    }

    function _validatePast(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert ERC5805FutureLookup(timepoint, now_);
        return SafeCast.toUint48(timepoint);
    }

    /// @inheritdoc Nonces
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
