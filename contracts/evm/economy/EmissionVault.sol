// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {ScheduledVault} from "./ScheduledVault.sol";
import {IEmissionVault} from "../interfaces/IEmissionVault.sol";
import {IScheduledVault} from "../interfaces/IScheduledVault.sol";
import {EmissionSchedule} from "../libraries/EmissionSchedule.sol";

/// @title A reward pool's pre-minted reserve, streamed by the halving schedule
/// @notice Owned by the timelock: governance chooses the beneficiary; anyone may trigger a release.
contract EmissionVault is ScheduledVault, NonRenounceableOwnable2Step, IEmissionVault {
    /// @inheritdoc IEmissionVault
    string public pool;
    address private _beneficiary;

    constructor(
        string memory pool_,
        address token_,
        uint256 allocation_,
        uint64 start_,
        address owner_,
        address beneficiary_
    ) ScheduledVault(token_, allocation_, start_) Ownable(owner_) {
        pool = pool_;
        _beneficiary = beneficiary_;
        emit BeneficiarySet(address(0), beneficiary_);
    }

    /// @inheritdoc IScheduledVault
    function beneficiary() public view override(ScheduledVault, IScheduledVault) returns (address) {
        return _beneficiary;
    }

    /// @inheritdoc IScheduledVault
    function vestedAt(uint64 timestamp) public view override(ScheduledVault, IScheduledVault) returns (uint256) {
        return EmissionSchedule.vestedAt(allocation, start, timestamp);
    }

    /// @inheritdoc IEmissionVault
    /// @dev Zero is allowed: it pauses the stream (nothing is lost, it accrues until a beneficiary is set).
    function setBeneficiary(address newBeneficiary) external onlyOwner {
        emit BeneficiarySet(_beneficiary, newBeneficiary);
        _beneficiary = newBeneficiary;
    }
}
