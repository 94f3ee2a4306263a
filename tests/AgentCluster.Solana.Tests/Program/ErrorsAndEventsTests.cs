using System.Text.Json;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;

namespace AgentCluster.Solana.Tests.Program;

public sealed class ErrorsAndEventsTests
{
    private static readonly PublicKey Program = new(Enumerable.Repeat((byte)3, 32).ToArray());
    private static readonly PublicKey Other = new(Enumerable.Repeat((byte)4, 32).ToArray());

    [Test]
    public void TryFrom_TurnsACustomInstructionErrorIntoTheTypedException()
    {
        using var err = JsonDocument.Parse("""{"InstructionError":[2,{"Custom":85}]}""");
        string[] logs = ["Program log: error: KEY_NOT_BETTER"];
        var e = AgentClusterProgramException.TryFrom(err.RootElement, logs);
        Assert.That(e, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(e!.Error, Is.EqualTo(AgentClusterProgramError.KeyNotBetter));
            Assert.That(e.Code, Is.EqualTo(85u));
            Assert.That(e.InstructionIndex, Is.EqualTo(2));
            Assert.That(e.Logs, Is.EqualTo(logs));
            Assert.That(e.Message, Does.Contain("KeyNotBetter").And.Contain("85").And.Contain("instruction 2"));
        });
    }

    [Test]
    public void TryFrom_ReturnsNull_ForOtherErrorsUnknownCodesAndAnotherProgramsInstruction()
    {
        using var builtin = JsonDocument.Parse("""{"InstructionError":[0,"InvalidAccountData"]}""");
        using var unknown = JsonDocument.Parse("""{"InstructionError":[0,{"Custom":15}]}""");
        using var notInstruction = JsonDocument.Parse("\"AccountNotFound\"");
        using var second = JsonDocument.Parse("""{"InstructionError":[1,{"Custom":4}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(AgentClusterProgramException.TryFrom(builtin.RootElement), Is.Null);
            Assert.That(AgentClusterProgramException.TryFrom(unknown.RootElement), Is.Null, "15 is no error of the program");
            Assert.That(AgentClusterProgramException.TryFrom(notInstruction.RootElement), Is.Null);
            Assert.That(AgentClusterProgramException.TryFrom(second.RootElement, null, Program, [Program, Other]), Is.Null, "instruction 1 is another program's");
            Assert.That(AgentClusterProgramException.TryFrom(second.RootElement, null, Program, [Other, Program])!.Error, Is.EqualTo(AgentClusterProgramError.MissingSigner));
            Assert.That(AgentClusterProgramException.TryFrom(0, 134)!.Error, Is.EqualTo(AgentClusterProgramError.TaskNotReserved));
            Assert.That(AgentClusterProgramException.TryFrom(0, -1), Is.Null);
        });
    }

    [Test]
    public void TryFrom_AFailedPreflight_KeepsItsLogsAndWrapsIt()
    {
        using var err = JsonDocument.Parse("""{"InstructionError":[1,{"Custom":70}]}""");
        TransactionError error = TransactionError.FromJson(err.RootElement)!;
        string[] logs = ["Program log: error: TASK_WRONG_STATUS"];
        var simulation = new TransactionSimulationException("sendTransaction", -32002, "preflight failed", null, error, logs, 1234);
        var e = AgentClusterProgramException.TryFrom(simulation);
        Assert.Multiple(() =>
        {
            Assert.That(e!.Error, Is.EqualTo(AgentClusterProgramError.TaskWrongStatus));
            Assert.That(e.InstructionIndex, Is.EqualTo(1));
            Assert.That(e.Logs, Is.EqualTo(logs));
            Assert.That(e.InnerException, Is.SameAs(simulation));
            Assert.That(AgentClusterProgramException.TryFrom(simulation, Program, [Program, Other]), Is.Null, "instruction 1 is another program's");
            using var builtin = JsonDocument.Parse("""{"InstructionError":[0,"InvalidAccountData"]}""");
            Assert.That(AgentClusterProgramException.TryFrom(TransactionError.FromJson(builtin.RootElement)), Is.Null);
        });
    }

    [Test]
    public void Parse_TakesOnlyTheProgramsOwnDataLines_AndRefusesMalformedOnes()
    {
        var key = new PublicKey(Enumerable.Repeat((byte)7, 32).ToArray());
        string payload = Convert.ToBase64String([.. key.Span, 1]);
        string ours = $"Program data: {Convert.ToBase64String([6])} {payload}";
        string[] logs =
        [
            $"Program {Program} invoke [1]",
            ours,
            $"Program {Other} invoke [2]",
            ours, // logged by the inner program: not ours
            $"Program {Other} success",
            ours,
            $"Program {Program} success",
            ours, // outside any invocation
        ];
        var events = AgentClusterEvents.Parse(logs, Program);
        Assert.That(events, Has.Count.EqualTo(2));
        Assert.That(events[0], Is.EqualTo(events[1]));
        var set = (AttestorSetEvent)events[0];
        Assert.That((set.Attestor, set.Approved, set.Code), Is.EqualTo((key, true, (byte)6)));
        Assert.That(AgentClusterEvents.Parse(logs), Has.Count.EqualTo(4), "without a program id every data line counts");
        Assert.Throws<FormatException>(() => AgentClusterEvents.Parse([$"Program {Program} invoke [1]", $"Program data: {Convert.ToBase64String([6])} {Convert.ToBase64String([1, 2])}"], Program),
            "a payload too short for its event");
        Assert.Throws<FormatException>(() => AgentClusterEvents.Parse([$"Program {Program} invoke [1]", "Program data: !!! ###"], Program));
    }
}
