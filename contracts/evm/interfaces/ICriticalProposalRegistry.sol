// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The governance-set list of calls that make a proposal critical
interface ICriticalProposalRegistry {
    /// @notice How a (target, selector) pair is judged.
    enum RuleKind {
        None, // not critical
        Always, // every call is critical
        AmountAbove // critical when the ABI word at `argIndex` is above `limit`
    }

    /// @notice One entry of the list.
    struct Rule {
        address target;
        bytes4 selector;
        RuleKind kind;
        uint8 argIndex;
        uint256 limit;
    }

    /// @notice The rule for (`target`, `selector`) was set (kind None removes it).
    event RuleSet(address indexed target, bytes4 indexed selector, RuleKind kind, uint8 argIndex, uint256 limit);

    /// @notice `None` rules carry no index or limit; use `clearRule`.
    error InvalidRule(address target, bytes4 selector);

    /// @notice The rule for (`target`, `selector`).
    function ruleOf(address target, bytes4 selector) external view returns (RuleKind kind, uint8 argIndex, uint256 limit);

    /// @notice Whether one call (target, calldata) is critical.
    function isCriticalCall(address target, bytes calldata data) external view returns (bool);

    /// @notice Whether a proposal with these actions is critical (any critical action makes it so).
    function isCriticalProposal(address[] calldata targets, bytes[] calldata calldatas) external view returns (bool);

    /// @notice Set one rule. Governance (the timelock) only; critical itself.
    function setRule(Rule calldata rule) external;

    /// @notice Remove one rule. Governance (the timelock) only; critical itself.
    function clearRule(address target, bytes4 selector) external;
}
