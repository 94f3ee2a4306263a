// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The protocol treasury, moved only by governance, at most a fraction of each token per period
interface ITreasury {
    /// @notice Governance moved `amount` of `token` to `to`.
    event TreasuryTransfer(address indexed token, address indexed to, uint256 amount);
    /// @notice The first transfer of `token` in `period` fixed the balance its cap is a fraction of.
    event TreasuryPeriodOpened(address indexed token, uint64 indexed period, uint256 balance);
    /// @notice Governance changed the per-period cap (basis points of the balance at the period's first transfer).
    event PeriodCapSet(uint16 oldBps, uint16 newBps);

    /// @notice A transfer to the zero address.
    error ZeroRecipient();
    /// @notice The transfer would take more of `token` than this period still allows.
    error TreasuryPeriodCapExceeded(address token, uint256 amount, uint256 available);
    /// @notice A per-period cap outside [`minBps`, `maxBps`].
    error PeriodCapOutOfBounds(uint16 bps, uint16 minBps, uint16 maxBps);

    /// @notice Send `amount` of `token` to `to`. Governance (the timelock) only; reverts with
    ///         `TreasuryPeriodCapExceeded` beyond what the current period still allows for that token.
    function transfer(IERC20 token, address to, uint256 amount) external;

    /// @notice Set the per-period cap in basis points of the treasury's balance of a token at the period's first
    ///         transfer. Governance only (a critical proposal); bounded by [MIN_PERIOD_CAP_BPS, MAX_PERIOD_CAP_BPS].
    function setPeriodCap(uint16 bps) external;

    /// @notice The per-period cap, in basis points.
    function periodCapBps() external view returns (uint16);

    /// @notice The index of the current period (`block.timestamp / PERIOD`).
    function currentPeriod() external view returns (uint64);

    /// @notice How much of `token` may still leave the treasury in the current period.
    function availableThisPeriod(IERC20 token) external view returns (uint256);
}
