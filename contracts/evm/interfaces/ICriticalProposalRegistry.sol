// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The governance-set list of calls that make a proposal critical
/// @notice Amount rules are judged on the whole proposal: the amounts of all its calls with the same (target,
///         selector) — and, for `AmountAbovePerKey`, the same key argument (e.g. the token of a treasury transfer)
///         — are summed, and the proposal is critical when a sum exceeds the rule's limit. Splitting a large action
///         into many small calls therefore changes nothing.
interface ICriticalProposalRegistry {
    /// @notice How a (target, selector) pair is judged.
    enum RuleKind {
        None, // not critical
        Always, // every call is critical
        AmountAbove, // critical when the ABI words at `argIndex`, summed over the proposal's calls, exceed `limit`
        AmountAbovePerKey // as AmountAbove, summed separately per value of the ABI word at `keyArgIndex`
    }

    /// @notice One entry of the list.
    struct Rule {
        address target;
        bytes4 selector;
        RuleKind kind;
        uint8 argIndex;
        uint256 limit;
        uint8 keyArgIndex; // AmountAbovePerKey only; 0 otherwise
    }

    /// @notice The rule for (`target`, `selector`) was set (kind None removes it).
    event RuleSet(
        address indexed target, bytes4 indexed selector, RuleKind kind, uint8 argIndex, uint256 limit, uint8 keyArgIndex
    );

    /// @notice `None` rules carry no index or limit (use `clearRule`); `Always` rules carry none either; only
    ///         `AmountAbovePerKey` rules carry a key index, and it differs from the amount's index.
    error InvalidRule(address target, bytes4 selector);

    /// @notice The rule for (`target`, `selector`).
    function ruleOf(address target, bytes4 selector)
        external
        view
        returns (RuleKind kind, uint8 argIndex, uint256 limit, uint8 keyArgIndex);

    /// @notice Whether one call (target, calldata), alone, is critical.
    function isCriticalCall(address target, bytes calldata data) external view returns (bool);

    /// @notice Whether a proposal with these actions is critical: any `Always` call, any call too short to judge,
    ///         or amounts that, summed per (target, selector[, key]) over the whole proposal, exceed their limit.
    /// @dev O(n * k) over the proposal's own n actions and k distinct summed keys; the proposer pays for both.
    function isCriticalProposal(address[] calldata targets, bytes[] calldata calldatas) external view returns (bool);

    /// @notice Set one rule. Governance (the timelock) only; critical itself.
    function setRule(Rule calldata rule) external;

    /// @notice Remove one rule. Governance (the timelock) only; critical itself.
    function clearRule(address target, bytes4 selector) external;
}
