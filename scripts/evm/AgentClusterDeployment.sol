// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {AccToken} from "../../contracts/evm/token/AccToken.sol";
import {IAccToken} from "../../contracts/evm/interfaces/IAccToken.sol";
import {EmissionVault} from "../../contracts/evm/economy/EmissionVault.sol";
import {TeamVesting} from "../../contracts/evm/economy/TeamVesting.sol";
import {Treasury} from "../../contracts/evm/economy/Treasury.sol";
import {FeeRouter} from "../../contracts/evm/economy/FeeRouter.sol";
import {CriticalProposalRegistry} from "../../contracts/evm/governance/CriticalProposalRegistry.sol";
import {ICriticalProposalRegistry} from "../../contracts/evm/interfaces/ICriticalProposalRegistry.sol";
import {AgentClusterGovernor} from "../../contracts/evm/governance/AgentClusterGovernor.sol";
import {AgentClusterTimelock} from "../../contracts/evm/governance/AgentClusterTimelock.sol";
import {AccGenesis} from "../../contracts/evm/libraries/AccGenesis.sol";

/// @title The one deployment of the suite, shared by scripts/evm/Deploy.s.sol and the tests
/// @dev Every contract is created with CREATE from `deployer` in a fixed order, so addresses are predicted from
///      its nonce. The token checks each vault's token and allocation, so a wrong prediction reverts.
abstract contract AgentClusterDeployment {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint48 internal constant VOTING_DELAY = 1 days;
    uint32 internal constant VOTING_PERIOD = 5 days;
    uint256 internal constant TIMELOCK_DELAY = 7 days;
    uint256 internal constant PROPOSAL_THRESHOLD_BPS = 100; // 1% of circulating supply
    uint256 internal constant QUORUM_PERCENT = 10; // 10% of circulating supply
    uint256 internal constant TREASURY_CRITICAL_LIMIT = 1_000_000 ether;

    struct DeploymentConfig {
        uint64 genesisTime;
        address teamBeneficiary;
        address validatorsBeneficiary;
        address computeBeneficiary;
        address marketplaceBeneficiary;
        address reviewBeneficiary;
    }

    struct Suite {
        AccToken token;
        AgentClusterTimelock timelock;
        AgentClusterGovernor governor;
        CriticalProposalRegistry criticalRegistry;
        EmissionVault validatorsPool;
        EmissionVault computePool;
        EmissionVault marketplacePool;
        EmissionVault reviewPool;
        TeamVesting teamVesting;
        Treasury treasury;
        FeeRouter feeRouter;
    }

    // Creation order (offsets from the deployer's nonce).
    uint256 private constant AT_TIMELOCK = 0;
    uint256 private constant AT_TOKEN = 7;
    uint256 private constant AT_GOVERNOR = 10;

    function _deploySuite(address deployer, DeploymentConfig memory cfg) internal returns (Suite memory s) {
        uint64 nonce = VM.getNonce(deployer);
        address predictedToken = VM.computeCreateAddress(deployer, nonce + AT_TOKEN);
        address predictedGovernor = VM.computeCreateAddress(deployer, nonce + AT_GOVERNOR);

        s.timelock = new AgentClusterTimelock(TIMELOCK_DELAY, predictedGovernor); // nonce + 0
        address gov = address(s.timelock);
        s.validatorsPool = new EmissionVault(
            "validators", predictedToken, AccGenesis.VALIDATORS_SHARE, cfg.genesisTime, gov, cfg.validatorsBeneficiary
        );
        s.computePool = new EmissionVault(
            "compute", predictedToken, AccGenesis.COMPUTE_SHARE, cfg.genesisTime, gov, cfg.computeBeneficiary
        );
        s.marketplacePool = new EmissionVault(
            "marketplace",
            predictedToken,
            AccGenesis.MARKETPLACE_SHARE,
            cfg.genesisTime,
            gov,
            cfg.marketplaceBeneficiary
        );
        s.reviewPool = new EmissionVault(
            "review", predictedToken, AccGenesis.REVIEW_SHARE, cfg.genesisTime, gov, cfg.reviewBeneficiary
        );
        s.teamVesting = new TeamVesting(
            predictedToken,
            AccGenesis.TEAM_SHARE,
            cfg.genesisTime,
            AccGenesis.TEAM_CLIFF,
            AccGenesis.TEAM_DURATION,
            cfg.teamBeneficiary
        );
        s.treasury = new Treasury(gov); // nonce + 6
        s.token = new AccToken( // nonce + 7
            gov,
            IAccToken.GenesisRecipients({
                validatorsPool: address(s.validatorsPool),
                computePool: address(s.computePool),
                marketplacePool: address(s.marketplacePool),
                reviewPool: address(s.reviewPool),
                treasury: address(s.treasury),
                teamVesting: address(s.teamVesting)
            })
        );
        s.feeRouter = new FeeRouter(address(s.token), address(s.validatorsPool), gov); // nonce + 8
        s.criticalRegistry = new CriticalProposalRegistry(gov, _initialCriticalRules(s, predictedGovernor)); // + 9
        s.governor = new AgentClusterGovernor( // nonce + 10
            IVotes(address(s.token)),
            s.timelock,
            s.criticalRegistry,
            VOTING_DELAY,
            VOTING_PERIOD,
            PROPOSAL_THRESHOLD_BPS,
            QUORUM_PERCENT
        );
        require(address(s.token) == predictedToken && address(s.governor) == predictedGovernor, "nonce drift");
    }

    /// @dev The calls that make a proposal critical at genesis (the registry adds its own setters itself).
    function _initialCriticalRules(Suite memory s, address governor)
        internal
        pure
        returns (ICriticalProposalRegistry.Rule[] memory rules)
    {
        ICriticalProposalRegistry.RuleKind always = ICriticalProposalRegistry.RuleKind.Always;
        rules = new ICriticalProposalRegistry.Rule[](22);
        uint256 i;
        // Governance rules themselves.
        rules[i++] = _rule(governor, GovernorVotesQuorumFraction.updateQuorumNumerator.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setProposalThreshold.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setVotingDelay.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setVotingPeriod.selector, always);
        rules[i++] = _rule(governor, GovernorTimelockControl.updateTimelock.selector, always);
        rules[i++] = _rule(governor, Governor.relay.selector, always);
        rules[i++] = _rule(address(s.timelock), TimelockController.updateDelay.selector, always);
        rules[i++] = _rule(address(s.timelock), IAccessControl.grantRole.selector, always);
        rules[i++] = _rule(address(s.timelock), IAccessControl.revokeRole.selector, always);
        // Who owns what: handing any contract away from the timelock.
        rules[i++] = _rule(address(s.token), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.treasury), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.feeRouter), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.validatorsPool), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.computePool), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.marketplacePool), Ownable.transferOwnership.selector, always);
        rules[i++] = _rule(address(s.reviewPool), Ownable.transferOwnership.selector, always);
        // Supply accounting and the reward streams.
        rules[i++] = _rule(address(s.token), AccToken.setProtocolVault.selector, always);
        rules[i++] = _rule(address(s.validatorsPool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.computePool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.marketplacePool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.reviewPool), EmissionVault.setBeneficiary.selector, always);
        // Treasury transfers above the limit: transfer(token, to, amount), amount is argument 2.
        rules[i++] = ICriticalProposalRegistry.Rule(
            address(s.treasury),
            Treasury.transfer.selector,
            ICriticalProposalRegistry.RuleKind.AmountAbove,
            2,
            TREASURY_CRITICAL_LIMIT
        );
        require(i == rules.length, "rule count");
    }

    function _rule(address target, bytes4 selector, ICriticalProposalRegistry.RuleKind kind)
        private
        pure
        returns (ICriticalProposalRegistry.Rule memory)
    {
        return ICriticalProposalRegistry.Rule(target, selector, kind, 0, 0);
    }
}
