// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";

/// @title The protocol treasury (8% of ACC at genesis)
/// @notice Owned by the timelock: funds move only through executed governance proposals, transfers above the
///         governance-set limit are critical proposals, and whatever governance decides, at most `periodCapBps` of
///         the treasury's balance of a token leaves it per 30-day period.
/// @dev Fixed periods (`block.timestamp / PERIOD`); the cap is a fraction of the balance at the period's first
///      transfer, so it works for any token without per-token amounts and a drain takes years even with 2/3 of
///      the votes (at the default 5%, 54% is left after a year, 29% after two). Across a period boundary two caps
///      can be spent back to back; that is the worst case.
contract Treasury is NonRenounceableOwnable2Step, ITreasury {
    using SafeERC20 for IERC20;

    uint16 public constant MAX_BPS = 10_000;
    /// @notice Length of one spending period.
    uint64 public constant PERIOD = 30 days;
    /// @notice Bounds of the per-period cap: 1% (the treasury can always fund something) to 20% (a drain takes
    ///         more than a year of consecutive maximal proposals).
    uint16 public constant MIN_PERIOD_CAP_BPS = 100;
    uint16 public constant MAX_PERIOD_CAP_BPS = 2_000;
    /// @notice The cap at deployment: 5% of the balance per period.
    uint16 public constant DEFAULT_PERIOD_CAP_BPS = 500;

    struct PeriodSpend {
        uint64 period;
        uint256 base; // balance at the period's first transfer
        uint256 spent;
    }

    /// @inheritdoc ITreasury
    uint16 public periodCapBps = DEFAULT_PERIOD_CAP_BPS;
    mapping(address token => PeriodSpend) private _spend;

    constructor(address governance) Ownable(governance) {
        emit PeriodCapSet(0, DEFAULT_PERIOD_CAP_BPS);
    }

    /// @inheritdoc ITreasury
    function transfer(IERC20 token, address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert ZeroRecipient();
        PeriodSpend storage spend = _spend[address(token)];
        uint64 period = currentPeriod();
        if (spend.period != period || spend.base == 0) {
            uint256 balance = token.balanceOf(address(this));
            spend.period = period;
            spend.base = balance;
            spend.spent = 0;
            emit TreasuryPeriodOpened(address(token), period, balance);
        }
        uint256 available = _available(spend.base, spend.spent);
        if (amount > available) revert TreasuryPeriodCapExceeded(address(token), amount, available);
        spend.spent += amount;
        emit TreasuryTransfer(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc ITreasury
    function setPeriodCap(uint16 bps) external onlyOwner {
        if (bps < MIN_PERIOD_CAP_BPS || bps > MAX_PERIOD_CAP_BPS) {
            revert PeriodCapOutOfBounds(bps, MIN_PERIOD_CAP_BPS, MAX_PERIOD_CAP_BPS);
        }
        emit PeriodCapSet(periodCapBps, bps);
        periodCapBps = bps;
    }

    /// @inheritdoc ITreasury
    function currentPeriod() public view returns (uint64) {
        return uint64(block.timestamp / PERIOD);
    }

    /// @inheritdoc ITreasury
    function availableThisPeriod(IERC20 token) external view returns (uint256) {
        PeriodSpend storage spend = _spend[address(token)];
        if (spend.period != currentPeriod() || spend.base == 0) {
            return _available(token.balanceOf(address(this)), 0);
        }
        return _available(spend.base, spend.spent);
    }

    /// @dev Saturates: lowering the cap mid-period can leave `spent` above the new allowance. mulDiv: no balance,
    ///      however large, makes this overflow.
    function _available(uint256 base, uint256 spent) private view returns (uint256) {
        uint256 allowed = Math.mulDiv(base, periodCapBps, MAX_BPS);
        return allowed > spent ? allowed - spent : 0;
    }
}
