// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {ICriticalProposalRegistry} from "../../../contracts/evm/interfaces/ICriticalProposalRegistry.sol";
import {Treasury} from "../../../contracts/evm/economy/Treasury.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {EmissionVault} from "../../../contracts/evm/economy/EmissionVault.sol";

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
}
