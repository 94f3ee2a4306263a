// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {INonRenounceableOwnership} from "../interfaces/INonRenounceableOwnership.sol";

/// @title Ownable2Step without renounceOwnership
/// @notice Every owned contract of the suite inherits this instead of Ownable2Step. Ownership still moves in two
///         steps (`transferOwnership` then `acceptOwnership`, a critical proposal when the timelock is the owner),
///         but it can never be dropped: an executed `renounceOwnership` proposal would freeze the contract's
///         parameters or funds forever, so it reverts for everyone, the owner included.
/// @dev Children still call `Ownable(initialOwner)` in their constructor. `renounceOwnership` is not virtual, so no
///      child can turn renouncing back on.
abstract contract NonRenounceableOwnable2Step is Ownable2Step, INonRenounceableOwnership {
    /// @notice Always reverts with `OwnershipCannotBeRenounced`.
    function renounceOwnership() public pure override {
        revert OwnershipCannotBeRenounced();
    }
}
