// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ICriticalProposalRegistry} from "../interfaces/ICriticalProposalRegistry.sol";

/// @title Which proposal actions are critical, as governance decided
/// @notice The governor asks this registry, at propose time, whether any action of a proposal is critical.
///         The registry's own setters are critical from construction, so weakening the list needs 2/3 too.
contract CriticalProposalRegistry is Ownable2Step, ICriticalProposalRegistry {
    struct StoredRule {
        RuleKind kind;
        uint8 argIndex;
        uint256 limit;
    }

    mapping(address target => mapping(bytes4 selector => StoredRule)) private _rules;

    constructor(address governance, Rule[] memory initialRules) Ownable(governance) {
        _setRule(Rule(address(this), ICriticalProposalRegistry.setRule.selector, RuleKind.Always, 0, 0));
        _setRule(Rule(address(this), ICriticalProposalRegistry.clearRule.selector, RuleKind.Always, 0, 0));
        _setRule(Rule(address(this), Ownable.transferOwnership.selector, RuleKind.Always, 0, 0));
        for (uint256 i; i < initialRules.length; ++i) {
            _setRule(initialRules[i]);
        }
    }

    /// @inheritdoc ICriticalProposalRegistry
    function ruleOf(address target, bytes4 selector) external view returns (RuleKind kind, uint8 argIndex, uint256 limit) {
        StoredRule storage r = _rules[target][selector];
        return (r.kind, r.argIndex, r.limit);
    }

    /// @inheritdoc ICriticalProposalRegistry
    function isCriticalCall(address target, bytes calldata data) public view returns (bool) {
        bytes4 selector = data.length >= 4 ? bytes4(data[:4]) : bytes4(0);
        StoredRule storage r = _rules[target][selector];
        if (r.kind == RuleKind.None) return false;
        if (r.kind == RuleKind.Always) return true;
        uint256 end = 4 + 32 * (uint256(r.argIndex) + 1);
        // Calldata too short to carry the amount cannot be judged: treat it as critical.
        if (data.length < end) return true;
        return uint256(bytes32(data[end - 32:end])) > r.limit;
    }

    /// @inheritdoc ICriticalProposalRegistry
    /// @dev Loops over the proposal's own actions only; the proposer pays for their number.
    function isCriticalProposal(address[] calldata targets, bytes[] calldata calldatas) external view returns (bool) {
        uint256 n = targets.length < calldatas.length ? targets.length : calldatas.length;
        for (uint256 i; i < n; ++i) {
            if (isCriticalCall(targets[i], calldatas[i])) return true;
        }
        return false;
    }

    /// @inheritdoc ICriticalProposalRegistry
    function setRule(Rule calldata rule) external onlyOwner {
        _setRule(rule);
    }

    /// @inheritdoc ICriticalProposalRegistry
    function clearRule(address target, bytes4 selector) external onlyOwner {
        delete _rules[target][selector];
        emit RuleSet(target, selector, RuleKind.None, 0, 0);
    }

    function _setRule(Rule memory rule) private {
        if (rule.kind == RuleKind.None) revert InvalidRule(rule.target, rule.selector);
        if (rule.kind == RuleKind.Always && (rule.argIndex != 0 || rule.limit != 0)) {
            revert InvalidRule(rule.target, rule.selector);
        }
        _rules[rule.target][rule.selector] = StoredRule(rule.kind, rule.argIndex, rule.limit);
        emit RuleSet(rule.target, rule.selector, rule.kind, rule.argIndex, rule.limit);
    }
}
