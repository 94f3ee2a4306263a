// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {IFeeRouter} from "../interfaces/IFeeRouter.sol";
import {FeeSplit} from "../libraries/FeeSplit.sol";

/// @title The one place protocol fees go: part burned, the rest to the validators' reward pool
/// @notice Holds nothing between calls. The burned share is a governance parameter (default 50%).
contract FeeRouter is NonRenounceableOwnable2Step, IFeeRouter {
    using SafeERC20 for IERC20;

    uint16 public constant MAX_BPS = 10_000;

    /// @inheritdoc IFeeRouter
    address public immutable token;
    /// @inheritdoc IFeeRouter
    address public immutable rewardsPool;
    /// @inheritdoc IFeeRouter
    uint16 public burnShareBps = 5_000;

    constructor(address token_, address rewardsPool_, address governance) Ownable(governance) {
        if (token_ == address(0) || rewardsPool_ == address(0)) revert ZeroAddress();
        token = token_;
        rewardsPool = rewardsPool_;
        emit BurnShareSet(0, burnShareBps);
    }

    /// @inheritdoc IFeeRouter
    function routeFee(uint256 amount) external returns (uint256 burned, uint256 toRewards) {
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        return _route(msg.sender, amount);
    }

    /// @inheritdoc IFeeRouter
    function flush() external returns (uint256 burned, uint256 toRewards) {
        return _route(msg.sender, IERC20(token).balanceOf(address(this)));
    }

    /// @inheritdoc IFeeRouter
    function setBurnShare(uint16 bps) external onlyOwner {
        if (bps > MAX_BPS) revert BurnShareTooHigh(bps, MAX_BPS);
        emit BurnShareSet(burnShareBps, bps);
        burnShareBps = bps;
    }

    function _route(address payer, uint256 amount) private returns (uint256 burned, uint256 toRewards) {
        if (amount == 0) return (0, 0);
        (burned, toRewards) = FeeSplit.split(amount, burnShareBps);
        emit FeeRouted(payer, amount, burned, toRewards);
        if (burned != 0) ERC20Burnable(token).burn(burned);
        if (toRewards != 0) IERC20(token).safeTransfer(rewardsPool, toRewards);
    }
}
