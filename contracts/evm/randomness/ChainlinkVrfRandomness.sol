// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {IVRFCoordinatorV2Plus} from "@chainlink/contracts/src/v0.8/vrf/dev/interfaces/IVRFCoordinatorV2Plus.sol";
import {VRFV2PlusClient} from "@chainlink/contracts/src/v0.8/vrf/dev/libraries/VRFV2PlusClient.sol";
import {IRandomnessSource} from "../interfaces/IRandomnessSource.sol";

/// @title Randomness from Chainlink VRF v2.5 (Base)
/// @notice Requests one random word per seed from the coordinator, paid by a subscription. Only consumers that
///         governance allows may request (each request spends subscription funds).
/// @dev Implements the coordinator's callback (`rawFulfillRandomWords`) directly instead of inheriting
///      VRFConsumerBaseV2Plus, whose ConfirmedOwner would make the deploying account an owner.
contract ChainlinkVrfRandomness is IRandomnessSource, NonRenounceableOwnable2Step {
    struct VrfConfig {
        bytes32 keyHash;
        uint256 subscriptionId;
        uint32 callbackGasLimit;
        uint16 requestConfirmations;
        bool nativePayment;
    }

    event ConsumerSet(address indexed consumer, bool allowed);
    event VrfConfigSet(bytes32 keyHash, uint256 subscriptionId, uint32 callbackGasLimit, uint16 requestConfirmations);

    error OnlyCoordinator(address caller, address coordinator);
    error ZeroCoordinator();

    IVRFCoordinatorV2Plus public immutable coordinator;
    VrfConfig public config;
    mapping(address consumer => bool) public isConsumer;
    mapping(uint256 requestId => address) public consumerOf;
    mapping(uint256 requestId => bytes32) private _seeds;

    /// @param initialConsumers allowed to request from deployment on (the task market)
    constructor(address coordinator_, VrfConfig memory config_, address governance, address[] memory initialConsumers)
        Ownable(governance)
    {
        if (coordinator_ == address(0)) revert ZeroCoordinator();
        coordinator = IVRFCoordinatorV2Plus(coordinator_);
        _setConfig(config_);
        for (uint256 i; i < initialConsumers.length; ++i) {
            _setConsumer(initialConsumers[i], true);
        }
    }

    /// @inheritdoc IRandomnessSource
    function request() external returns (uint256 requestId) {
        if (!isConsumer[msg.sender]) revert NotAllowedConsumer(msg.sender);
        VrfConfig memory c = config;
        requestId = coordinator.requestRandomWords(
            VRFV2PlusClient.RandomWordsRequest({
                keyHash: c.keyHash,
                subId: c.subscriptionId,
                requestConfirmations: c.requestConfirmations,
                callbackGasLimit: c.callbackGasLimit,
                numWords: 1,
                extraArgs: VRFV2PlusClient._argsToBytes(VRFV2PlusClient.ExtraArgsV1({nativePayment: c.nativePayment}))
            })
        );
        consumerOf[requestId] = msg.sender;
        emit RandomnessRequested(requestId, msg.sender);
    }

    /// @inheritdoc IRandomnessSource
    function seedOf(uint256 requestId) external view returns (bool ready, bytes32 seed) {
        if (consumerOf[requestId] == address(0)) revert UnknownRequest(requestId);
        seed = _seeds[requestId];
        ready = seed != bytes32(0);
    }

    /// @inheritdoc IRandomnessSource
    /// @dev A VRF seed is stored when delivered and never observable before: it cannot expire.
    function expired(uint256 requestId) external view returns (bool) {
        if (consumerOf[requestId] == address(0)) revert UnknownRequest(requestId);
        return false;
    }

    /// @notice Called by the VRF coordinator with the random words of a request.
    function rawFulfillRandomWords(uint256 requestId, uint256[] calldata randomWords) external {
        if (msg.sender != address(coordinator)) revert OnlyCoordinator(msg.sender, address(coordinator));
        if (consumerOf[requestId] == address(0) || randomWords.length == 0) return;
        // A zero word would read as "not ready"; hashing keeps the seed uniform and never zero in practice.
        bytes32 seed = keccak256(abi.encode(randomWords[0], requestId));
        _seeds[requestId] = seed;
        emit RandomnessFulfilled(requestId, seed);
    }

    /// @notice Allow or stop a consumer. Governance only.
    function setConsumer(address consumer, bool allowed) external onlyOwner {
        _setConsumer(consumer, allowed);
    }

    function _setConsumer(address consumer, bool allowed) private {
        isConsumer[consumer] = allowed;
        emit ConsumerSet(consumer, allowed);
    }

    /// @notice Change the VRF key hash, subscription, gas limit or confirmations. Governance only.
    function setConfig(VrfConfig calldata config_) external onlyOwner {
        _setConfig(config_);
    }

    function _setConfig(VrfConfig memory c) private {
        config = c;
        emit VrfConfigSet(c.keyHash, c.subscriptionId, c.callbackGasLimit, c.requestConfirmations);
    }
}
