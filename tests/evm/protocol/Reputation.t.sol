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
        // Two later writes to Alice do not hide the value between them.
        assertApproxEqRel(
            rep.reputationsAt(ids, VALIDATOR, t1 + 5 days)[0], Decay.decay(100e18, t1 + 5 days - t1 % 1 days - t1), 1e9
        );
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

    // ------------------------------------------------------------------ history (daily checkpoints)

    uint256 internal constant DAY = 1 days;
    uint256 internal constant HISTORY = 8; // Reputation.HISTORY_DAYS, checked in test_HistoryDays_IsEight

    /// @dev The reference model: every write as it left the value (normalised in the era it was written in).
    struct Write {
        uint256 at;
        uint256 normalised;
        uint256 era;
    }

    mapping(uint256 agentId => mapping(IReputation.Dimension => Write[])) internal _writes;

    function test_CheckpointPeriod_IsOneDay() public view {
        assertEq(rep.CHECKPOINT_PERIOD(), 1 days);
    }

    function test_HistoryDays_IsEight() public view {
        assertEq(rep.HISTORY_DAYS(), HISTORY);
    }

    function test_ReputationAt_IsTheValueAtTheStartOfTheDay() public {
        uint256 day = _dayStart(block.timestamp) + DAY;
        vm.warp(day + 10 hours);
        _write(ALICE, VALIDATOR, 0, 100e18);
        uint256 t1 = block.timestamp;
        assertEq(rep.reputationAt(ALICE, VALIDATOR, t1), 0, "a day's changes count from the next day");
        vm.warp(t1 + 13 hours);
        assertEq(rep.reputationAt(ALICE, VALIDATOR, block.timestamp), 0, "still the same day");

        vm.warp(day + 2 * DAY + 1);
        uint256 atNextDay = rep.reputationAt(ALICE, VALIDATOR, day + DAY);
        assertApproxEqRel(atNextDay, Decay.decay(100e18, 14 hours), 1e9, "decayed to the day start");
        assertLt(atNextDay, 100e18);
        for (uint256 s; s < DAY; s += 3 hours + 17) {
            assertEq(rep.reputationAt(ALICE, VALIDATOR, day + DAY + s), atNextDay, "one value for the whole day");
        }
        assertEq(rep.reputationAt(ALICE, VALIDATOR, day + 2 * DAY - 1), atNextDay);
        assertApproxEqRel(rep.reputationAt(ALICE, VALIDATOR, block.timestamp), Decay.decay(100e18, DAY + 14 hours), 1e9);
        _assertMatchesModel(ALICE, VALIDATOR, day, block.timestamp, 1 hours);
    }

    function test_ReputationAt_AWriteExactlyAtADayStartCountsFromTheNextDay() public {
        uint256 day = _dayStart(block.timestamp) + DAY;
        vm.warp(day - 1);
        _write(ALICE, TASK, 0, 10e18); // one second before the day start: counts at that day start
        vm.warp(day);
        _write(ALICE, TASK, 0, 20e18); // at the day start: counts from the next one
        vm.warp(day + DAY);
        assertEq(rep.reputationAt(ALICE, TASK, day - 1), 0);
        assertApproxEqRel(rep.reputationAt(ALICE, TASK, day), Decay.decay(10e18, 1), 1e9);
        assertLe(rep.reputationAt(ALICE, TASK, day), 10e18);
        assertApproxEqRel(rep.reputationAt(ALICE, TASK, day + DAY), Decay.decay(10e18, DAY + 1) + Decay.decay(20e18, DAY), 1e9);
        _assertMatchesModel(ALICE, TASK, day - DAY, block.timestamp, 1 hours);
    }

    function test_ReputationAt_ManyWritesInADayKeepOneCheckpointAndTheDayStartValue() public {
        _write(ALICE, VALIDATOR, 0, 100e18);
        uint256 day = _dayStart(block.timestamp) + 3 * DAY;
        vm.warp(day + 1 hours);
        uint256 atStart = rep.reputationAt(ALICE, VALIDATOR, day);
        assertApproxEqRel(atStart, Decay.decay(100e18, day - GENESIS), 1e9);
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 0);
        for (uint256 i; i < 20; ++i) {
            _write(ALICE, VALIDATOR, i % 3, (i + 1) * 3e18);
            vm.warp(block.timestamp + 1 hours);
        }
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 1, "one checkpoint for the whole day");
        assertEq(rep.reputationAt(ALICE, VALIDATOR, block.timestamp), atStart, "the day start value stands");
        assertEq(rep.reputationAt(ALICE, VALIDATOR, day), atStart);
        uint256 last = rep.reputationOf(ALICE, VALIDATOR);
        vm.warp(day + DAY + 2 hours);
        assertLe(rep.reputationAt(ALICE, VALIDATOR, day + DAY), last, "the day's last value, decayed");
        assertApproxEqRel(rep.reputationAt(ALICE, VALIDATOR, day + DAY), Decay.decay(last, 3 hours), 1e9);
        _assertMatchesModel(ALICE, VALIDATOR, GENESIS - DAY, block.timestamp, 30 minutes);
    }

    /// @dev 120 random writes by three agents over about 180 days: every half day from before genesis to now, each
    ///      read (single and batch) is exactly the model's value if its checkpoint is still in the ring, else exactly
    ///      `ReputationHistoryPruned`; both happen, and nothing of the last 8 days reverts.
    function test_ReputationAt_WritesSpreadOverManyDaysAnswerEveryDay() public {
        uint256[] memory ids = _trio();
        for (uint256 step; step < 120; ++step) {
            uint256 r = uint256(keccak256(abi.encode("spread", step)));
            vm.warp(block.timestamp + r % (3 * DAY));
            uint256 agent = ids[(r >> 32) % 3];
            _write(agent, VALIDATOR, (r >> 40) % 3, (r >> 64) % 50e18);
        }
        assertGt(rep.checkpointCount(ALICE, VALIDATOR), 20, "the ring has gone round several times");
        for (uint256 i; i < 3; ++i) {
            assertEq(rep.checkpointCount(ids[i], VALIDATOR), _modelCheckpoints(ids[i], VALIDATOR), "checkpointCount");
        }
        vm.warp(block.timestamp + 1);
        uint256 answered;
        uint256 pruned;
        for (uint256 t = GENESIS - 2 * DAY; t <= block.timestamp; t += DAY / 2) {
            _assertBatchRead(ids, VALIDATOR, t);
            for (uint256 i; i < 3; ++i) {
                if (_assertRead(ids[i], VALIDATOR, t)) ++answered;
                else ++pruned;
            }
        }
        assertGt(answered, 3 * 2 * 8, "at least the last 8 days of every agent");
        assertGt(pruned, 0, "old reads left the ring");
    }

    /// @dev 1,000 days with a write each: only the last days are kept; older reads (the first day, before the first
    ///      write too) revert `ReputationHistoryPruned`, and a read searches at most the 8 slots of the ring.
    function test_ReputationAt_FarInThePastIsPrunedAndRecentIsExactAndCheap() public {
        for (uint256 d; d < 1_000; ++d) {
            _write(ALICE, VALIDATOR, d % 5 == 4 ? 1 : 0, 1e18 + d);
            vm.warp(block.timestamp + DAY);
        }
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 999, "the count keeps counting past the ring size");
        uint256 firstDay = _dayStart(GENESIS) + DAY;
        for (uint256 t = firstDay; t < block.timestamp; t += 37 * DAY) {
            _assertRead(ALICE, VALIDATOR, t);
        }
        // Today has no write yet: the current record answers today's start, the ring the 8 day starts before it.
        uint256 today = _dayStart(block.timestamp);
        for (uint256 back; back <= HISTORY * DAY; back += DAY) {
            assertTrue(_assertRead(ALICE, VALIDATOR, today - back + 5 hours), "the last 9 day starts");
        }
        _expectPruned(ALICE, VALIDATOR, today - (HISTORY + 1) * DAY);
        _expectPruned(ALICE, VALIDATOR, firstDay);
        // Before the first write: checkpoint 0, which would prove there was none, left the ring.
        _expectPruned(ALICE, VALIDATOR, GENESIS);
        _expectPruned(ALICE, VALIDATOR, 0);

        vm.cool(address(rep));
        uint256 gasBefore = gasleft();
        rep.reputationAt(ALICE, VALIDATOR, today - HISTORY * DAY);
        uint256 used = gasBefore - gasleft();
        emit log_named_uint("reputationAt, oldest kept day (cold, binary search over the ring)", used);
        assertLt(used, 25_000, "about log2(8) cold reads");
        vm.cool(address(rep));
        gasBefore = gasleft();
        try rep.reputationAt(ALICE, VALIDATOR, firstDay) {
            fail();
        } catch {}
        used = gasBefore - gasleft();
        emit log_named_uint("reputationAt, pruned day (cold)", used);
        assertLt(used, 25_000, "a pruned read costs no more than a kept one");
    }

    /// @dev A write on each of 20 days (two on even days): the count keeps counting, the reads of the last 9 day
    ///      starts (today's start from the current record, the 8 before from the ring) are the days' last values,
    ///      older ones revert; each first write of a day after the 8th rewrites the slot written 8 days before.
    function test_ReputationAt_RingRewritesSlotsKeepsTheLastEightDaysAndPrunesTheRest() public {
        uint256 day0 = _dayStart(block.timestamp) + DAY;
        bytes32[] memory historySlot = new bytes32[](20);
        for (uint256 d; d < 20; ++d) {
            vm.warp(day0 + d * DAY + 3 hours);
            vm.record();
            _write(ALICE, TASK, 2, d % 2 == 0 ? 999e18 : (d + 1) * 1e18);
            (, bytes32[] memory firstWrites) = vm.accesses(address(rep));
            vm.warp(day0 + d * DAY + 10 hours);
            vm.record();
            _write(ALICE, TASK, 2, (d + 1) * 1e18); // the day's last value
            (, bytes32[] memory laterWrites) = vm.accesses(address(rep));
            bytes32[] memory extra = _minus(firstWrites, laterWrites);
            assertEq(extra.length, d == 0 ? 0 : 1, "a day's first write writes one history slot, later ones none");
            if (d != 0) historySlot[d] = extra[0];
            assertEq(rep.checkpointCount(ALICE, TASK), d, "one checkpoint per earlier day with writes");
        }
        for (uint256 d = 1; d < 20; ++d) {
            for (uint256 e = 1; e < d; ++e) {
                if ((d - e) % HISTORY == 0) assertEq(historySlot[d], historySlot[e], "the same slot 8 days later");
                else assertTrue(historySlot[d] != historySlot[e], "distinct slots within the ring");
            }
        }

        vm.warp(day0 + 20 * DAY + 6 hours);
        assertEq(rep.checkpointCount(ALICE, TASK), 19);
        // Day j's start reads day j - 1's last value, (j)e18 set at 10:00: checkpoint j - 1, kept iff j - 1 >= 19 - 8.
        for (uint256 j; j <= 20; ++j) {
            uint256 t = day0 + j * DAY + 5 hours;
            if (j >= 12) {
                uint256 value = rep.reputationAt(ALICE, TASK, t);
                assertApproxEqRel(value, Decay.decay(j * 1e18, 14 hours), 1e9, "the day's last value, decayed");
                assertLe(value, j * 1e18);
                assertEq(value, _modelAt(ALICE, TASK, t));
            } else {
                _expectPruned(ALICE, TASK, t);
            }
            _assertRead(ALICE, TASK, t);
        }
        _expectPruned(ALICE, TASK, day0 - 1);

        // A write today pushes day 19's record: day 12's start leaves the ring, day 13's stays.
        _write(ALICE, TASK, 0, 1e18);
        assertEq(rep.checkpointCount(ALICE, TASK), 20);
        _expectPruned(ALICE, TASK, day0 + 12 * DAY);
        for (uint256 j = 13; j <= 20; ++j) {
            assertTrue(_assertRead(ALICE, TASK, day0 + j * DAY), "the last 8 day starts");
        }
        // Another agent and dimension keep their own ring.
        _write(BOB, TASK, 0, 1e18);
        _write(ALICE, VALIDATOR, 0, 1e18);
        vm.warp(block.timestamp + DAY);
        assertApproxEqRel(rep.reputationAt(BOB, TASK, block.timestamp), Decay.decay(1e18, 18 hours), 1e9);
        assertEq(rep.checkpointCount(BOB, TASK), 0);
        assertEq(rep.reputationAt(ALICE, VALIDATOR, 0), 0);
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 0);
    }

    /// @dev Writes on every day, four a day (the day start, one second after, midday, the last second): after each,
    ///      the read exactly HISTORY_DAYS - 1 days back, and every day start since, is answered exactly.
    function test_ReputationAt_ReadSevenDaysOldNeverRevertsAfterAWriteEveryDay() public {
        uint256 day0 = _dayStart(block.timestamp) + DAY;
        uint256[4] memory offsets = [uint256(0), 1, 12 hours, DAY - 1];
        for (uint256 d; d < 24; ++d) {
            for (uint256 o; o < 4; ++o) {
                vm.warp(day0 + d * DAY + offsets[o]);
                _write(ALICE, VALIDATOR, (d + o) % 3, (d + 1) * 1e18 + o);
                uint256 t = block.timestamp - (HISTORY - 1) * DAY;
                uint256 value = rep.reputationAt(ALICE, VALIDATOR, t); // reverting fails the test
                assertEq(value, _modelAt(ALICE, VALIDATOR, t), "7 days back");
                assertTrue(_assertRead(ALICE, VALIDATOR, t));
                for (uint256 back; back < HISTORY; ++back) {
                    assertTrue(_assertRead(ALICE, VALIDATOR, _dayStart(block.timestamp) - back * DAY), "day starts");
                }
            }
        }
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 23);
    }

    /// @dev The guarantee counts days, not seconds: with a write on each of the last 9 days, a read 7 days and 23
    ///      hours old falls on the day 8 day starts back, whose checkpoint the ring no longer holds. The boundary
    ///      that holds: a timepoint whose day starts at most HISTORY_DAYS - 1 days before today's start.
    function test_ReputationAt_TheGuaranteeCountsDaysNotSeconds() public {
        uint256 day0 = _dayStart(block.timestamp) + DAY;
        for (uint256 d; d < 10; ++d) {
            vm.warp(day0 + d * DAY + 10 hours);
            _write(ALICE, TASK, 0, 1e18);
        }
        vm.warp(block.timestamp + 1 hours);
        uint256 t = block.timestamp - HISTORY * DAY + 1 hours;
        assertLt(block.timestamp - t, HISTORY * DAY, "less than 8 days old");
        assertEq(_dayStart(block.timestamp) - _dayStart(t), HISTORY * DAY, "but 8 day starts back");
        _expectPruned(ALICE, TASK, t);
        assertTrue(_assertRead(ALICE, TASK, _dayStart(block.timestamp) - (HISTORY - 1) * DAY), "7 day starts back");
        assertTrue(_assertRead(ALICE, TASK, block.timestamp - (HISTORY - 1) * DAY), "7 days old");
    }

    function test_ReputationAt_AcrossEraBoundaries() public {
        _warpTo(ERA - 3 * DAY);
        _write(ALICE, TASK, 0, 1e24);
        _warpTo(ERA - 1 hours);
        _write(ALICE, TASK, 0, 1e24);
        _warpTo(ERA + 1 hours);
        _write(ALICE, TASK, 1, 3e23);
        _warpTo(ERA + 2 * DAY);
        _write(ALICE, TASK, 2, 5e23);
        _warpTo(2 * ERA + 5 * DAY);
        _write(ALICE, TASK, 0, 1e22);
        vm.warp(block.timestamp + 3 * DAY);
        assertEq(rep.currentEra(), 2);
        _assertMatchesModel(ALICE, TASK, GENESIS + ERA - 5 * DAY, GENESIS + ERA + 5 * DAY, 2 hours);
        _assertMatchesModel(ALICE, TASK, GENESIS + 2 * ERA - 2 * DAY, block.timestamp, 2 hours);
        // The value at the first day start of era 1, over the boundary: both writes of era 0's last day decayed.
        uint256 dayAfter = _dayStart(GENESIS + ERA) + DAY;
        assertApproxEqRel(
            rep.reputationAt(ALICE, TASK, dayAfter),
            Decay.decay(1e24, dayAfter - (GENESIS + ERA - 3 * DAY)) + Decay.decay(1e24, dayAfter - (GENESIS + ERA - 1 hours))
                - Decay.decay(3e23, dayAfter - (GENESIS + ERA + 1 hours)),
            1e9
        );
        // Between era 1's writes and era 2's, the value read far in era 1 is the era-1 record, rebased.
        assertApproxEqRel(
            rep.reputationAt(ALICE, TASK, GENESIS + ERA + 100 * DAY),
            Decay.decay(5e23, _dayStart(GENESIS + ERA + 100 * DAY) - (GENESIS + ERA + 2 * DAY)),
            1e9
        );
    }

    function test_ReputationAt_IsZeroBeforeGenesisAndBeforeTheFirstWrite() public {
        _warpTo(40 * DAY);
        _write(ALICE, VALIDATOR, 0, 5e18);
        vm.warp(block.timestamp + 10 * DAY);
        _write(ALICE, VALIDATOR, 0, 5e18);
        vm.warp(block.timestamp + 10 * DAY);
        uint256[] memory ids = _trio();
        uint256[5] memory times = [uint256(0), 1, GENESIS - 1, GENESIS, GENESIS + 40 * DAY];
        for (uint256 j; j < times.length; ++j) {
            assertEq(rep.reputationAt(ALICE, VALIDATOR, times[j]), 0);
            uint256[] memory values = rep.reputationsAt(ids, VALIDATOR, times[j]);
            for (uint256 i; i < 3; ++i) assertEq(values[i], 0);
        }
        assertGt(rep.reputationAt(ALICE, VALIDATOR, GENESIS + 41 * DAY), 0, "from the day after the first write");
        assertEq(rep.reputationAt(BOB, VALIDATOR, block.timestamp), 0, "never written");
        assertEq(rep.reputationAt(BOB, SOCIAL, 0), 0);
    }

    function test_ReputationAt_RevertsForTheFutureOnly() public {
        _write(ALICE, TASK, 0, 1e18);
        assertEq(rep.reputationAt(ALICE, TASK, block.timestamp), 0, "now: today's start");
        vm.warp(block.timestamp + DAY);
        assertEq(rep.reputationAt(ALICE, TASK, block.timestamp), _modelAt(ALICE, TASK, block.timestamp));
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ReputationFutureLookup.selector, block.timestamp + 1, block.timestamp)
        );
        rep.reputationAt(ALICE, TASK, block.timestamp + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReputation.ReputationFutureLookup.selector, type(uint256).max, block.timestamp)
        );
        rep.reputationsAt(_trio(), TASK, type(uint256).max);
    }

    function test_ReputationAt_ComputeKeepsDailyHistoryToo() public {
        for (uint256 d; d < 6; ++d) {
            _write(ALICE, COMPUTE, 2, (d + 1) * 10e18);
            vm.warp(block.timestamp + DAY + 3 hours);
        }
        assertEq(rep.checkpointCount(ALICE, COMPUTE), 5);
        _assertMatchesModel(ALICE, COMPUTE, GENESIS - DAY, block.timestamp, 1 hours);
    }

    /// @dev Random writes (increase, decrease, set) by two agents at random gaps (same second, hours, about a day,
    ///      days, months, across eras); every read of the past, single and batch, is exactly the model evaluated at the
    ///      day start if the model's ring still holds its checkpoint, else exactly `ReputationHistoryPruned`, and no
    ///      read of the last 8 days (every day start of it included) reverts.
    function testFuzz_ReputationAt_EqualsTheReferenceOfAllWritesAtTheDayStart(uint256 seed) public {
        uint256[] memory ids = _trio();
        for (uint256 step; step < 40; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 gapKind = r % 5;
            uint256 gap = gapKind == 0 ? 0 : gapKind == 1 ? (r >> 8) % 6 hours : gapKind == 2
                ? DAY - 2 hours + (r >> 8) % 4 hours
                : gapKind == 3 ? (r >> 8) % (3 * DAY) : (r >> 8) % (400 * DAY);
            vm.warp(block.timestamp + gap);
            _write(ids[(r >> 48) % 2], VALIDATOR, (r >> 56) % 3, (r >> 64) % 1e26);
        }
        vm.warp(block.timestamp + (seed >> 128) % (2 * DAY));
        for (uint256 a; a < 2; ++a) {
            assertEq(rep.checkpointCount(ids[a], VALIDATOR), _modelCheckpoints(ids[a], VALIDATOR), "checkpointCount");
            Write[] storage writes = _writes[ids[a]][VALIDATOR];
            for (uint256 i; i < writes.length; ++i) {
                uint256 at = writes[i].at;
                _assertModelAt(ids[a], at);
                _assertModelAt(ids[a], at - 1);
                _assertModelAt(ids[a], _dayStart(at));
                _assertModelAt(ids[a], _dayStart(at) - 1);
                if (at + DAY <= block.timestamp) _assertModelAt(ids[a], at + DAY);
            }
        }
        _assertModelAt(ALICE, 0);
        _assertModelAt(ALICE, block.timestamp);
        _assertModelAt(BOB, block.timestamp - (seed % (block.timestamp - GENESIS + 1)));
        for (uint256 back; back <= (HISTORY + 2) * DAY; back += 5 hours + 7) {
            _assertModelAt(ALICE, block.timestamp - back);
            _assertModelAt(BOB, block.timestamp - back);
        }
    }

    function _assertModelAt(uint256 agent, uint256 t) internal {
        _assertRead(agent, VALIDATOR, t);
        _assertBatchRead(_trio(), VALIDATOR, t);
    }

    // ------------------------------------------------------------------ history helpers

    function _dayStart(uint256 t) internal pure returns (uint256) {
        return t - t % DAY;
    }

    /// @dev kind 0 increase, 1 decrease, 2 set; the model records the value the write left.
    function _write(uint256 agent, IReputation.Dimension dimension, uint256 kind, uint256 amount) internal {
        vm.startPrank(dimension == COMPUTE ? registryWriter : market);
        if (kind == 0) rep.increase(agent, dimension, amount);
        else if (kind == 1) rep.decrease(agent, dimension, amount);
        else rep.set(agent, dimension, amount);
        vm.stopPrank();
        _writes[agent][dimension].push(
            Write({at: block.timestamp, normalised: rep.normalisedOf(agent, dimension), era: rep.currentEra()})
        );
    }

    /// @dev The last write before `t`'s day start, decayed to that day start; 0 if there is none.
    function _modelAt(uint256 agent, IReputation.Dimension dimension, uint256 t) internal view returns (uint256) {
        uint256 dayStart = _dayStart(t);
        Write[] storage writes = _writes[agent][dimension];
        uint256 i = writes.length;
        while (i != 0 && writes[i - 1].at >= dayStart) --i;
        if (i == 0) return 0;
        (uint256 era, uint256 factor) = ReputationMath.position(GENESIS, dayStart);
        return ReputationMath.denormalise(ReputationMath.rebase(writes[i - 1].normalised, writes[i - 1].era, era), factor);
    }

    /// @dev The ring model. Record r (0-based, in write order) is the last write of the r-th distinct day with writes;
    ///      records 0 .. count - 1 are the checkpoints (count = write-days - 1), record `count` the current one. A read
    ///      at `dayStart` needs the record `k` holding the last write before it: the current record is always there,
    ///      checkpoint k is kept iff k >= count - HISTORY_DAYS. With no write before it (k = -1) the answer 0 needs
    ///      checkpoint 0, which proves that, so it is answered iff 0 >= count - HISTORY_DAYS.
    function _modelRead(uint256 agent, IReputation.Dimension dimension, uint256 t)
        internal
        view
        returns (bool kept, uint256 value)
    {
        value = _modelAt(agent, dimension, t);
        uint256 dayStart = _dayStart(t);
        Write[] storage writes = _writes[agent][dimension];
        uint256 writeDays;
        uint256 lastDay = type(uint256).max;
        uint256 needed = type(uint256).max;
        for (uint256 i; i < writes.length; ++i) {
            uint256 d = writes[i].at / DAY;
            if (d != lastDay) (writeDays, lastDay) = (writeDays + 1, d);
            if (writes[i].at < dayStart) needed = writeDays - 1;
        }
        if (writeDays == 0) return (true, value);
        uint256 count = writeDays - 1;
        if (needed == count) return (true, value);
        uint256 k = needed == type(uint256).max ? 0 : needed;
        kept = k + HISTORY >= count;
    }

    function _modelCheckpoints(uint256 agent, IReputation.Dimension dimension) internal view returns (uint256 count) {
        Write[] storage writes = _writes[agent][dimension];
        for (uint256 i = 1; i < writes.length; ++i) {
            if (writes[i].at / DAY != writes[i - 1].at / DAY) ++count;
        }
    }

    /// @dev `reputationAt` is exactly the model's value if the model keeps the checkpoint, else exactly
    ///      `ReputationHistoryPruned(agent, dayStart)`; a read whose day starts at most HISTORY_DAYS - 1 days before
    ///      today's start (any read less than 7 days old) is always answered. Returns whether it was answered.
    function _assertRead(uint256 agent, IReputation.Dimension dimension, uint256 t) internal returns (bool answered) {
        (bool kept, uint256 expected) = _modelRead(agent, dimension, t);
        try rep.reputationAt(agent, dimension, t) returns (uint256 value) {
            assertTrue(kept, "answered a read whose checkpoint left the ring");
            assertEq(value, expected, "reputationAt");
            answered = true;
        } catch (bytes memory reason) {
            assertFalse(kept, "reverted on a read whose checkpoint is kept");
            assertEq(reason, _prunedError(agent, t), "only ReputationHistoryPruned");
        }
        if (_dayStart(block.timestamp) - _dayStart(t) < HISTORY * DAY) assertTrue(answered, "a recent read reverted");
    }

    /// @dev `reputationsAt`: every value as the model if all are kept, else the first pruned agent's error.
    function _assertBatchRead(uint256[] memory ids, IReputation.Dimension dimension, uint256 t) internal {
        uint256[] memory expected = new uint256[](ids.length);
        uint256 firstPruned = type(uint256).max;
        for (uint256 i; i < ids.length; ++i) {
            bool kept;
            (kept, expected[i]) = _modelRead(ids[i], dimension, t);
            if (!kept && firstPruned == type(uint256).max) firstPruned = i;
        }
        try rep.reputationsAt(ids, dimension, t) returns (uint256[] memory values) {
            assertEq(firstPruned, type(uint256).max, "a batch answered although a read left the ring");
            assertEq(values, expected, "reputationsAt");
        } catch (bytes memory reason) {
            assertLt(firstPruned, ids.length, "a batch reverted although every read is kept");
            assertEq(reason, _prunedError(ids[firstPruned], t), "the first pruned agent's error");
        }
    }

    function _expectPruned(uint256 agent, IReputation.Dimension dimension, uint256 t) internal {
        vm.expectRevert(_prunedError(agent, t));
        rep.reputationAt(agent, dimension, t);
    }

    function _prunedError(uint256 agent, uint256 t) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IReputation.ReputationHistoryPruned.selector, agent, _dayStart(t));
    }

    /// @dev The elements of `a` not in `b`, without repeats.
    function _minus(bytes32[] memory a, bytes32[] memory b) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](a.length);
        uint256 n;
        for (uint256 i; i < a.length; ++i) {
            bool seen;
            for (uint256 j; j < b.length && !seen; ++j) seen = a[i] == b[j];
            for (uint256 j; j < n && !seen; ++j) seen = a[i] == out[j];
            if (!seen) out[n++] = a[i];
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    function _assertMatchesModel(uint256 agent, IReputation.Dimension dimension, uint256 from, uint256 to, uint256 step)
        internal
        view
    {
        for (uint256 t = from; t <= to; t += step) {
            assertEq(rep.reputationAt(agent, dimension, t), _modelAt(agent, dimension, t));
        }
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
        uint256 writeTime = block.timestamp - elapsed;
        uint256 todayStart = block.timestamp - block.timestamp % 1 days;
        if (todayStart > writeTime) {
            uint256 atTodayStart = rep.reputationAt(ALICE, TASK, block.timestamp);
            assertLe(atTodayStart, amount);
            assertApproxEqRel(atTodayStart, Decay.decay(amount, todayStart - writeTime), 1e9);
        } else {
            assertEq(rep.reputationAt(ALICE, TASK, block.timestamp), 0, "a day's writes count from the next day");
        }
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

    /// @dev The first write of a day to an agent pays one fresh history slot; every later write that day pays only
    ///      the record and the total (less than the old one-step history, which rewrote a second slot per block).
    function test_Gas_WritesOnAWarmAgentStayWellUnder50k() public {
        _increase(ALICE, TASK, 5e18);
        vm.warp(block.timestamp + 1 days);
        _increase(ALICE, TASK, 5e18);
        vm.warp(block.timestamp + 1 days);

        vm.cool(address(rep));
        _increase(ALICE, TASK, 1e18);
        uint256 firstOfDay = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + 1 hours);
        vm.cool(address(rep));
        _increase(ALICE, TASK, 1e18);
        uint256 increaseGas = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + 1 hours);
        vm.cool(address(rep));
        vm.prank(market);
        rep.decrease(ALICE, TASK, 1e18);
        uint256 decreaseGas = vm.lastCallGas().gasTotalUsed;
        vm.warp(block.timestamp + 1 hours);
        vm.cool(address(rep));
        vm.prank(market);
        rep.set(ALICE, TASK, 7e18);
        uint256 setGas = vm.lastCallGas().gasTotalUsed;
        assertEq(rep.checkpointCount(ALICE, TASK), 2, "one checkpoint per day with writes before today");
        emit log_named_uint("increase, first of the day (cold slots, one checkpoint)", firstOfDay);
        emit log_named_uint("increase, same day (cold slots)", increaseGas);
        emit log_named_uint("decrease, same day (cold slots)", decreaseGas);
        emit log_named_uint("set, same day (cold slots)", setGas);
        assertLt(firstOfDay, 50_000);
        assertLt(firstOfDay - increaseGas, 24_000, "the difference is about one fresh slot (22,100)");
        assertLt(increaseGas, 30_000);
        assertLt(decreaseGas, 30_000);
        assertLt(setGas, 30_000);
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

/// @dev Gas of a day's first write before and after the ring has gone round. The histories are built in `setUp`, a
///      transaction of its own, so the test sees them as stored before it (no slot is "dirty", as in a real block).
contract ReputationRingGasTest is ReputationBase {
    uint256 internal constant ALICE = 0xA11CE;
    uint256 internal day0;

    function setUp() public override {
        super.setUp();
        day0 = block.timestamp - block.timestamp % 1 days + 1 days;
        // Task: writes on 9 days, so the 8 slots of the ring are all written; Validator: one day only.
        for (uint256 d; d < 9; ++d) {
            vm.warp(day0 + d * 1 days + 10 hours);
            _increase(ALICE, TASK, 1e18);
        }
        _increase(ALICE, VALIDATOR, 1e18);
        vm.warp(day0 + 9 days + 10 hours);
    }

    function test_Gas_OnceTheRingHasGoneRoundADaysFirstWriteRewritesASlot() public {
        assertEq(rep.checkpointCount(ALICE, TASK), 8, "the ring is full");
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 0);

        vm.cool(address(rep));
        vm.prank(market);
        uint256 gasBefore = gasleft();
        rep.increase(ALICE, VALIDATOR, 1e18);
        uint256 firstCycle = gasBefore - gasleft();
        assertEq(rep.checkpointCount(ALICE, VALIDATOR), 1, "checkpoint 0, a fresh slot");

        vm.cool(address(rep));
        vm.prank(market);
        gasBefore = gasleft();
        rep.increase(ALICE, TASK, 1e18);
        uint256 secondCycle = gasBefore - gasleft();
        assertEq(rep.checkpointCount(ALICE, TASK), 9, "checkpoint 8, in checkpoint 0's slot");

        emit log_named_uint("first write of a day, 1st cycle (fresh history slot)", firstCycle);
        emit log_named_uint("first write of a day, 2nd cycle (rewritten history slot)", secondCycle);
        assertGe(firstCycle, secondCycle + 15_000, "a slot rewrite (~5,000) instead of a fresh slot (22,100)");

        // Checkpoint 0 (day 0's value, needed at day 1's start) was overwritten; day 2's start still reads day 1's.
        vm.expectRevert(abi.encodeWithSelector(IReputation.ReputationHistoryPruned.selector, ALICE, day0 + 1 days));
        rep.reputationAt(ALICE, TASK, day0 + 1 days);
        assertApproxEqRel(
            rep.reputationAt(ALICE, TASK, day0 + 2 days),
            Decay.decay(1e18, 1 days + 14 hours) + Decay.decay(1e18, 14 hours),
            1e9
        );
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
        uint256 firstGift = block.timestamp;
        vm.warp(block.timestamp + 1 days);
        _giveTask(alice, 7e18);
        _endorse(alice, carol);
        assertEq(rep.endorsementCount(alice.id), 2);
        vm.prank(market);
        rep.set(alice.id, TASK, 0);
        vm.expectRevert(abi.encodeWithSelector(IReputation.EndorsementLimitReached.selector, alice.id, 2));
        _endorse(alice, dave);
        assertEq(rep.endorsementCount(alice.id), 2);
        // Today's start still reads the first gift: the checkpoint was taken before the counter's writes.
        uint256 todayStart = block.timestamp - block.timestamp % 1 days;
        assertApproxEqRel(rep.reputationAt(alice.id, TASK, block.timestamp), Decay.decay(7e18, todayStart - firstGift), 1e9);
        assertEq(rep.checkpointCount(alice.id, TASK), 1, "history intact");
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
