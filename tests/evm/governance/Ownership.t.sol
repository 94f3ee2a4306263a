// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";

/// @dev Enumerates every role grant and ownership change emitted while deploying the suite, and checks that
///      afterwards no externally owned account holds any of them.
contract OwnershipTest is SuiteFixture {
    bytes32 internal constant ROLE_GRANTED = keccak256("RoleGranted(bytes32,address,address)");
    bytes32 internal constant ROLE_REVOKED = keccak256("RoleRevoked(bytes32,address,address)");
    bytes32 internal constant OWNERSHIP_TRANSFERRED = keccak256("OwnershipTransferred(address,address)");

    struct Holder {
        address emitter;
        bytes32 role; // 0 for ownership
        address account;
    }

    Suite internal fresh;
    Holder[] internal holders;

    function setUp() public override {
        super.setUp();
        vm.recordLogs();
        fresh = _deploySuite(address(this), _config());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            bytes32 sig = logs[i].topics[0];
            if (sig == ROLE_GRANTED) {
                holders.push(Holder(logs[i].emitter, logs[i].topics[1], address(uint160(uint256(logs[i].topics[2])))));
            } else if (sig == OWNERSHIP_TRANSFERRED) {
                holders.push(Holder(logs[i].emitter, bytes32(0), address(uint160(uint256(logs[i].topics[2])))));
            }
            assertTrue(sig != ROLE_REVOKED, "deployment never needs to revoke: no role was ever handed out to undo");
        }
    }

    function test_EveryGrantedRoleIsHeldByAContractOrIsTheOpenExecutorRole() public view {
        assertGt(holders.length, 0);
        uint256 roles;
        for (uint256 i; i < holders.length; ++i) {
            Holder memory h = holders[i];
            if (h.role == bytes32(0) && h.emitter != address(fresh.timelock)) continue;
            ++roles;
            if (h.role == fresh.timelock.EXECUTOR_ROLE() && h.account == address(0)) continue;
            assertGt(h.account.code.length, 0, "a role went to an account without code");
            assertTrue(
                h.account == address(fresh.timelock) || h.account == address(fresh.governor),
                "a role went to something other than the timelock or governor"
            );
        }
        assertEq(roles, 4, "admin (self), proposer, canceller (governor), executor (open)");
    }

    function test_EveryOwnerIsTheTimelock() public view {
        uint256 owned;
        for (uint256 i; i < holders.length; ++i) {
            if (holders[i].role != bytes32(0) || holders[i].emitter == address(fresh.timelock)) continue;
            ++owned;
            assertEq(holders[i].account, address(fresh.timelock), "ownership event to someone else");
            assertEq(Ownable(holders[i].emitter).owner(), address(fresh.timelock));
        }
        // token, treasury, fee router, critical registry, the four emission vaults, and the protocol:
        // agent registry, staking, reputation, task market, and the market's verification module (which shares the
        // market's storage layout, owner slot included; it runs only by delegatecall, so its own owner is never read)
        assertEq(owned, 13);
    }

    function test_TimelockRoles_AreExactlyTheGovernorAndItself() public view {
        bytes32 admin = fresh.timelock.DEFAULT_ADMIN_ROLE();
        assertTrue(fresh.timelock.hasRole(admin, address(fresh.timelock)));
        assertFalse(fresh.timelock.hasRole(admin, address(this)), "deployer is not admin");
        assertTrue(fresh.timelock.hasRole(fresh.timelock.PROPOSER_ROLE(), address(fresh.governor)));
        assertTrue(fresh.timelock.hasRole(fresh.timelock.CANCELLER_ROLE(), address(fresh.governor)));
        assertTrue(fresh.timelock.hasRole(fresh.timelock.EXECUTOR_ROLE(), address(0)));
        assertFalse(fresh.timelock.hasRole(fresh.timelock.PROPOSER_ROLE(), address(this)));
        assertEq(fresh.timelock.getMinDelay(), 7 days);
    }

    function test_GovernorPointsAtTheTokenAndTimelock() public view {
        assertEq(address(fresh.governor.token()), address(fresh.token));
        assertEq(fresh.governor.timelock(), address(fresh.timelock));
        assertEq(address(fresh.governor.criticalRegistry()), address(fresh.criticalRegistry));
    }

    function test_TeamVestingHasNoOwnerAtAll() public {
        (bool ok,) = address(fresh.teamVesting).call(abi.encodeWithSignature("owner()"));
        assertFalse(ok);
    }
}
