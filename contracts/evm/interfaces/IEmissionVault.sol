// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IScheduledVault} from "./IScheduledVault.sol";

/// @title A reward pool streamed by the halving schedule to a governance-set beneficiary
interface IEmissionVault is IScheduledVault {
    /// @notice Governance changed the pool's beneficiary.
    event BeneficiarySet(address indexed previousBeneficiary, address indexed newBeneficiary);

    /// @notice The pool's name, e.g. "validators".
    function pool() external view returns (string memory);

    /// @notice Set who receives the stream. Governance (the timelock) only.
    function setBeneficiary(address newBeneficiary) external;
}
