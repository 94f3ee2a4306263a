// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";

/// @title The protocol treasury (8% of ACC at genesis)
/// @notice Owned by the timelock: funds move only through executed governance proposals, and transfers above
///         the governance-set limit are critical proposals.
contract Treasury is Ownable2Step, ITreasury {
    using SafeERC20 for IERC20;

    constructor(address governance) Ownable(governance) {}

    /// @inheritdoc ITreasury
    function transfer(IERC20 token, address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert ZeroRecipient();
        emit TreasuryTransfer(address(token), to, amount);
        token.safeTransfer(to, amount);
    }
}
