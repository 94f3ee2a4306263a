// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Four-dimensional reputation with a 90-day half-life, decayed lazily on read
/// @notice Values are fixed point with 18 decimals (1e18 = one point).
interface IReputation {
    enum Dimension {
        Task,
        Validator,
        Compute,
        Social
    }

    /// @notice A writer and the dimension it may change (constructor grants).
    struct WriterGrant {
        address writer;
        Dimension dimension;
    }

    event ReputationChanged(uint256 indexed agentId, Dimension indexed dimension, int256 delta, uint256 newValue);
    event Endorsed(uint256 indexed endorser, uint256 indexed endorsee, uint256 amount);
    event WriterSet(address indexed writer, Dimension indexed dimension, bool allowed);
    event EndorsementParametersSet(uint256 maxEndorsements, uint256 endorsementCap, uint16 endorsementBps, uint256 minStake);

    error NotWriter(address caller, Dimension dimension);
    error NotAgentOwner(uint256 agentId, address caller);
    error SelfEndorsement(uint256 agentId);
    error AlreadyEndorsed(uint256 endorser, uint256 endorsee);
    error EndorsementLimitReached(uint256 endorser, uint256 maxEndorsements);
    error EndorserNotEligible(uint256 endorser);
    error EndorseeNotRegistered(uint256 endorsee);
    /// @notice `reputationAt` was asked about a time after the current block (like OZ `ERC5805FutureLookup`).
    error ReputationFutureLookup(uint256 timepoint, uint256 currentTime);
    error ParameterOutOfRange(string parameter, uint256 value);
    /// @notice The value at `dayStart` left the agent's history: more than `HISTORY_DAYS` later days had writes. Never
    ///         happens for a read less than `HISTORY_DAYS - 1` (7) days old (the committee draw's reads are at most 3).
    error ReputationHistoryPruned(uint256 agentId, uint256 dayStart);

    /// @notice Decayed value now.
    function reputationOf(uint256 agentId, Dimension dimension) external view returns (uint256);
    /// @notice The value at the start of `timepoint`'s day (a day's changes count from the next day), decayed to
    ///         that day start; 0 before the agent's first write. Never reverts for a `timepoint` less than
    ///         `HISTORY_DAYS - 1` (7) days old, whatever was written since; older reads may revert
    ///         `ReputationHistoryPruned` (the history is a bounded ring, so that storage does not grow forever and a
    ///         day's first write rewrites a slot instead of claiming a fresh one).
    function reputationAt(uint256 agentId, Dimension dimension, uint256 timepoint) external view returns (uint256);
    /// @notice `reputationAt` for several agents at one timestamp (the committee draw's batch read).
    function reputationsAt(uint256[] calldata agentIds, Dimension dimension, uint256 timepoint)
        external
        view
        returns (uint256[] memory);
    /// @notice Network total of a dimension now, kept in O(1).
    function totalReputation(Dimension dimension) external view returns (uint256);
    /// @notice ERC-8004-style summary of an agent.
    function getSummary(uint256 agentId)
        external
        view
        returns (uint256 task, uint256 validator, uint256 compute, uint256 social, uint256 total);

    /// @notice Writers (the task market, the registry for compute) change reputation.
    function increase(uint256 agentId, Dimension dimension, uint256 amount) external;
    /// @notice Floors at zero.
    function decrease(uint256 agentId, Dimension dimension, uint256 amount) external;
    /// @notice `increase` for each of `agentIds` (the network total is written once); writers only.
    function increaseMany(uint256[] calldata agentIds, Dimension dimension, uint256 amount) external;
    /// @notice `decrease` for each of `agentIds` (floors at zero; the network total is written once); writers only.
    function decreaseMany(uint256[] calldata agentIds, Dimension dimension, uint256 amount) external;
    /// @notice Replace the value (compute reputation from a fresh benchmark).
    function set(uint256 agentId, Dimension dimension, uint256 value) external;

    /// @notice The caller (owner of `endorser`) endorses another agent; adds social reputation to `endorsee`.
    function endorse(uint256 endorser, uint256 endorsee) external;

    function setWriter(address writer, Dimension dimension, bool allowed) external;
}
