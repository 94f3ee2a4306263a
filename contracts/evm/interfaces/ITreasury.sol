// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The protocol treasury, moved only by governance
interface ITreasury {
    /// @notice Governance moved `amount` of `token` to `to`.
    event TreasuryTransfer(address indexed token, address indexed to, uint256 amount);

    /// @notice A transfer to the zero address.
    error ZeroRecipient();

    /// @notice Send `amount` of `token` to `to`. Governance (the timelock) only.
    function transfer(IERC20 token, address to, uint256 amount) external;
}
