// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Reputation} from "../../../contracts/evm/protocol/Reputation.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";
import {Decay} from "../../../contracts/evm/libraries/Decay.sol";
import {ReputationMath} from "../../../contracts/evm/libraries/ReputationMath.sol";
import {RegistryStakingFixture} from "./RegistryStakingFixture.sol";

/// @dev The pure normalisation arithmetic, against `Decay` over the whole elapsed time.
contract ReputationMathTest is Test {
    uint256 internal constant H = Decay.HALF_LIFE;
    uint256 internal constant ERA = ReputationMath.ERA_LENGTH;

    function test_EraLength_Is32HalfLives() public pure {
        assertEq(ERA, 2_880 days);
    }

    function test_Position_IsTheGenesisInstantBeforeGenesis() public pure {
        (uint256 era, uint256 factor) = ReputationMath.position(1_000, 10);
        assertEq(era, 0);
        assertEq(factor, Decay.Q128);
        (era, factor) = ReputationMath.position(1_000, 1_000 + ERA);
        assertEq(era, 1);
        assertEq(factor, Decay.Q128);
    }

    function test_Rebase_ShiftsBy32BitsPerEra() public pure {
        assertEq(ReputationMath.rebase(7 << 64, 3, 3), 7 << 64);
        assertEq(ReputationMath.rebase(7 << 64, 3, 4), 7 << 32);
        assertEq(ReputationMath.rebase(7 << 64, 3, 5), 7);
        assertEq(ReputationMath.rebase(type(uint256).max, 0, 8), 0);
        assertEq(ReputationMath.rebase(type(uint256).max, 0, 7), type(uint256).max >> 224);
        assertEq(ReputationMath.rebase(type(uint256).max, 0, type(uint16).max), 0);
    }

    function testFuzz_Normalise_ReadsBackExactlyAtTheSameInstant(uint256 value, uint256 offset) public pure {
        value = bound(value, 0, 1 << 96);
        offset = bound(offset, 0, ERA - 1);
        uint256 factor = Decay.factor(offset);
        uint256 n = ReputationMath.normalise(value, factor);
        assertLt(n, 1 << 128, "fits the stored uint128");
        assertEq(ReputationMath.denormalise(n, factor), value);
    }

    function testFuzz_Normalised_DecaysLikeDecayOverTheWholeElapsedTime(
        uint256 value,
        uint256 writtenAt,
        uint256 elapsed
    ) public pure {
        value = bound(value, 1e24, 1e27);
        writtenAt = bound(writtenAt, 0, 3 * ERA);
        elapsed = bound(elapsed, 0, 40 * H);
        (uint256 era0, uint256 f0) = ReputationMath.position(0, writtenAt);
        (uint256 era1, uint256 f1) = ReputationMath.position(0, writtenAt + elapsed);
        uint256 n = ReputationMath.rebase(ReputationMath.normalise(value, f0), era0, era1);
        uint256 read = ReputationMath.denormalise(n, f1);
        uint256 reference_ = Decay.decay(value, elapsed);
        assertLe(read, value);
        // 40 half-lives leave >= 1e24 / 2^40 ~ 9e11 wei, so the wei roundings stay far below 1e-9.
        assertApproxEqRel(read, reference_, 1e9);
    }
}

/// @dev Shared deployment: a Reputation whose registry and staking are never called by these tests.
abstract contract ReputationBase is Test {
    uint64 internal constant GENESIS = 1_750_000_000;
    uint256 internal constant H = Decay.HALF_LIFE;
    uint256 internal constant ERA = ReputationMath.ERA_LENGTH;

    Reputation internal rep;
    address internal governance = makeAddr("governance");
    address internal market = makeAddr("market");
    address internal registryWriter = makeAddr("registryWriter");

    IReputation.Dimension internal constant TASK = IReputation.Dimension.Task;
    IReputation.Dimension internal constant VALIDATOR = IReputation.Dimension.Validator;
    IReputation.Dimension internal constant COMPUTE = IReputation.Dimension.Compute;
    IReputation.Dimension internal constant SOCIAL = IReputation.Dimension.Social;

    function setUp() public virtual {
        vm.warp(GENESIS);
        rep = _deploy(IAgentRegistry(makeAddr("registry")), IStaking(makeAddr("staking")));
    }

    function _deploy(IAgentRegistry registry, IStaking staking) internal returns (Reputation r) {
        r = new Reputation(registry, staking, governance, GENESIS, new IReputation.WriterGrant[](0));
        vm.startPrank(governance);
        r.setWriter(market, TASK, true);
        r.setWriter(market, VALIDATOR, true);
        r.setWriter(registryWriter, COMPUTE, true);
        vm.stopPrank();
    }

    function _increase(uint256 agentId, IReputation.Dimension dimension, uint256 amount) internal {
        vm.prank(dimension == COMPUTE ? registryWriter : market);
        rep.increase(agentId, dimension, amount);
    }

    function _warpTo(uint256 sinceGenesis) internal {
        vm.warp(GENESIS + sinceGenesis);
    }
}

contract ReputationTest is ReputationBase {
    uint256 internal constant ALICE = 0xA11CE;
    uint256 internal constant BOB = 0xB0B;
    uint256 internal constant CAROL = 0xCA401;

    // ------------------------------------------------------------------ deployment and governance

    function test_Constructor_SetsTheTimelockAsOwnerAndTheDefaults() public {
        assertEq(rep.owner(), governance);
        assertEq(rep.genesisTime(), GENESIS);
        assertEq(rep.maxEndorsements(), 16);
        assertEq(rep.endorsementCap(), 10e18);
        assertEq(rep.endorsementBps(), 1_000);
        assertEq(rep.minEndorserStake(), 1_000e18);
        assertEq(rep.currentEra(), 0);
    }

    function test_Constructor_EmitsTheDefaultEndorsementParameters() public {
        vm.expectEmit();
        emit IReputation.EndorsementParametersSet(16, 10e18, 1_000, 1_000e18);
        new Reputation(
            IAgentRegistry(address(1)), IStaking(address(2)), governance, GENESIS, new IReputation.WriterGrant[](0)
        );
    }

    function test_Constructor_RejectsZeroAddresses() public {
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "registry", 0));
        new Reputation(
            IAgentRegistry(address(0)), IStaking(address(2)), governance, GENESIS, new IReputation.WriterGrant[](0)
        );
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "staking", 0));
        new Reputation(
            IAgentRegistry(address(1)), IStaking(address(0)), governance, GENESIS, new IReputation.WriterGrant[](0)
        );
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new Reputation(
            IAgentRegistry(address(1)), IStaking(address(2)), address(0), GENESIS, new IReputation.WriterGrant[](0)
        );
    }

    function test_SetWriter_EmitsAndCanBeRevoked() public {
        address writer = makeAddr("writer");
        vm.expectEmit(address(rep));
        emit IReputation.WriterSet(writer, VALIDATOR, true);
        vm.prank(governance);
        rep.setWriter(writer, VALIDATOR, true);
        assertTrue(rep.isWriter(writer, VALIDATOR));
        assertFalse(rep.isWriter(writer, TASK));

        vm.prank(writer);
        rep.increase(ALICE, VALIDATOR, 1e18);

        vm.prank(governance);
        rep.setWriter(writer, VALIDATOR, false);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, writer, VALIDATOR));
        vm.prank(writer);
        rep.increase(ALICE, VALIDATOR, 1e18);
    }

    function test_SetWriter_OnlyOwner() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        rep.setWriter(stranger, TASK, true);
    }

    function test_SetWriter_RejectsAnySocialWriter() public {
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "dimension", 3));
        vm.prank(governance);
        rep.setWriter(market, SOCIAL, true);
        // Revoking is harmless and allowed.
        vm.prank(governance);
        rep.setWriter(market, SOCIAL, false);
    }

    function test_Writers_RejectEveryoneElseWithNotWriter() public {
        address stranger = makeAddr("stranger");
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, TASK));
        rep.increase(ALICE, TASK, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, VALIDATOR));
        rep.decrease(ALICE, VALIDATOR, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, COMPUTE));
        rep.set(ALICE, COMPUTE, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, SOCIAL));
        rep.increase(ALICE, SOCIAL, 1);
        vm.stopPrank();
        // A writer of one dimension cannot write another.
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, market, COMPUTE));
        vm.prank(market);
        rep.set(ALICE, COMPUTE, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, registryWriter, TASK));
        vm.prank(registryWriter);
        rep.increase(ALICE, TASK, 1);
        // Governance itself is no writer.
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, governance, TASK));
        vm.prank(governance);
        rep.increase(ALICE, TASK, 1);
    }

    function test_SetEndorsementParameters_StoresAndEmits() public {
        vm.expectEmit(address(rep));
        emit IReputation.EndorsementParametersSet(3, 5e18, 2_500, 50e18);
        vm.prank(governance);
        rep.setEndorsementParameters(3, 5e18, 2_500, 50e18);
        assertEq(rep.maxEndorsements(), 3);
        assertEq(rep.endorsementCap(), 5e18);
        assertEq(rep.endorsementBps(), 2_500);
        assertEq(rep.minEndorserStake(), 50e18);
    }

    function test_SetEndorsementParameters_AcceptsTheBounds() public {
        vm.startPrank(governance);
        rep.setEndorsementParameters(1, 0, 0, 1);
        rep.setEndorsementParameters(1_000, 1_000e18, 10_000, 1_000_000_000e18);
        vm.stopPrank();
    }

    function test_SetEndorsementParameters_RejectsOutOfRangeValues() public {
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "maxEndorsements", 0));
        rep.setEndorsementParameters(0, 10e18, 1_000, 1_000e18);
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "maxEndorsements", 1_001));
        rep.setEndorsementParameters(1_001, 10e18, 1_000, 1_000e18);
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "endorsementCap", 1_000e18 + 1)
        );
        rep.setEndorsementParameters(16, 1_000e18 + 1, 1_000, 1_000e18);
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "endorsementBps", 10_001));
        rep.setEndorsementParameters(16, 10e18, 10_001, 1_000e18);
        vm.expectRevert(abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "minStake", 0));
        rep.setEndorsementParameters(16, 10e18, 1_000, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ParameterOutOfRange.selector, "minStake", 1_000_000_000e18 + 1)
        );
        rep.setEndorsementParameters(16, 10e18, 1_000, 1_000_000_000e18 + 1);
        vm.stopPrank();
    }

    function test_SetEndorsementParameters_OnlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, market));
        vm.prank(market);
        rep.setEndorsementParameters(3, 5e18, 2_500, 50e18);
    }

    // ------------------------------------------------------------------ writes

    function test_Increase_ReadsBackExactlyAndEmitsTheDelta() public {
        _warpTo(1_234 days + 17);
        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, TASK, 3e18 + 7, 3e18 + 7);
        _increase(ALICE, TASK, 3e18 + 7);
        assertEq(rep.reputationOf(ALICE, TASK), 3e18 + 7);
        assertEq(rep.totalReputation(TASK), 3e18 + 7);

        vm.warp(block.timestamp + 10 days);
        uint256 decayed = rep.reputationOf(ALICE, TASK);
        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, TASK, 1e18, decayed + 1e18);
        _increase(ALICE, TASK, 1e18);
        assertEq(rep.reputationOf(ALICE, TASK), decayed + 1e18);
    }

    function test_Decrease_FloorsAtZeroAndEmitsWhatWasRemoved() public {
        _increase(ALICE, VALIDATOR, 5e18);
        vm.warp(block.timestamp + 30 days);
        uint256 before = rep.reputationOf(ALICE, VALIDATOR);

        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, VALIDATOR, -1e18, before - 1e18);
        vm.prank(market);
        rep.decrease(ALICE, VALIDATOR, 1e18);
        assertEq(rep.reputationOf(ALICE, VALIDATOR), before - 1e18);

        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, VALIDATOR, -int256(before - 1e18), 0);
        vm.prank(market);
        rep.decrease(ALICE, VALIDATOR, 100e18);
        assertEq(rep.reputationOf(ALICE, VALIDATOR), 0);
        assertEq(rep.totalReputation(VALIDATOR), 0);
        assertEq(rep.normalisedTotal(VALIDATOR), 0);
    }

    function test_Set_ReplacesTheValueInBothDirections() public {
        vm.prank(registryWriter);
        rep.set(ALICE, COMPUTE, 40e18);
        vm.warp(block.timestamp + 90 days);
        uint256 decayed = rep.reputationOf(ALICE, COMPUTE);
        assertApproxEqRel(decayed, 20e18, 1e9);

        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, COMPUTE, int256(25e18) - int256(decayed), 25e18);
        vm.prank(registryWriter);
        rep.set(ALICE, COMPUTE, 25e18);
        assertEq(rep.reputationOf(ALICE, COMPUTE), 25e18);

        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(ALICE, COMPUTE, -25e18, 0);
        vm.prank(registryWriter);
        rep.set(ALICE, COMPUTE, 0);
        assertEq(rep.totalReputation(COMPUTE), 0);
    }

    function test_Increase_RevertsWhenTheNormalisedValueWouldNotFit128Bits() public {
        // At the end of an era a value is stored times ~2^32, so 2^96 no longer fits in 128 bits.
        _warpTo(ERA - 1);
        uint256 tooMuch = 1 << 97;
        uint256 n = ReputationMath.normalise(tooMuch, Decay.factor(ERA - 1));
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, n));
        _increase(ALICE, TASK, tooMuch);
        // 1e27 (a billion points) fits anywhere in the era.
        _increase(ALICE, TASK, 1e27);
        assertEq(rep.reputationOf(ALICE, TASK), 1e27);
    }

    function test_ChangeMany_WritersOnly() public {
        uint256[] memory ids = new uint256[](1);
        ids[0] = ALICE;
        address stranger = makeAddr("stranger");
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, VALIDATOR));
        rep.increaseMany(ids, VALIDATOR, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, stranger, VALIDATOR));
        rep.decreaseMany(ids, VALIDATOR, 1);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, registryWriter, VALIDATOR));
        vm.prank(registryWriter);
        rep.increaseMany(ids, VALIDATOR, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotWriter.selector, market, SOCIAL));
        vm.prank(market);
        rep.increaseMany(ids, SOCIAL, 1);
    }

    /// @dev A batch leaves exactly the state (values, history, exact normalised total) of the same changes made one
    ///      by one, a repeated id included, across an era boundary and with a decrease that floors at zero.
    function testFuzz_ChangeMany_EqualsTheSameChangesOneByOne(uint256 a, uint256 b, uint256 amount, uint256 at)
        public
    {
        a = bound(a, 0, 1e24);
        b = bound(b, 0, 1e24);
        amount = bound(amount, 0, 2e24);
        at = bound(at, 1, 2 * ERA);
        Reputation other = _deploy(IAgentRegistry(makeAddr("registry")), IStaking(makeAddr("staking")));
        Reputation[2] memory both = [rep, other];
        for (uint256 r; r < 2; ++r) {
            vm.startPrank(market);
            both[r].increase(ALICE, VALIDATOR, a);
            both[r].increase(BOB, VALIDATOR, b);
            vm.stopPrank();
        }
        _warpTo(at);
        uint256[] memory ids = new uint256[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (ALICE, BOB, ALICE, CAROL);
        vm.startPrank(market);
        rep.increaseMany(ids, VALIDATOR, amount);
        for (uint256 i; i < ids.length; ++i) other.increase(ids[i], VALIDATOR, amount);
        _warpTo(at + 1 days);
        rep.decreaseMany(ids, VALIDATOR, amount);
        for (uint256 i; i < ids.length; ++i) other.decrease(ids[i], VALIDATOR, amount);
        vm.stopPrank();
        for (uint256 i; i < 3; ++i) {
            assertEq(rep.reputationOf(ids[i], VALIDATOR), other.reputationOf(ids[i], VALIDATOR));
            assertEq(rep.normalisedOf(ids[i], VALIDATOR), other.normalisedOf(ids[i], VALIDATOR));
            assertEq(rep.reputationAt(ids[i], VALIDATOR, block.timestamp - 1), other.reputationAt(ids[i], VALIDATOR, block.timestamp - 1));
        }
        assertEq(rep.normalisedTotal(VALIDATOR), other.normalisedTotal(VALIDATOR), "total exactly as one by one");
        uint256 sum =
            rep.normalisedOf(ALICE, VALIDATOR) + rep.normalisedOf(BOB, VALIDATOR) + rep.normalisedOf(CAROL, VALIDATOR);
        assertGe(rep.normalisedTotal(VALIDATOR), sum, "the documented bounds");
        assertLt(rep.normalisedTotal(VALIDATOR), sum + 3, "the documented bounds");
    }

    function test_ReputationsAt_MatchesReputationAtAndItsErrors() public {
        _increase(ALICE, VALIDATOR, 100e18);
        uint256 t1 = block.timestamp;
        vm.warp(t1 + 10 days);
        _increase(BOB, VALIDATOR, 7e18);
        _increase(ALICE, VALIDATOR, 1e18);
        vm.warp(t1 + 12 days);
        _increase(ALICE, VALIDATOR, 2e18);
        vm.warp(t1 + 20 days);
        uint256[] memory ids = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (ALICE, BOB, CAROL);
        uint256[3] memory times = [t1 + 10 days, t1 + 11 days, t1 + 15 days];
        for (uint256 j; j < 3; ++j) {
            uint256[] memory values = rep.reputationsAt(ids, VALIDATOR, times[j]);
            for (uint256 i; i < 3; ++i) assertEq(values[i], rep.reputationAt(ids[i], VALIDATOR, times[j]));
        }
        assertGt(rep.reputationsAt(ids, VALIDATOR, t1 + 11 days)[0], 0);
        uint256[] memory late = new uint256[](2);
        (late[0], late[1]) = (BOB, CAROL);
        uint256[] memory before = rep.reputationsAt(late, VALIDATOR, t1 + 1 days);
        assertEq(before[0] + before[1], 0, "before the first update");
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ReputationHistoryUnavailable.selector, ALICE, t1 + 5 days)
        );
        rep.reputationsAt(ids, VALIDATOR, t1 + 5 days);
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ReputationFutureLookup.selector, block.timestamp + 1, block.timestamp)
        );
        rep.reputationsAt(ids, VALIDATOR, block.timestamp + 1);
    }

    function test_GetSummary_ReturnsTheFourDecayedValuesAndTheirSum() public {
        _increase(ALICE, TASK, 8e18);
        _increase(ALICE, VALIDATOR, 4e18);
        _increase(ALICE, COMPUTE, 2e18);
        (uint256 task, uint256 validator, uint256 compute, uint256 social, uint256 total) = rep.getSummary(ALICE);
        assertEq(task, 8e18);
        assertEq(validator, 4e18);
        assertEq(compute, 2e18);
        assertEq(social, 0);
        assertEq(total, 14e18);
        vm.warp(block.timestamp + 180 days);
        (task, validator, compute, social, total) = rep.getSummary(ALICE);
        assertApproxEqRel(task, 2e18, 1e9);
        assertApproxEqRel(validator, 1e18, 1e9);
        assertApproxEqRel(compute, 0.5e18, 1e9);
        assertEq(total, task + validator + compute);
    }

    // ------------------------------------------------------------------ decay

    function test_Decay_HalvesEvery90DaysOnRead() public {
        _increase(ALICE, TASK, 100e18);
        vm.warp(block.timestamp + 90 days);
        assertApproxEqRel(rep.reputationOf(ALICE, TASK), 50e18, 1e9);
        assertApproxEqRel(rep.totalReputation(TASK), 50e18, 1e9);
        vm.warp(block.timestamp + 90 days);
        assertApproxEqRel(rep.reputationOf(ALICE, TASK), 25e18, 1e9);
        vm.warp(block.timestamp + 45 days);
        assertApproxEqRel(rep.reputationOf(ALICE, TASK), Decay.decay(100e18, 225 days), 1e9);
    }

    function test_Decay_HalvesEvery90DaysWhenWrittenMidEra() public {
        _warpTo(1_000 days + 12_345);
        _increase(ALICE, VALIDATOR, 100e18);
        vm.warp(block.timestamp + 90 days);
        assertApproxEqRel(rep.reputationOf(ALICE, VALIDATOR), 50e18, 1e9);
        vm.warp(block.timestamp + 1 days);
        assertApproxEqRel(rep.reputationOf(ALICE, VALIDATOR), Decay.decay(100e18, 91 days), 1e9);
    }

    function test_EraCrossing_ValuesAndTotalsMatchTheReferenceOverTheWholeElapsedTime() public {
        _warpTo(100 days);
        _increase(ALICE, TASK, 1e27);
        _warpTo(2_000 days);
        _increase(BOB, TASK, 5e26);
        _warpTo(ERA - 1); // the largest stored multiplier: ~2^32
        _increase(CAROL, TASK, 2e26);

        _warpTo(3_000 days);
        assertEq(rep.currentEra(), 1);
        uint256 refAlice = Decay.decay(1e27, 2_900 days);
        uint256 refBob = Decay.decay(5e26, 1_000 days);
        uint256 refCarol = Decay.decay(2e26, 3_000 days - (ERA - 1));
        assertApproxEqRel(rep.reputationOf(ALICE, TASK), refAlice, 1e9);
        assertApproxEqRel(rep.reputationOf(BOB, TASK), refBob, 1e9);
        assertApproxEqRel(rep.reputationOf(CAROL, TASK), refCarol, 1e9);
        assertApproxEqRel(rep.totalReputation(TASK), refAlice + refBob + refCarol, 1e9);
        _assertTotalMatchesSum(TASK, _trio());

        // A write in the new era rebases the agent and the total.
        uint256 aliceNow = rep.reputationOf(ALICE, TASK);
        _increase(ALICE, TASK, 1e27);
        assertEq(rep.reputationOf(ALICE, TASK), aliceNow + 1e27);
        _assertTotalMatchesSum(TASK, _trio());

        // Two more eras, lazily crossed in one jump.
        _warpTo(3 * ERA + 10 days);
        assertEq(rep.currentEra(), 3);
        uint256 elapsedAlice = 3 * ERA + 10 days - 3_000 days;
        refAlice = Decay.decay(1e27, 3 * ERA + 10 days - 100 days) + Decay.decay(1e27, elapsedAlice);
        assertApproxEqRel(rep.reputationOf(ALICE, TASK), refAlice, 1e9);
        _assertTotalMatchesSum(TASK, _trio());
        _increase(BOB, TASK, 1e18);
        _assertTotalMatchesSum(TASK, _trio());
    }

    function test_EraCrossing_EightErasLaterEverythingIsZero() public {
        _increase(ALICE, TASK, 1e27);
        _warpTo(8 * ERA);
        assertEq(rep.reputationOf(ALICE, TASK), 0);
        assertEq(rep.totalReputation(TASK), 0);
        assertEq(rep.normalisedTotal(TASK), 0);
        _increase(ALICE, TASK, 1e18);
        assertEq(rep.reputationOf(ALICE, TASK), 1e18);
        assertEq(rep.totalReputation(TASK), 1e18);
    }

    function test_BeforeGenesis_NothingDecays() public {
        Reputation later = new Reputation(
            IAgentRegistry(address(1)),
            IStaking(address(2)),
            governance,
            GENESIS + 100 days,
            new IReputation.WriterGrant[](0)
        );
        vm.prank(governance);
        later.setWriter(market, TASK, true);
        vm.prank(market);
        later.increase(ALICE, TASK, 10e18);
        vm.warp(GENESIS + 100 days);
        assertEq(later.reputationOf(ALICE, TASK), 10e18);
        vm.warp(GENESIS + 190 days);
        assertApproxEqRel(later.reputationOf(ALICE, TASK), 5e18, 1e9);
    }

    // ------------------------------------------------------------------ totals

    function test_Total_NormalisedIsExactlyTheSumWithinAnEra() public {
        uint256[] memory agents = new uint256[](12);
        for (uint256 i; i < agents.length; ++i) {
            agents[i] = 1_000 + i;
            vm.warp(block.timestamp + 7 days + i * 3_607);
            _increase(agents[i], VALIDATOR, (i + 1) * 1.337e18 + i);
            if (i % 3 == 0) {
                vm.prank(market);
                rep.decrease(agents[i / 2], VALIDATOR, 0.5e18 + i);
            }
        }
        uint256 sumNormalised;
        for (uint256 i; i < agents.length; ++i) {
            sumNormalised += rep.normalisedOf(agents[i], VALIDATOR);
        }
        assertEq(rep.normalisedTotal(VALIDATOR), sumNormalised, "exact in normalised units");
        _assertTotalMatchesSum(VALIDATOR, agents);
    }

    // ------------------------------------------------------------------ history

    function test_ReputationAt_AnswersWithOneStepOfHistoryAndRevertsBeyondIt() public {
        uint256 t1 = GENESIS + 10;
        vm.warp(t1);
        _increase(ALICE, TASK, 100e18);
        assertEq(rep.reputationAt(ALICE, TASK, t1 - 5), 0, "before the first update");
        assertEq(rep.reputationAt(ALICE, TASK, t1), 100e18);

        uint256 t2 = t1 + 30 days;
        vm.warp(t2);
        _increase(ALICE, TASK, 50e18);
        assertEq(rep.reputationAt(ALICE, TASK, t1 - 5), 0, "still before the first update");
        assertEq(rep.reputationAt(ALICE, TASK, t1), 100e18);
        assertApproxEqRel(rep.reputationAt(ALICE, TASK, t2 - 1), Decay.decay(100e18, 30 days - 1), 1e9, "previous");
        uint256 atT2 = rep.reputationOf(ALICE, TASK);

        uint256 t3 = t2 + 20 days;
        vm.warp(t3);
        _increase(ALICE, TASK, 10e18);
        assertEq(rep.reputationAt(ALICE, TASK, t2), atT2);
        assertApproxEqRel(rep.reputationAt(ALICE, TASK, t2 + 10 days), Decay.decay(atT2, 10 days), 1e9);
        assertEq(rep.reputationAt(ALICE, TASK, t3), rep.reputationOf(ALICE, TASK));
        vm.expectRevert(abi.encodeWithSelector(IReputation.ReputationHistoryUnavailable.selector, ALICE, t2 - 1));
        rep.reputationAt(ALICE, TASK, t2 - 1);
        assertEq(rep.reputationAt(ALICE, TASK, t1 - 5), 0, "before the first update is always known");

        vm.warp(t3 + 5 days);
        assertApproxEqRel(
            rep.reputationAt(ALICE, TASK, t3 + 2 days),
            Decay.decay(atT2, 20 days + 2 days) + Decay.decay(10e18, 2 days),
            1e9
        );
    }

    function test_ReputationAt_SeveralChangesInOneBlockKeepTheValueBeforeTheBlock() public {
        _increase(ALICE, VALIDATOR, 100e18);
        uint256 t2 = block.timestamp + 1 days;
        vm.warp(t2);
        uint256 before = rep.reputationOf(ALICE, VALIDATOR);
        _increase(ALICE, VALIDATOR, 1e18);
        _increase(ALICE, VALIDATOR, 2e18);
        vm.prank(market);
        rep.decrease(ALICE, VALIDATOR, 5e18);
        assertApproxEqRel(rep.reputationAt(ALICE, VALIDATOR, t2 - 1), Decay.decay(100e18, 1 days - 1), 1e9);
        assertEq(rep.reputationAt(ALICE, VALIDATOR, t2), before - 2e18);
    }

    function test_ReputationAt_ComputeAndSocialAnswerOnlySinceTheLastUpdate() public {
        vm.prank(registryWriter);
        rep.set(ALICE, COMPUTE, 10e18);
        uint256 t1 = block.timestamp;
        assertEq(rep.reputationAt(ALICE, COMPUTE, t1 - 1), 0, "before the first update");
        vm.warp(t1 + 1 days);
        vm.prank(registryWriter);
        rep.set(ALICE, COMPUTE, 20e18);
        assertEq(rep.reputationAt(ALICE, COMPUTE, t1 + 1 days), 20e18);
        assertEq(rep.reputationAt(ALICE, COMPUTE, t1 - 1), 0);
        vm.expectRevert(abi.encodeWithSelector(IReputation.ReputationHistoryUnavailable.selector, ALICE, t1));
        rep.reputationAt(ALICE, COMPUTE, t1);
        // Never written: zero at any past time.
        assertEq(rep.reputationAt(BOB, SOCIAL, t1), 0);
    }

    function test_ReputationAt_RevertsForTheFuture() public {
        _increase(ALICE, TASK, 1e18);
        assertEq(rep.reputationAt(ALICE, TASK, block.timestamp), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ReputationFutureLookup.selector, block.timestamp + 1, block.timestamp)
        );
        rep.reputationAt(ALICE, TASK, block.timestamp + 1);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_Increase_ThenDecayMatchesTheReference(uint256 amount, uint256 writtenAt, uint256 elapsed) public {
        amount = bound(amount, 1e24, 1e27);
        writtenAt = bound(writtenAt, 0, 3 * ERA);
        elapsed = bound(elapsed, 0, 40 * H);
        _warpTo(writtenAt);
        _increase(ALICE, TASK, amount);
        assertEq(rep.reputationOf(ALICE, TASK), amount);
        vm.warp(block.timestamp + elapsed);
        uint256 value = rep.reputationOf(ALICE, TASK);
        assertLe(value, amount);
        assertApproxEqRel(value, Decay.decay(amount, elapsed), 1e9);
        assertEq(rep.reputationAt(ALICE, TASK, block.timestamp - elapsed), amount);
    }

    function testFuzz_Changes_ApplyExactlyToTheValueReadNow(uint256 first, uint256 second, uint256 gap, uint8 kind)
        public
    {
        first = bound(first, 0, 1e27);
        second = bound(second, 0, 1e27);
        gap = bound(gap, 0, 2 * ERA);
        _increase(BOB, VALIDATOR, first);
        vm.warp(block.timestamp + gap);
        uint256 before = rep.reputationOf(BOB, VALIDATOR);
        vm.startPrank(market);
        uint256 expected;
        if (kind % 3 == 0) {
            rep.increase(BOB, VALIDATOR, second);
            expected = before + second;
        } else if (kind % 3 == 1) {
            rep.decrease(BOB, VALIDATOR, second);
            expected = second < before ? before - second : 0;
        } else {
            rep.set(BOB, VALIDATOR, second);
            expected = second;
        }
        vm.stopPrank();
        assertEq(rep.reputationOf(BOB, VALIDATOR), expected);
        assertEq(rep.totalReputation(VALIDATOR), expected);
    }

    function testFuzz_Total_StaysWithinTheDocumentedBoundsOfTheSum(uint256 seed) public {
        uint256[] memory agents = new uint256[](6);
        for (uint256 i; i < agents.length; ++i) {
            agents[i] = 77 + i;
        }
        for (uint256 step; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            vm.warp(block.timestamp + (r % (400 days)));
            uint256 agent = agents[(r >> 64) % agents.length];
            uint256 amount = (r >> 96) % 1e26;
            vm.startPrank(market);
            if ((r >> 200) % 4 == 0) rep.decrease(agent, TASK, amount);
            else if ((r >> 200) % 4 == 1) rep.set(agent, TASK, amount);
            else rep.increase(agent, TASK, amount);
            vm.stopPrank();
        }
        _assertTotalMatchesSum(TASK, agents);
    }

    // ------------------------------------------------------------------ gas

    function test_Gas_WritesOnAWarmAgentStayWellUnder50k() public {
        _increase(ALICE, TASK, 5e18);
        vm.warp(block.timestamp + 1 days);
        _increase(ALICE, TASK, 5e18);
        vm.warp(block.timestamp + 1 days);

        vm.cool(address(rep));
        _increase(ALICE, TASK, 1e18);
        uint256 increaseGas = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + 1 days);
        vm.cool(address(rep));
        vm.prank(market);
        rep.decrease(ALICE, TASK, 1e18);
        uint256 decreaseGas = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + 1 days);
        vm.cool(address(rep));
        vm.prank(market);
        rep.set(ALICE, TASK, 7e18);
        uint256 setGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("increase (cold slots)", increaseGas);
        emit log_named_uint("decrease (cold slots)", decreaseGas);
        emit log_named_uint("set (cold slots)", setGas);
        assertLt(increaseGas, 40_000);
        assertLt(decreaseGas, 40_000);
        assertLt(setGas, 40_000);
    }

    // ------------------------------------------------------------------ helpers

    function _trio() internal pure returns (uint256[] memory agents) {
        agents = new uint256[](3);
        agents[0] = ALICE;
        agents[1] = BOB;
        agents[2] = CAROL;
    }

    /// @dev The documented bounds: Σ n <= total < Σ n + N, and Σ values <= total value < Σ values + 2N.
    function _assertTotalMatchesSum(IReputation.Dimension dimension, uint256[] memory agents) internal view {
        uint256 sumValues;
        uint256 sumNormalised;
        for (uint256 i; i < agents.length; ++i) {
            sumValues += rep.reputationOf(agents[i], dimension);
            sumNormalised += rep.normalisedOf(agents[i], dimension);
        }
        uint256 n = agents.length;
        uint256 total = rep.totalReputation(dimension);
        uint256 normalisedTotal = rep.normalisedTotal(dimension);
        assertGe(normalisedTotal, sumNormalised, "normalised total never under-counts");
        assertLt(normalisedTotal, sumNormalised + n, "normalised total: < 1 unit per agent above the sum");
        assertGe(total, sumValues, "total never under-counts");
        assertLt(total, sumValues + 2 * n, "total: < 2 wei per agent above the sum");
    }
}

/// @dev Endorsements against the real AgentRegistry and Staking.
contract ReputationEndorsementTest is RegistryStakingFixture {
    uint256 internal constant MIN_STAKE = 1_000e18;
    IReputation.Dimension internal constant TASK = IReputation.Dimension.Task;
    IReputation.Dimension internal constant SOCIAL = IReputation.Dimension.Social;

    Reputation internal rep;
    address internal market = makeAddr("market");
    TestAgent internal alice;
    TestAgent internal bob;

    function setUp() public override {
        super.setUp();
        rep = new Reputation(registry, staking, governance, GENESIS, new IReputation.WriterGrant[](0));
        vm.prank(governance);
        rep.setWriter(market, TASK, true);
        alice = _activeAgent("alice", MIN_STAKE);
        bob = _activeAgent("bob", MIN_STAKE);
    }

    function _giveTask(TestAgent memory agent, uint256 amount) internal {
        vm.prank(market);
        rep.increase(agent.id, TASK, amount);
    }

    function _endorse(TestAgent memory endorser, TestAgent memory endorsee) internal {
        vm.prank(endorser.owner);
        rep.endorse(endorser.id, endorsee.id);
    }

    function test_Endorse_AddsBpsOfTheEndorsersTaskReputation() public {
        _giveTask(alice, 50e18);
        vm.expectEmit(address(rep));
        emit IReputation.Endorsed(alice.id, bob.id, 5e18);
        vm.expectEmit(address(rep));
        emit IReputation.ReputationChanged(bob.id, SOCIAL, 5e18, 5e18);
        _endorse(alice, bob);
        assertEq(rep.reputationOf(bob.id, SOCIAL), 5e18);
        assertEq(rep.totalReputation(SOCIAL), 5e18);
        assertTrue(rep.hasEndorsed(alice.id, bob.id));
        assertFalse(rep.hasEndorsed(bob.id, alice.id));
        assertEq(rep.endorsementCount(alice.id), 1);
        assertEq(rep.reputationOf(alice.id, TASK), 50e18, "endorsing costs the endorser nothing");

        vm.warp(block.timestamp + 90 days);
        assertApproxEqRel(rep.reputationOf(bob.id, SOCIAL), 2.5e18, 1e9, "social reputation decays too");
    }

    function test_Endorse_UsesTheDecayedTaskReputation() public {
        _giveTask(alice, 80e18);
        vm.warp(block.timestamp + 90 days);
        _attest(alice.id, 2); // the 7-day attestation expired meanwhile
        uint256 task = rep.reputationOf(alice.id, TASK);
        _endorse(alice, bob);
        assertEq(rep.reputationOf(bob.id, SOCIAL), task * 1_000 / 10_000);
        assertApproxEqRel(rep.reputationOf(bob.id, SOCIAL), 4e18, 1e9);
    }

    function test_Endorse_IsCappedAtTheEndorsementCap() public {
        _giveTask(alice, 500e18);
        vm.expectEmit(address(rep));
        emit IReputation.Endorsed(alice.id, bob.id, 10e18);
        _endorse(alice, bob);
        assertEq(rep.reputationOf(bob.id, SOCIAL), 10e18);
    }

    function test_Endorse_FollowsTheGovernanceParameters() public {
        vm.prank(governance);
        rep.setEndorsementParameters(16, 3e18, 5_000, 2_000e18);
        _giveTask(alice, 4e18);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, alice.id));
        _endorse(alice, bob);
        _stake(alice, 1_000e18);
        _endorse(alice, bob);
        assertEq(rep.reputationOf(bob.id, SOCIAL), 2e18, "50% of 4 points");
        TestAgent memory carol = _activeAgent("carol", 0);
        _giveTask(alice, 10e18);
        _endorse(alice, carol);
        assertEq(rep.reputationOf(carol.id, SOCIAL), 3e18, "capped at 3 points");
    }

    function test_Endorse_WithNoTaskReputationGainsNothingButUsesThePair() public {
        vm.recordLogs();
        _endorse(alice, bob);
        assertEq(vm.getRecordedLogs().length, 1, "only Endorsed: no reputation changed");
        assertEq(rep.reputationOf(bob.id, SOCIAL), 0);
        assertTrue(rep.hasEndorsed(alice.id, bob.id));
        assertEq(rep.endorsementCount(alice.id), 1);
    }

    function test_Endorse_RejectsSelfEndorsement() public {
        vm.expectRevert(abi.encodeWithSelector(IReputation.SelfEndorsement.selector, alice.id));
        _endorse(alice, alice);
    }

    function test_Endorse_RejectsACallerThatDoesNotOwnTheEndorser() public {
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotAgentOwner.selector, alice.id, bob.owner));
        vm.prank(bob.owner);
        rep.endorse(alice.id, bob.id);
        // The agent key itself is not the owner either.
        vm.expectRevert(abi.encodeWithSelector(IReputation.NotAgentOwner.selector, alice.id, alice.key));
        vm.prank(alice.key);
        rep.endorse(alice.id, bob.id);
    }

    function test_Endorse_AnUnregisteredEndorserFailsInTheRegistry() public {
        uint256 ghost = 0xdead;
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, ghost));
        vm.prank(alice.owner);
        rep.endorse(ghost, bob.id);
    }

    function test_Endorse_RejectsDuplicates() public {
        _giveTask(alice, 50e18);
        _endorse(alice, bob);
        vm.expectRevert(abi.encodeWithSelector(IReputation.AlreadyEndorsed.selector, alice.id, bob.id));
        _endorse(alice, bob);
        // The reverse direction is a different pair.
        _endorse(bob, alice);
    }

    function test_Endorse_RejectsBeyondTheLimit() public {
        vm.prank(governance);
        rep.setEndorsementParameters(2, 10e18, 1_000, MIN_STAKE);
        TestAgent memory carol = _activeAgent("carol", 0);
        TestAgent memory dave = _activeAgent("dave", 0);
        _endorse(alice, bob);
        _giveTask(alice, 7e18); // the counter shares the Task slot and survives its writes
        vm.warp(block.timestamp + 1 hours);
        _giveTask(alice, 7e18);
        _endorse(alice, carol);
        assertEq(rep.endorsementCount(alice.id), 2);
        vm.prank(market);
        rep.set(alice.id, TASK, 0);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorsementLimitReached.selector, alice.id, 2));
        _endorse(alice, dave);
        assertEq(rep.endorsementCount(alice.id), 2);
        assertEq(rep.reputationAt(alice.id, TASK, block.timestamp - 1 hours), 7e18, "history intact");
    }

    function test_Endorse_RejectsAPendingEndorser() public {
        TestAgent memory pending = _newAgent("pending");
        _register(pending);
        _stake(pending, MIN_STAKE);
        assertEq(uint8(registry.statusOf(pending.id)), uint8(IAgentRegistry.AgentStatus.Pending));
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, pending.id));
        _endorse(pending, bob);
    }

    function test_Endorse_RejectsASuspendedEndorser() public {
        _giveTask(alice, 50e18);
        vm.warp(block.timestamp + 7 days + 1);
        assertEq(uint8(registry.statusOf(alice.id)), uint8(IAgentRegistry.AgentStatus.Suspended));
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, alice.id));
        _endorse(alice, bob);
        _attest(alice.id, 2);
        _endorse(alice, bob);
    }

    function test_Endorse_RejectsAnExitedEndorser() public {
        vm.prank(alice.owner);
        registry.requestExit(alice.id);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, alice.id));
        _endorse(alice, bob);
    }

    function test_Endorse_RejectsAnEndorserBelowTheMinimumStake() public {
        TestAgent memory unstaked = _activeAgent("unstaked", 0);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, unstaked.id));
        _endorse(unstaked, bob);
        _stake(unstaked, MIN_STAKE - 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, unstaked.id));
        _endorse(unstaked, bob);
        _stake(unstaked, 1);
        _endorse(unstaked, bob);
        // Unbonding stake does not count.
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 1);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorserNotEligible.selector, alice.id));
        _endorse(alice, bob);
    }

    function test_Endorse_RejectsAnUnregisteredEndorsee() public {
        uint256 ghost = 0xdead;
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorseeNotRegistered.selector, ghost));
        vm.prank(alice.owner);
        rep.endorse(alice.id, ghost);
    }

    function test_Endorse_AcceptsAPendingEndorsee() public {
        TestAgent memory pending = _newAgent("pending");
        _register(pending);
        _giveTask(alice, 50e18);
        _endorse(alice, pending);
        assertEq(rep.reputationOf(pending.id, SOCIAL), 5e18);
    }

    /// @dev A ring of 4 agents endorsing each other: without Task reputation nobody gains; with it each gain is
    ///      bounded by cap and bps of the endorser's Task reputation, which the ring cannot raise, and a second
    ///      round is impossible.
    function test_EndorsementRing_CannotGrowItsOwnPower() public {
        TestAgent[4] memory ring;
        for (uint256 i; i < 4; ++i) {
            ring[i] = _activeAgent(string.concat("ring", vm.toString(i)), MIN_STAKE);
        }
        for (uint256 i; i < 4; ++i) {
            _endorse(ring[i], ring[(i + 1) % 4]);
        }
        for (uint256 i; i < 4; ++i) {
            assertEq(rep.reputationOf(ring[i].id, SOCIAL), 0, "no task reputation: no gain");
        }
        assertEq(rep.totalReputation(SOCIAL), 0);

        // Now they have task reputation: 30 points (bps-bound: 3 points) for ring0, 500 (cap-bound) for the rest.
        _giveTask(ring[0], 30e18);
        for (uint256 i = 1; i < 4; ++i) {
            _giveTask(ring[i], 500e18);
        }
        for (uint256 i; i < 4; ++i) {
            for (uint256 k = 2; k < 4; ++k) {
                _endorse(ring[i], ring[(i + k) % 4]);
            }
        }
        uint256 totalSocial;
        for (uint256 i; i < 4; ++i) {
            uint256 social = rep.reputationOf(ring[i].id, SOCIAL);
            assertLe(social, 2 * 10e18, "two new endorsements, each at most the cap");
            totalSocial += social;
            // Social reputation never feeds endorsement power: task reputation is untouched.
            assertEq(rep.reputationOf(ring[i].id, TASK), i == 0 ? 30e18 : 500e18);
        }
        // ring0 gave 2 x 3 points, the others 2 x 10 points each.
        assertEq(totalSocial, 2 * 3e18 + 3 * 2 * 10e18);
        assertEq(rep.totalReputation(SOCIAL), totalSocial);

        for (uint256 i; i < 4; ++i) {
            for (uint256 k = 1; k < 4; ++k) {
                TestAgent memory endorsee = ring[(i + k) % 4];
                vm.expectRevert(abi.encodeWithSelector(IReputation.AlreadyEndorsed.selector, ring[i].id, endorsee.id));
                _endorse(ring[i], endorsee);
            }
        }
    }

    function testFuzz_Endorse_AmountIsMinOfCapAndBpsOfTask(uint256 task, uint16 bps, uint256 cap) public {
        task = bound(task, 0, 1e27);
        bps = uint16(bound(bps, 0, 10_000));
        cap = bound(cap, 0, 1_000e18);
        vm.prank(governance);
        rep.setEndorsementParameters(16, cap, bps, MIN_STAKE);
        _giveTask(alice, task);
        _endorse(alice, bob);
        uint256 expected = task * bps / 10_000;
        if (expected > cap) expected = cap;
        assertEq(rep.reputationOf(bob.id, SOCIAL), expected);
    }

    function test_Gas_EndorseStaysUnder150kForTheWholeTransaction() public {
        _giveTask(alice, 50e18);
        TestAgent memory carol = _activeAgent("carol", 0);
        vm.cool(address(rep));
        vm.cool(address(registry));
        vm.cool(address(staking));
        _endorse(alice, carol);
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        // Intrinsic 21,000 + calldata (68 bytes, at most 16 gas each) + the two cold accounts the test cannot cool.
        uint256 wholeTx = execution + 21_000 + 68 * 16 + 2 * 2_500;
        emit log_named_uint("endorse execution (first Social value in the network)", execution);
        emit log_named_uint("endorse whole-tx estimate", wholeTx);
        assertLt(wholeTx, 150_000);

        // The common case: the endorsee already has Social reputation, the endorser has endorsed before.
        _giveTask(bob, 50e18);
        _endorse(bob, alice);
        vm.cool(address(rep));
        vm.cool(address(registry));
        vm.cool(address(staking));
        _endorse(bob, carol);
        execution = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("endorse execution (endorsee and endorser seen before)", execution);
        assertLt(execution + 21_000 + 68 * 16 + 2 * 2_500, 150_000);
    }
}
