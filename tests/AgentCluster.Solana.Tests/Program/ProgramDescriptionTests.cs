using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Solana.Programs;

namespace AgentCluster.Solana.Tests.Program;

/// <summary>The description and its generated code against the program's headers, and the checked-in code against the generator.</summary>
public sealed partial class ProgramDescriptionTests
{
    private static string Solana(string relative) => Path.Combine(ProgramOracle.RepoRoot, "contracts", "solana", relative);

    private static string Pascal(string upperSnake) =>
        string.Concat(upperSnake.ToLowerInvariant().Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    [GeneratedRegex(@"AC_ERR_(\w+) = (\d+)")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"AC_EVENT_(\w+) = (\d+)")]
    private static partial Regex EventLine();

    [GeneratedRegex(@"AC_IX_(\w+) = (\d+)")]
    private static partial Regex InstructionLine();

    [Test]
    public void ErrorEnum_IsErrorH_EveryNameAndCode()
    {
        var header = ErrorLine().Matches(File.ReadAllText(Solana("include/ac/error.h")))
            .Select(m => (Name: Pascal(m.Groups[1].Value), Code: uint.Parse(m.Groups[2].Value))).ToList();
        Assert.That(header, Has.Count.GreaterThan(80));
        var mine = Enum.GetValues<AgentClusterProgramError>().Select(e => (Name: e.ToString(), Code: (uint)e)).ToList();
        Assert.That(mine, Is.EqualTo(header));
    }

    [Test]
    public void EventCodes_AreEventsH_EveryNameAndCode()
    {
        var header = EventLine().Matches(File.ReadAllText(Solana("include/agentcluster/events.h")))
            .Select(m => (Name: Pascal(m.Groups[1].Value), Code: byte.Parse(m.Groups[2].Value))).ToList();
        var mine = AgentClusterEvents.Codes.Select(c => (Name: AgentClusterEvents.Decode(c, new byte[200])!.GetType().Name[..^"Event".Length], Code: c)).ToList();
        Assert.That(mine, Is.EqualTo(header));
    }

    [Test]
    public void InstructionTags_AreInstructionsH()
    {
        var header = InstructionLine().Matches(File.ReadAllText(Solana("include/agentcluster/instructions.h")))
            .ToDictionary(m => Pascal(m.Groups[1].Value), m => byte.Parse(m.Groups[2].Value));
        var tags = typeof(AgentClusterProgram).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Tag", StringComparison.Ordinal))
            .ToDictionary(f => f.Name[..^3], f => (byte)f.GetRawConstantValue()!);
        // names the description splits or groups: genesis is two builders; governance's three ops share tag 19
        var aliases = new Dictionary<string, string> { ["GenesisMint"] = "Genesis", ["GenesisVaults"] = "Genesis", ["Propose"] = "Governance", ["Vote"] = "Governance", ["ExecuteProposal"] = "Governance" };
        Assert.Multiple(() =>
        {
            foreach ((string name, byte tag) in tags)
            {
                string headerName = aliases.GetValueOrDefault(name, name);
                Assert.That(header.ContainsKey(headerName), $"{name}: no AC_IX_ for {headerName}");
                Assert.That(tag, Is.EqualTo(header.GetValueOrDefault(headerName)), name);
            }

            Assert.That(header.Keys.Except(tags.Keys.Select(n => aliases.GetValueOrDefault(n, n))), Is.Empty, "every instruction has a builder");
        });
    }

    [Test]
    public void Description_AccountsAndEventsSizes_MatchTheHeadersStaticAsserts()
    {
        using var spec = JsonDocument.Parse(File.ReadAllText(Solana("program.json")));
        string state = File.ReadAllText(Solana("include/agentcluster/state.h"));
        var asserted = new Dictionary<string, string> { ["Config"] = "ac_config", ["Attestor"] = "ac_attestor", ["Slasher"] = "ac_slasher", ["SlashRecord"] = "ac_slash_record", ["Reputation"] = "ac_reputation", ["Proposal"] = "ac_proposal", ["Vote"] = "ac_vote" };
        Assert.Multiple(() =>
        {
            foreach (JsonElement account in spec.RootElement.GetProperty("accounts").EnumerateArray())
            {
                string name = account.GetProperty("name").GetString()!;
                if (!asserted.TryGetValue(name, out string? c))
                {
                    continue;
                }

                Match m = Regex.Match(state, $@"sizeof\({c}\) == (\d+)");
                Assert.That(m.Success, $"{c} has a static assert");
                Assert.That(account.GetProperty("size").GetProperty("exact").GetInt32(), Is.EqualTo(int.Parse(m.Groups[1].Value)), name);
            }
        });
    }

    [Test]
    public void CheckedInCode_IsWhatTheGeneratorWrites_ByteForByte()
    {
        string checkedIn = Path.Combine(ProgramOracle.RepoRoot, "src", "AgentCluster.Solana", "AgentClusterProgram", "Generated");
        string temp = Path.Combine(Path.GetTempPath(), "ac-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var info = new ProcessStartInfo("node", [Solana("tools/gen-csharp.mjs"), "--out", temp]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(info)!;
            Task<string> err = process.StandardError.ReadToEndAsync();
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), "the generator finished within 60 s");
            Assert.That(process.ExitCode, Is.Zero, err.Result);
            var generated = Directory.GetFiles(temp).Select(Path.GetFileName).Order().ToList();
            Assert.That(Directory.GetFiles(checkedIn).Select(Path.GetFileName).Order(), Is.EqualTo(generated));
            Assert.That(generated, Has.Count.EqualTo(4));
            foreach (string? name in generated)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(checkedIn, name!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(temp, name!))),
                    $"{name} differs: run node contracts/solana/tools/gen-csharp.mjs");
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
