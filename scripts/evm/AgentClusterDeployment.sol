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
import {AgentRegistry} from "../../contracts/evm/protocol/AgentRegistry.sol";
import {Staking} from "../../contracts/evm/protocol/Staking.sol";
import {Reputation} from "../../contracts/evm/protocol/Reputation.sol";
import {TaskMarket} from "../../contracts/evm/protocol/TaskMarket.sol";
import {TaskMarketBase} from "../../contracts/evm/protocol/market/TaskMarketBase.sol";
import {LocalRandomness} from "../../contracts/evm/randomness/LocalRandomness.sol";
import {ChainlinkVrfRandomness} from "../../contracts/evm/randomness/ChainlinkVrfRandomness.sol";
import {IReputation} from "../../contracts/evm/interfaces/IReputation.sol";
import {ITaskMarket} from "../../contracts/evm/interfaces/ITaskMarket.sol";
import {IRandomnessSource} from "../../contracts/evm/interfaces/IRandomnessSource.sol";
import {IFeeRouter} from "../../contracts/evm/interfaces/IFeeRouter.sol";

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
    uint256 internal constant TREASURY_CRITICAL_LIMIT = 1_000_000 ether; // summed per proposal and token
    // Floors that hold from the first block: the whitepaper fractions (10% quorum, 1% threshold) of a reference
    // circulating supply of 100,000,000 ACC (10% of the genesis supply). Below that the floors bind (bootstrap).
    uint256 internal constant QUORUM_FLOOR = 10_000_000 ether;
    uint256 internal constant PROPOSAL_THRESHOLD_FLOOR = 1_000_000 ether;

    struct DeploymentConfig {
        uint64 genesisTime;
        address teamBeneficiary;
        address validatorsBeneficiary;
        address computeBeneficiary;
        address marketplaceBeneficiary;
        address reviewBeneficiary;
        address[] attestors; // approved at deployment (the attestation keeper's signing key)
        address vrfCoordinator; // zero: seeds from LocalRandomness (tests, localnet)
        ChainlinkVrfRandomness.VrfConfig vrf;
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
        AgentRegistry registry;
        Staking staking;
        Reputation reputation;
        IRandomnessSource randomness;
        LocalRandomness fallbackRandomness;
        TaskMarket market;
    }

    /// @dev Addresses known before anything is created (CREATE from the deployer, fixed order).
    struct Predicted {
        address token;
        address governor;
        address registry;
        address staking;
        address reputation;
        address randomness;
        address market;
    }

    // Creation order (offsets from the deployer's nonce).
    uint256 private constant AT_TOKEN = 7;
    uint256 private constant AT_GOVERNOR = 10;
    uint256 private constant AT_REGISTRY = 11;
    uint256 private constant AT_STAKING = 12;
    uint256 private constant AT_REPUTATION = 13;
    uint256 private constant AT_RANDOMNESS = 14;
    uint256 private constant AT_MARKET = 16;

    /// @dev The market's parameters at genesis (governance changes them later; slashing severities are critical).
    function _marketParams() internal pure virtual returns (ITaskMarket.MarketParams memory) {
        return ITaskMarket.MarketParams({
            biddingWindow: 1 hours,
            maxTaskDuration: 7 days,
            seedTimeout: 1 hours,
            drawWindow: 30 minutes,
            commitWindow: 6 hours,
            revealWindow: 6 hours,
            feeBps: 500,
            reviewerShareBps: 5_000,
            keeperReward: 1e18,
            minStake: 1_000e18,
            missedDeadlineSeverityBps: 1_000,
            rejectedSeverityBps: 2_000,
            nonRevealSeverityBps: 200,
            minoritySeverityBps: 100
        });
    }

    function _deploySuite(address deployer, DeploymentConfig memory cfg) internal returns (Suite memory s) {
        Predicted memory p = _predict(deployer);
        _deployFoundation(s, p, cfg);
        _deployProtocol(s, p, cfg);
        require(
            address(s.token) == p.token && address(s.governor) == p.governor && address(s.market) == p.market,
            "nonce drift"
        );
    }

    function _predict(address deployer) private view returns (Predicted memory p) {
        uint64 nonce = VM.getNonce(deployer);
        p.token = VM.computeCreateAddress(deployer, nonce + AT_TOKEN);
        p.governor = VM.computeCreateAddress(deployer, nonce + AT_GOVERNOR);
        p.registry = VM.computeCreateAddress(deployer, nonce + AT_REGISTRY);
        p.staking = VM.computeCreateAddress(deployer, nonce + AT_STAKING);
        p.reputation = VM.computeCreateAddress(deployer, nonce + AT_REPUTATION);
        p.randomness = VM.computeCreateAddress(deployer, nonce + AT_RANDOMNESS);
        p.market = VM.computeCreateAddress(deployer, nonce + AT_MARKET);
    }

    function _deployFoundation(Suite memory s, Predicted memory p, DeploymentConfig memory cfg) private {
        address predictedToken = p.token;
        address predictedGovernor = p.governor;

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
            }),
            _nonVotingHolders(p)
        );
        s.feeRouter = new FeeRouter(address(s.token), address(s.validatorsPool), gov); // nonce + 8
        s.criticalRegistry = new CriticalProposalRegistry(gov, _initialCriticalRules(s, p, cfg)); // nonce + 9
        s.governor = new AgentClusterGovernor( // nonce + 10
            IVotes(address(s.token)),
            s.timelock,
            s.criticalRegistry,
            VOTING_DELAY,
            VOTING_PERIOD,
            PROPOSAL_THRESHOLD_BPS,
            QUORUM_PERCENT,
            QUORUM_FLOOR,
            PROPOSAL_THRESHOLD_FLOOR
        );
    }

    /// @dev nonce + 11 .. + 16: registry, staking, reputation, randomness, fallback randomness, market.
    function _deployProtocol(Suite memory s, Predicted memory p, DeploymentConfig memory cfg) private {
        address gov = address(s.timelock);
        s.registry = new AgentRegistry(s.token, gov, IReputation(p.reputation), cfg.attestors);
        s.staking = new Staking(s.token, s.registry, gov, _one(p.market));
        IReputation.WriterGrant[] memory writers = new IReputation.WriterGrant[](3);
        writers[0] = IReputation.WriterGrant(p.market, IReputation.Dimension.Task);
        writers[1] = IReputation.WriterGrant(p.market, IReputation.Dimension.Validator);
        writers[2] = IReputation.WriterGrant(p.registry, IReputation.Dimension.Compute);
        s.reputation = new Reputation(s.registry, s.staking, gov, cfg.genesisTime, writers);
        if (cfg.vrfCoordinator == address(0)) {
            s.randomness = IRandomnessSource(address(new LocalRandomness(2)));
        } else {
            s.randomness = IRandomnessSource(
                address(new ChainlinkVrfRandomness(cfg.vrfCoordinator, cfg.vrf, gov, _one(p.market)))
            );
        }
        s.fallbackRandomness = new LocalRandomness(1);
        s.market = new TaskMarket(
            TaskMarketBase.Dependencies({
                token: s.token,
                registry: s.registry,
                staking: s.staking,
                reputation: s.reputation,
                feeRouter: IFeeRouter(address(s.feeRouter)),
                randomness: s.randomness,
                fallbackRandomness: IRandomnessSource(address(s.fallbackRandomness))
            }),
            gov,
            _marketParams()
        );
    }

    /// @dev Protocol contracts holding agents' ACC that cannot vote (bonds, stakes, escrow): not circulating, so they
    ///      are not in the quorum base. The market's committee logic holds no ACC.
    function _nonVotingHolders(Predicted memory p) private pure returns (address[] memory list) {
        list = new address[](3);
        list[0] = p.registry;
        list[1] = p.staking;
        list[2] = p.market;
    }

    function _one(address a) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    /// @dev The calls that make a proposal critical at genesis (the registry adds its own setters itself).
    function _initialCriticalRules(Suite memory s, Predicted memory p, DeploymentConfig memory cfg)
        internal
        pure
        returns (ICriticalProposalRegistry.Rule[] memory rules)
    {
        ICriticalProposalRegistry.RuleKind always = ICriticalProposalRegistry.RuleKind.Always;
        bool vrf = cfg.vrfCoordinator != address(0);
        rules = new ICriticalProposalRegistry.Rule[](vrf ? 40 : 37);
        uint256 i;
        address governor = p.governor;
        // Governance rules themselves.
        rules[i++] = _rule(governor, GovernorVotesQuorumFraction.updateQuorumNumerator.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setProposalThreshold.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setVotingDelay.selector, always);
        rules[i++] = _rule(governor, GovernorSettings.setVotingPeriod.selector, always);
        rules[i++] = _rule(governor, GovernorTimelockControl.updateTimelock.selector, always);
        rules[i++] = _rule(governor, Governor.relay.selector, always);
        rules[i++] = _rule(governor, AgentClusterGovernor.setQuorumFloor.selector, always);
        rules[i++] = _rule(governor, AgentClusterGovernor.setProposalThresholdFloor.selector, always);
        rules[i++] = _rule(address(s.timelock), TimelockController.updateDelay.selector, always);
        rules[i++] = _rule(address(s.timelock), IAccessControl.grantRole.selector, always);
        rules[i++] = _rule(address(s.timelock), IAccessControl.revokeRole.selector, always);
        rules[i++] = _rule(address(s.timelock), IAccessControl.renounceRole.selector, always);
        // Who owns what: handing any contract away from the timelock.
        address[11] memory owned = [
            address(s.token),
            address(s.treasury),
            address(s.feeRouter),
            address(s.validatorsPool),
            address(s.computePool),
            address(s.marketplacePool),
            address(s.reviewPool),
            p.registry,
            p.staking,
            p.reputation,
            p.market
        ];
        for (uint256 k; k < owned.length; ++k) {
            rules[i++] = _rule(owned[k], Ownable.transferOwnership.selector, always);
        }
        // Supply accounting and the reward streams.
        rules[i++] = _rule(address(s.token), AccToken.setProtocolVault.selector, always);
        rules[i++] = _rule(address(s.validatorsPool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.computePool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.marketplacePool), EmissionVault.setBeneficiary.selector, always);
        rules[i++] = _rule(address(s.reviewPool), EmissionVault.setBeneficiary.selector, always);
        // Treasury transfers above the limit, summed per proposal and token: transfer(token, to, amount), amount is
        // argument 2, the token argument 0. The treasury's own per-period cap is critical to change.
        rules[i++] = ICriticalProposalRegistry.Rule(
            address(s.treasury),
            Treasury.transfer.selector,
            ICriticalProposalRegistry.RuleKind.AmountAbovePerKey,
            2,
            TREASURY_CRITICAL_LIMIT,
            0
        );
        rules[i++] = _rule(address(s.treasury), Treasury.setPeriodCap.selector, always);
        // The validator set (who attests agents, who may slash, who writes reputation) and slashing parameters.
        rules[i++] = _rule(p.registry, AgentRegistry.setAttestor.selector, always);
        rules[i++] = _rule(p.staking, Staking.setSlasher.selector, always);
        rules[i++] = _rule(p.staking, Staking.setUnbondingPeriod.selector, always);
        rules[i++] = _rule(p.staking, Staking.setAppealWindow.selector, always);
        rules[i++] = _rule(p.staking, Staking.setHarmedShare.selector, always);
        rules[i++] = _rule(p.reputation, Reputation.setWriter.selector, always);
        rules[i++] = _rule(p.market, TaskMarket.setParams.selector, always);
        if (vrf) {
            rules[i++] = _rule(p.randomness, ChainlinkVrfRandomness.setConsumer.selector, always);
            rules[i++] = _rule(p.randomness, ChainlinkVrfRandomness.setConfig.selector, always);
            rules[i++] = _rule(p.randomness, Ownable.transferOwnership.selector, always);
        }
        require(i == rules.length, "rule count");
    }

    function _rule(address target, bytes4 selector, ICriticalProposalRegistry.RuleKind kind)
        private
        pure
        returns (ICriticalProposalRegistry.Rule memory)
    {
        return ICriticalProposalRegistry.Rule(target, selector, kind, 0, 0, 0);
    }
}
