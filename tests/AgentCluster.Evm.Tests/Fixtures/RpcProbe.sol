// SPDX-License-Identifier: MIT
// Test contract for the RPC client and transaction manager tests. Compiled once with the project's solc
// (scripts/lib/solc.js, 0.8.x, optimizer 200 runs); the bytecode and ABI are pinned in RpcProbeContract.cs.
// Regenerate with: node tests/AgentCluster.Evm.Tests/Fixtures/compile-rpc-probe.js
pragma solidity ^0.8.20;

contract RpcProbe {
    error Unauthorized(address caller, uint256 code);

    event Ping(address indexed from, uint256 indexed id, string note);

    uint256 public pings;

    function ping(uint256 id, string calldata note) external {
        pings += 1;
        emit Ping(msg.sender, id, note);
    }

    function failCustom(uint256 code) external view {
        revert Unauthorized(msg.sender, code);
    }

    function failRequire(uint256 x) external pure returns (uint256) {
        require(x > 100, "probe: x too small");
        return x;
    }

    function failPanic(uint256 x) external pure returns (uint256) {
        return 100 / x;
    }

    function failBare() external pure {
        revert();
    }
}
