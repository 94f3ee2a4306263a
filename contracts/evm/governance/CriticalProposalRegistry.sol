// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {ICriticalProposalRegistry} from "../interfaces/ICriticalProposalRegistry.sol";

/// @title Which proposal actions are critical, as governance decided
/// @notice The governor asks this registry, at propose time, whether a proposal is critical. Amount rules are
///         judged on the proposal's summed amounts, not per call. The registry's own setters are critical from
///         construction, so weakening the list needs 2/3 too.
contract CriticalProposalRegistry is NonRenounceableOwnable2Step, ICriticalProposalRegistry {
    struct StoredRule {
        RuleKind kind;
        uint8 argIndex;
        uint8 keyArgIndex;
        uint256 limit;
    }

    /// @dev What one call contributes to a proposal's judgement.
    struct Verdict {
        bool critical; // critical on its own
        bool summed; // carries an amount to add to `key`'s sum
        bytes32 key;
        uint256 amount;
        uint256 limit;
    }

    mapping(address target => mapping(bytes4 selector => StoredRule)) private _rules;

    constructor(address governance, Rule[] memory initialRules) Ownable(governance) {
        _setRule(Rule(address(this), ICriticalProposalRegistry.setRule.selector, RuleKind.Always, 0, 0, 0));
        _setRule(Rule(address(this), ICriticalProposalRegistry.clearRule.selector, RuleKind.Always, 0, 0, 0));
        _setRule(Rule(address(this), Ownable.transferOwnership.selector, RuleKind.Always, 0, 0, 0));
        for (uint256 i; i < initialRules.length; ++i) {
            _setRule(initialRules[i]);
        }
    }

    /// @inheritdoc ICriticalProposalRegistry
    function ruleOf(address target, bytes4 selector)
        external
        view
        returns (RuleKind kind, uint8 argIndex, uint256 limit, uint8 keyArgIndex)
    {
        StoredRule storage r = _rules[target][selector];
        return (r.kind, r.argIndex, r.limit, r.keyArgIndex);
    }

    /// @inheritdoc ICriticalProposalRegistry
    function isCriticalCall(address target, bytes calldata data) external view returns (bool) {
        Verdict memory v = _judge(target, data);
        return v.critical || (v.summed && v.amount > v.limit);
    }

    /// @inheritdoc ICriticalProposalRegistry
    /// @dev Loops over the proposal's own actions only, and for each over the distinct keys seen so far; the
    ///      proposer pays for their number. Every running sum stays <= its limit (the loop returns as soon as one
    ///      would exceed it), so the additions cannot overflow whatever the calldata says.
    function isCriticalProposal(address[] calldata targets, bytes[] calldata calldatas) external view returns (bool) {
        uint256 n = targets.length < calldatas.length ? targets.length : calldatas.length;
        bytes32[] memory keys = new bytes32[](n);
        uint256[] memory sums = new uint256[](n);
        uint256 used;
        for (uint256 i; i < n; ++i) {
            Verdict memory v = _judge(targets[i], calldatas[i]);
            if (v.critical) return true;
            if (!v.summed) continue;
            uint256 k;
            while (k < used && keys[k] != v.key) ++k;
            if (k == used) keys[used++] = v.key;
            uint256 sum = sums[k];
            if (v.amount > v.limit - sum) return true;
            sums[k] = sum + v.amount;
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
        emit RuleSet(target, selector, RuleKind.None, 0, 0, 0);
    }

    function _judge(address target, bytes calldata data) private view returns (Verdict memory v) {
        bytes4 selector = data.length >= 4 ? bytes4(data[:4]) : bytes4(0);
        StoredRule storage r = _rules[target][selector];
        RuleKind kind = r.kind;
        if (kind == RuleKind.None) return v;
        if (kind == RuleKind.Always) {
            v.critical = true;
            return v;
        }
        bool perKey = kind == RuleKind.AmountAbovePerKey;
        uint256 lastArg = perKey && r.keyArgIndex > r.argIndex ? r.keyArgIndex : r.argIndex;
        // Calldata too short to carry the amount (or the key) cannot be judged: treat it as critical.
        if (data.length < 4 + 32 * (lastArg + 1)) {
            v.critical = true;
            return v;
        }
        v.summed = true;
        v.amount = _word(data, r.argIndex);
        v.limit = r.limit;
        v.key = keccak256(abi.encode(target, selector, perKey ? _word(data, r.keyArgIndex) : 0));
    }

    function _word(bytes calldata data, uint256 index) private pure returns (uint256) {
        uint256 from = 4 + 32 * index;
        return uint256(bytes32(data[from:from + 32]));
    }

    function _setRule(Rule memory rule) private {
        bool valid;
        if (rule.kind == RuleKind.Always) {
            valid = rule.argIndex == 0 && rule.limit == 0 && rule.keyArgIndex == 0;
        } else if (rule.kind == RuleKind.AmountAbove) {
            valid = rule.keyArgIndex == 0;
        } else if (rule.kind == RuleKind.AmountAbovePerKey) {
            valid = rule.keyArgIndex != rule.argIndex;
        }
        if (!valid) revert InvalidRule(rule.target, rule.selector);
        _rules[rule.target][rule.selector] = StoredRule(rule.kind, rule.argIndex, rule.keyArgIndex, rule.limit);
        emit RuleSet(rule.target, rule.selector, rule.kind, rule.argIndex, rule.limit, rule.keyArgIndex);
    }
}
