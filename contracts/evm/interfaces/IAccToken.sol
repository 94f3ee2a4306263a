// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The ACC token's own surface, beyond ERC-20 / ERC-2612 / ERC-5805
/// @notice "Protocol vaults" are every account whose ACC cannot vote and is not counted as circulating: the four
///         emission vaults and the treasury (genesis recipients) and the protocol contracts that hold agents' money
///         on the protocol's behalf (stakes, bonds, escrow), marked at genesis. Unvested team tokens are excluded
///         separately, so the team vesting contract itself can never be a vault (it would be subtracted twice).
interface IAccToken {
    /// @notice Where the genesis supply goes; every address must be distinct and non-zero.
    struct GenesisRecipients {
        address validatorsPool;
        address computePool;
        address marketplacePool;
        address reviewPool;
        address treasury;
        address teamVesting;
    }

    /// @notice Governance marked `account` as a protocol vault (its balance is not circulating) or unmarked it.
    event ProtocolVaultSet(address indexed account, bool isVault, uint256 balanceMoved);

    /// @notice A genesis recipient was the zero address.
    error ZeroGenesisRecipient(uint256 index);
    /// @notice Two genesis recipients were the same address.
    error DuplicateGenesisRecipient(address recipient);
    /// @notice A genesis vault is bound to another token or expects another allocation.
    error GenesisVaultMismatch(address vault, address vaultToken, uint256 vaultAllocation, uint256 expectedAllocation);
    /// @notice The vault flag already has the requested value.
    error ProtocolVaultUnchanged(address account, bool isVault);
    /// @notice Ownership of the token cannot be renounced: vault accounting would be frozen. (Same error, same
    ///         selector, as INonRenounceableOwnership's, which the other owned contracts use.)
    error OwnershipCannotBeRenounced();
    /// @notice The team vesting contract cannot be a vault: its unvested tokens are already excluded.
    error TeamVestingCannotBeVault(address teamVesting);
    /// @notice The zero address cannot be a vault (burns and mints would move the vault total).
    error ZeroProtocolVault();
    /// @notice The genesis list of non-voting holders is longer than `max`.
    error TooManyNonVotingHolders(uint256 count, uint256 max);

    /// @notice ACC burned since genesis, counted independently of the supply.
    function totalBurned() external view returns (uint256);

    /// @notice Protocol contracts whose ACC belongs to agents but cannot vote (bonds, stakes, escrow), fixed at genesis.
    function nonVotingHolders() external view returns (address[] memory);

    /// @notice ACC held now by the non-voting protocol holders; the governor reads it when a proposal is made.
    function nonVotingBalance() external view returns (uint256);

    /// @notice Whether `account` is a protocol vault.
    function isProtocolVault(address account) external view returns (bool);

    /// @notice ACC held by protocol vaults now.
    function heldByProtocolVaults() external view returns (uint256);

    /// @notice ACC held by protocol vaults at a past timestamp.
    function heldByProtocolVaultsAt(uint256 timepoint) external view returns (uint256);

    /// @notice Circulating supply now: supply minus protocol vaults minus unvested team tokens (never below 0).
    function circulatingSupply() external view returns (uint256);

    /// @notice Circulating supply at a past timestamp (strictly before now; reverts ERC5805FutureLookup otherwise).
    ///         0 for any time before genesis; never panics.
    function circulatingSupplyAt(uint256 timepoint) external view returns (uint256);

    /// @notice The team vesting contract whose unvested tokens are not circulating.
    function teamVesting() external view returns (address);

    /// @notice Mark or unmark a protocol vault. Governance (the timelock) only; a critical proposal.
    ///         Reverts for the zero address and for the team vesting contract.
    function setProtocolVault(address account, bool isVault) external;
}
