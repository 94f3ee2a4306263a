// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {VRFCoordinatorV2_5Mock} from "@chainlink/contracts/src/v0.8/vrf/mocks/VRFCoordinatorV2_5Mock.sol";
import {LocalRandomness} from "../../../contracts/evm/randomness/LocalRandomness.sol";
import {ChainlinkVrfRandomness} from "../../../contracts/evm/randomness/ChainlinkVrfRandomness.sol";
import {IRandomnessSource} from "../../../contracts/evm/interfaces/IRandomnessSource.sol";

contract LocalRandomnessTest is Test {
    LocalRandomness internal source = new LocalRandomness(2);

    function test_Seed_IsNotReadyUntilTheTargetBlockIsPast() public {
        vm.roll(100);
        uint256 id = source.request();
        (bool ready,) = source.seedOf(id);
        assertFalse(ready);
        vm.roll(102); // target block itself: its hash is not known yet
        (ready,) = source.seedOf(id);
        assertFalse(ready);
        vm.roll(103);
        bytes32 seed;
        (ready, seed) = source.seedOf(id);
        assertTrue(ready);
        assertEq(seed, keccak256(abi.encode(blockhash(102), id, address(source))));
    }

    function test_Seeds_DifferPerRequest() public {
        vm.roll(10);
        uint256 a = source.request();
        uint256 b = source.request();
        vm.roll(20);
        (, bytes32 sa) = source.seedOf(a);
        (, bytes32 sb) = source.seedOf(b);
        assertTrue(sa != sb);
    }

    function test_Fulfill_KeepsTheSeedBeyond256Blocks() public {
        vm.roll(10);
        uint256 id = source.request();
        vm.roll(13);
        (, bytes32 before) = source.seedOf(id);
        vm.expectEmit(address(source));
        emit IRandomnessSource.RandomnessFulfilled(id, before);
        assertTrue(source.fulfill(id));
        vm.roll(10_000);
        (bool ready, bytes32 seed) = source.seedOf(id);
        assertTrue(ready);
        assertEq(seed, before);
    }

    function test_UnstoredSeed_IsWithheldAfter256Blocks() public {
        vm.roll(10);
        uint256 id = source.request();
        vm.roll(10 + 2 + 257);
        (bool ready,) = source.seedOf(id);
        assertFalse(ready);
        assertFalse(source.fulfill(id));
    }

    function test_UnknownRequest_Reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IRandomnessSource.UnknownRequest.selector, 7));
        source.seedOf(7);
    }
}

contract ChainlinkVrfRandomnessTest is Test {
    VRFCoordinatorV2_5Mock internal coordinator;
    ChainlinkVrfRandomness internal vrf;
    address internal governance = makeAddr("governance");
    address internal consumer = makeAddr("consumer");
    uint256 internal subId;

    function setUp() public {
        coordinator = new VRFCoordinatorV2_5Mock(0.1 ether, 1e9, 4e15);
        subId = coordinator.createSubscription();
        coordinator.fundSubscription(subId, 100 ether);
        vrf = new ChainlinkVrfRandomness(
            address(coordinator),
            ChainlinkVrfRandomness.VrfConfig({
                keyHash: keccak256("lane"),
                subscriptionId: subId,
                callbackGasLimit: 200_000,
                requestConfirmations: 3,
                nativePayment: false
            }),
            governance,
            new address[](0)
        );
        coordinator.addConsumer(subId, address(vrf));
        vm.prank(governance);
        vrf.setConsumer(consumer, true);
    }

    function test_Request_IsFulfilledByTheCoordinator() public {
        vm.prank(consumer);
        uint256 id = vrf.request();
        (bool ready,) = vrf.seedOf(id);
        assertFalse(ready, "not before the coordinator answers");
        coordinator.fulfillRandomWords(id, address(vrf));
        bytes32 seed;
        (ready, seed) = vrf.seedOf(id);
        assertTrue(ready);
        assertTrue(seed != bytes32(0));
        assertEq(vrf.consumerOf(id), consumer);
    }

    function test_Request_RefusesConsumersGovernanceDidNotAllow() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(IRandomnessSource.NotAllowedConsumer.selector, stranger));
        vm.prank(stranger);
        vrf.request();
    }

    function test_Callback_OnlyFromTheCoordinator() public {
        vm.prank(consumer);
        uint256 id = vrf.request();
        uint256[] memory words = new uint256[](1);
        words[0] = 42;
        vm.expectRevert(
            abi.encodeWithSelector(ChainlinkVrfRandomness.OnlyCoordinator.selector, address(this), address(coordinator))
        );
        vrf.rawFulfillRandomWords(id, words);
    }

    function test_SetConsumer_OnlyGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        vrf.setConsumer(address(this), true);
    }

    function test_WithheldRequest_StaysNotReady() public {
        vm.prank(consumer);
        uint256 id = vrf.request();
        vm.roll(block.number + 10_000);
        (bool ready,) = vrf.seedOf(id);
        assertFalse(ready, "consumers rely on their own timeout");
    }
}
