using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace AgentCluster.Evm.Tests.Fixtures;

/// <summary>Nethereum messages for RpcProbe.sol (hand-written in Nethereum's generated shape).</summary>
public sealed class RpcProbeDeployment() : ContractDeploymentMessage(RpcProbeContract.Bytecode);

[Function("ping")]
public sealed class PingFunction : FunctionMessage
{
    [Parameter("uint256", "id", 1)] public BigInteger Id { get; set; }
    [Parameter("string", "note", 2)] public string Note { get; set; } = "";
}

[Function("pings", "uint256")]
public sealed class PingsFunction : FunctionMessage;

[Function("failCustom")]
public sealed class FailCustomFunction : FunctionMessage
{
    [Parameter("uint256", "code", 1)] public BigInteger Code { get; set; }
}

[Function("failRequire", "uint256")]
public sealed class FailRequireFunction : FunctionMessage
{
    [Parameter("uint256", "x", 1)] public BigInteger X { get; set; }
}

[Function("failPanic", "uint256")]
public sealed class FailPanicFunction : FunctionMessage
{
    [Parameter("uint256", "x", 1)] public BigInteger X { get; set; }
}

[Function("failBare")]
public sealed class FailBareFunction : FunctionMessage;

/// <summary><c>error Unauthorized(address caller, uint256 code)</c>.</summary>
[Error("Unauthorized")]
public sealed class UnauthorizedError : IErrorDTO
{
    [Parameter("address", "caller", 1)] public string Caller { get; set; } = "";
    [Parameter("uint256", "code", 2)] public BigInteger Code { get; set; }
}

/// <summary><c>event Ping(address indexed from, uint256 indexed id, string note)</c>.</summary>
[Event("Ping")]
public sealed class PingEvent : IEventDTO
{
    [Parameter("address", "from", 1, true)] public string From { get; set; } = "";
    [Parameter("uint256", "id", 2, true)] public BigInteger Id { get; set; }
    [Parameter("string", "note", 3, false)] public string Note { get; set; } = "";
}
