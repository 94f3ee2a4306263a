// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {ICriticalProposalRegistry} from "../../../contracts/evm/interfaces/ICriticalProposalRegistry.sol";
import {Treasury} from "../../../contracts/evm/economy/Treasury.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";
import {INonRenounceableOwnership} from "../../../contracts/evm/interfaces/INonRenounceableOwnership.sol";

contract CriticalProposalRegistryTest is SuiteFixture {
    ICriticalProposalRegistry.RuleKind internal constant ALWAYS = ICriticalProposalRegistry.RuleKind.Always;
    ICriticalProposalRegistry.RuleKind internal constant ABOVE = ICriticalProposalRegistry.RuleKind.AmountAbove;

    function _treasuryTransfer(uint256 amount) internal view returns (bytes memory) {
        return abi.encodeCall(Treasury.transfer, (IERC20(address(s.token)), address(1), amount));
    }

    function test_TreasuryTransfer_IsCriticalOnlyAboveTheLimit() public view {
        assertFalse(s.criticalRegistry.isCriticalCall(address(s.treasury), _treasuryTransfer(TREASURY_CRITICAL_LIMIT)));
        assertTrue(
            s.criticalRegistry.isCriticalCall(address(s.treasury), _treasuryTransfer(TREASURY_CRITICAL_LIMIT + 1))
        );
    }

    function test_TruncatedCalldata_ForAnAmountRuleIsCritical() public view {
        bytes memory full = _treasuryTransfer(1);
        bytes memory cut = new bytes(4 + 64);
        for (uint256 i; i < cut.length; ++i) cut[i] = full[i];
        assertTrue(s.criticalRegistry.isCriticalCall(address(s.treasury), cut));
    }

    function test_StandardCalls_AreNotCritical() public view {
        assertFalse(
            s.criticalRegistry.isCriticalCall(address(s.feeRouter), abi.encodeCall(FeeRouter.setBurnShare, (6_000)))
        );
        assertFalse(s.criticalRegistry.isCriticalCall(address(s.feeRouter), ""));
    }

    function test_SameSelectorOnAnotherTarget_IsJudgedByThatTarget() public {
        bytes memory data = abi.encodeCall(EmissionVault.setBeneficiary, (address(1)));
        assertTrue(s.criticalRegistry.isCriticalCall(address(s.validatorsPool), data));
        assertFalse(s.criticalRegistry.isCriticalCall(makeAddr("lookalike"), data));
    }

    function test_SeededRules_CoverTheRegistryItselfAndGovernance() public view {
        (ICriticalProposalRegistry.RuleKind kind,,,) = s.criticalRegistry.ruleOf(
            address(s.criticalRegistry), ICriticalProposalRegistry.setRule.selector
        );
        assertEq(uint8(kind), uint8(ALWAYS));
        (kind,,,) = s.criticalRegistry.ruleOf(
            address(s.criticalRegistry), ICriticalProposalRegistry.clearRule.selector
        );
        assertEq(uint8(kind), uint8(ALWAYS));
        (kind,,,) = s.criticalRegistry.ruleOf(address(s.governor), bytes4(keccak256("updateQuorumNumerator(uint256)")));
        assertEq(uint8(kind), uint8(ALWAYS));
        (kind,,,) = s.criticalRegistry.ruleOf(address(s.timelock), bytes4(keccak256("updateDelay(uint256)")));
        assertEq(uint8(kind), uint8(ALWAYS));
    }

    function test_AnyCriticalAction_MakesTheProposalCritical() public view {
        address[] memory targets = new address[](2);
        bytes[] memory calldatas = new bytes[](2);
        targets[0] = address(s.feeRouter);
        calldatas[0] = abi.encodeCall(FeeRouter.setBurnShare, (6_000));
        targets[1] = address(s.treasury);
        calldatas[1] = _treasuryTransfer(TREASURY_CRITICAL_LIMIT);
        assertFalse(s.criticalRegistry.isCriticalProposal(targets, calldatas));
        calldatas[1] = _treasuryTransfer(TREASURY_CRITICAL_LIMIT * 2);
        assertTrue(s.criticalRegistry.isCriticalProposal(targets, calldatas));
    }

    function test_SetRule_ByGovernanceAddsAndClearRuleRemoves() public {
        bytes4 sel = FeeRouter.setBurnShare.selector;
        vm.expectEmit(address(s.criticalRegistry));
        emit ICriticalProposalRegistry.RuleSet(address(s.feeRouter), sel, ALWAYS, 0, 0, 0);
        vm.prank(address(s.timelock));
        s.criticalRegistry.setRule(ICriticalProposalRegistry.Rule(address(s.feeRouter), sel, ALWAYS, 0, 0, 0));
        assertTrue(s.criticalRegistry.isCriticalCall(address(s.feeRouter), abi.encodeCall(FeeRouter.setBurnShare, (1))));
        vm.prank(address(s.timelock));
        s.criticalRegistry.clearRule(address(s.feeRouter), sel);
        assertFalse(s.criticalRegistry.isCriticalCall(address(s.feeRouter), abi.encodeCall(FeeRouter.setBurnShare, (1))));
    }

    function test_SetRule_RejectsMalformedRules() public {
        vm.startPrank(address(s.timelock));
        vm.expectRevert(
            abi.encodeWithSelector(ICriticalProposalRegistry.InvalidRule.selector, address(s.feeRouter), bytes4(0x12345678))
        );
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(
                address(s.feeRouter), 0x12345678, ICriticalProposalRegistry.RuleKind.None, 0, 0, 0
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(ICriticalProposalRegistry.InvalidRule.selector, address(s.feeRouter), bytes4(0x12345678))
        );
        s.criticalRegistry.setRule(ICriticalProposalRegistry.Rule(address(s.feeRouter), 0x12345678, ALWAYS, 1, 5, 0));
        vm.stopPrank();
    }

    function test_SetRule_OnlyGovernance() public {
        address attacker = makeAddr("attacker");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        s.criticalRegistry.clearRule(address(s.treasury), Treasury.transfer.selector);
    }

    function testFuzz_AmountRule_ComparesTheNamedArgument(uint256 amount, uint256 limit) public {
        vm.prank(address(s.timelock));
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(address(s.treasury), Treasury.transfer.selector, ABOVE, 2, limit, 0)
        );
        assertEq(s.criticalRegistry.isCriticalCall(address(s.treasury), _treasuryTransfer(amount)), amount > limit);
    }

    // ---------------------------------------------------------------- amounts summed over the proposal

    function _transfers(address[] memory tokens, uint256[] memory amounts)
        internal
        view
        returns (address[] memory targets, bytes[] memory calldatas)
    {
        targets = new address[](tokens.length);
        calldatas = new bytes[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            targets[i] = address(s.treasury);
            calldatas[i] = abi.encodeCall(Treasury.transfer, (IERC20(tokens[i]), address(1), amounts[i]));
        }
    }

    function test_TreasuryRule_SumsAmountsPerToken() public view {
        (ICriticalProposalRegistry.RuleKind kind, uint8 argIndex, uint256 limit, uint8 keyArgIndex) =
            s.criticalRegistry.ruleOf(address(s.treasury), Treasury.transfer.selector);
        assertEq(uint8(kind), uint8(ICriticalProposalRegistry.RuleKind.AmountAbovePerKey));
        assertEq(argIndex, 2);
        assertEq(limit, TREASURY_CRITICAL_LIMIT);
        assertEq(keyArgIndex, 0);

        address[] memory tokens = new address[](3);
        uint256[] memory amounts = new uint256[](3);
        tokens[0] = address(s.token);
        tokens[1] = address(0xBEEF);
        tokens[2] = address(s.token);
        amounts[0] = TREASURY_CRITICAL_LIMIT / 2;
        amounts[1] = TREASURY_CRITICAL_LIMIT; // another token: its own sum
        amounts[2] = TREASURY_CRITICAL_LIMIT / 2;
        (address[] memory t, bytes[] memory c) = _transfers(tokens, amounts);
        assertFalse(s.criticalRegistry.isCriticalProposal(t, c), "each token exactly at the limit");
        amounts[2] += 1;
        (t, c) = _transfers(tokens, amounts);
        assertTrue(s.criticalRegistry.isCriticalProposal(t, c), "ACC one wei above the limit in total");
    }

    function test_AmountAbove_SumsPerTargetAndSelector() public {
        vm.prank(address(s.timelock));
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(address(s.treasury), Treasury.transfer.selector, ABOVE, 2, 10, 0)
        );
        address[] memory tokens = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        tokens[0] = address(s.token);
        tokens[1] = address(0xBEEF);
        amounts[0] = 5;
        amounts[1] = 6;
        (address[] memory t, bytes[] memory c) = _transfers(tokens, amounts);
        assertTrue(s.criticalRegistry.isCriticalProposal(t, c), "no key: every token in one sum");
    }

    function testFuzz_SummedAmounts_NeverOverflow(uint256 a, uint256 b) public view {
        address[] memory tokens = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        tokens[0] = address(s.token);
        tokens[1] = address(s.token);
        amounts[0] = a;
        amounts[1] = b;
        (address[] memory t, bytes[] memory c) = _transfers(tokens, amounts);
        bool expected = a > TREASURY_CRITICAL_LIMIT || b > TREASURY_CRITICAL_LIMIT - a;
        assertEq(s.criticalRegistry.isCriticalProposal(t, c), expected);
    }

    function test_SetRule_RejectsKeyedRulesWithoutAUsableKey() public {
        vm.startPrank(address(s.timelock));
        vm.expectRevert(
            abi.encodeWithSelector(ICriticalProposalRegistry.InvalidRule.selector, address(s.treasury), Treasury.transfer.selector)
        );
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(
                address(s.treasury), Treasury.transfer.selector, ICriticalProposalRegistry.RuleKind.AmountAbovePerKey, 2, 1, 2
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(ICriticalProposalRegistry.InvalidRule.selector, address(s.treasury), Treasury.transfer.selector)
        );
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(address(s.treasury), Treasury.transfer.selector, ABOVE, 2, 1, 1)
        );
        vm.stopPrank();
    }

    function test_KeyedRule_ShortCalldataWithoutTheKeyIsCritical() public {
        vm.prank(address(s.timelock));
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(
                address(s.feeRouter), FeeRouter.setBurnShare.selector, ICriticalProposalRegistry.RuleKind.AmountAbovePerKey, 0, 1e30, 1
            )
        );
        assertTrue(s.criticalRegistry.isCriticalCall(address(s.feeRouter), abi.encodeCall(FeeRouter.setBurnShare, (1))));
    }

    function test_RenounceOwnership_Reverts() public {
        vm.expectRevert(INonRenounceableOwnership.OwnershipCannotBeRenounced.selector);
        vm.prank(address(s.timelock));
        s.criticalRegistry.renounceOwnership();
    }
}
