using System.Numerics;
using System.Reflection;
using System.Text.Json;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Bindings;
using AgentCluster.Evm.BindingsGen;
using AgentCluster.Evm.Rpc;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentCluster.Evm.Tests.Bindings;

/// <summary>
/// The generator on a tiny fixture ABI with the awkward cases (overloads, nested structs, arrays of structs, keyword and unnamed
/// parameters, indexed dynamic event inputs, ALL_CAPS names): the output compiles without warnings and behaves like the ABI layer.
/// </summary>
public sealed class BindingsGeneratorTests
{
    private const string FixtureNamespace = "AgentCluster.Evm.Tests.Generated";

    private const string FixtureArtifact = """
    {
      "abi": [
        {"type":"constructor","stateMutability":"payable","inputs":[{"name":"owner_","type":"address","internalType":"address"},
          {"name":"initial","type":"tuple","internalType":"struct Fixture.Pair","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]}]},
        {"type":"function","name":"swap","stateMutability":"nonpayable","inputs":[{"name":"amount","type":"uint256","internalType":"uint256"}],"outputs":[]},
        {"type":"function","name":"swap","stateMutability":"nonpayable","inputs":[{"name":"amount","type":"uint256","internalType":"uint256"},{"name":"to","type":"address","internalType":"address"}],"outputs":[{"name":"","type":"bool","internalType":"bool"}]},
        {"type":"function","name":"DOMAIN_SEPARATOR","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"bytes32","internalType":"bytes32"}]},
        {"type":"function","name":"pairs","stateMutability":"view","inputs":[{"name":"event","type":"uint8","internalType":"enum Fixture.Kind"},{"name":"","type":"int24","internalType":"int24"}],
          "outputs":[{"name":"list","type":"tuple[]","internalType":"struct Fixture.Pair[]","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]},{"name":"total","type":"int256","internalType":"int256"}]},
        {"type":"function","name":"settle","stateMutability":"payable","inputs":[{"name":"outer","type":"tuple[2]","internalType":"struct Fixture.Outer[2]","components":[
            {"name":"inner","type":"tuple","internalType":"struct Fixture.Pair","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]},
            {"name":"values","type":"uint64[]","internalType":"uint64[]"},{"name":"note","type":"string","internalType":"string"}]},
          {"name":"operator","type":"bytes[]","internalType":"bytes[]"}],"outputs":[{"name":"","type":"tuple","internalType":"struct Fixture.Outer","components":[
            {"name":"inner","type":"tuple","internalType":"struct Fixture.Pair","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]},
            {"name":"values","type":"uint64[]","internalType":"uint64[]"},{"name":"note","type":"string","internalType":"string"}]}]},
        {"type":"event","name":"Noted","anonymous":false,"inputs":[{"name":"note","type":"string","indexed":true,"internalType":"string"},
          {"name":"pair","type":"tuple","indexed":true,"internalType":"struct Fixture.Pair","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]},
          {"name":"who","type":"address","indexed":true,"internalType":"address"},{"name":"text","type":"string","indexed":false,"internalType":"string"}]},
        {"type":"error","name":"Bad","inputs":[{"name":"code","type":"uint256","internalType":"uint256"},{"name":"why","type":"string","internalType":"string"}]}
      ],
      "bytecode": {"object":"0x6001600055","linkReferences":{}},
      "metadata": {"settings":{"compilationTarget":{"contracts/evm/Fixture.sol":"Fixture"}},
        "output":{"userdoc":{"methods":{"swap(uint256)":{"notice":"Swaps <amount> & more."}}}}}
    }
    """;

    private static readonly Lazy<(IReadOnlyList<GeneratedFile> Files, Assembly Assembly)> Compiled = new(CompileFixture);

    [Test]
    public void Generate_GivesOverloadsDistinctNames_MapsTypes_AndEscapesKeywords()
    {
        string code = Compiled.Value.Files.Single(f => f.FileName == "Fixture.g.cs").Text;
        Assert.That(code, Does.Contain("SwapAsync(global::AgentCluster.Evm.UInt256 amount, global::AgentCluster.Evm.Bindings.SendOptions? options"));
        Assert.That(code, Does.Contain("Swap2Async(global::AgentCluster.Evm.UInt256 amount, global::AgentCluster.Evm.Address to, "));
        Assert.That(code, Does.Contain("DomainSeparatorAsync("));
        Assert.That(code, Does.Contain("PairsAsync(byte @event, int arg1, "), "enum as byte, keyword escaped, unnamed parameter named");
        Assert.That(code, Does.Contain("global::System.Collections.Generic.IReadOnlyList<byte[]> @operator"));
        Assert.That(code, Does.Contain("record NotedEvent(global::AgentCluster.Evm.Hash32 Note, global::AgentCluster.Evm.Hash32 Pair, global::AgentCluster.Evm.Address Who, string Text)"));
        Assert.That(code, Does.Contain("/// <summary>Swaps &lt;amount&gt; &amp; more.</summary>"), "NatSpec notice, XML-escaped");
        Assert.That(code, Does.Contain("DeployFixtureAsync("));
        Assert.That(Compiled.Value.Files.Single(f => f.FileName == "Structs.g.cs").Text, Does.Contain("record Outer(global::AgentCluster.Evm.Tests.Generated.Pair Inner, global::System.Collections.Generic.IReadOnlyList<ulong> Values, string Note)"));
        Assert.That(Compiled.Value.Files.Select(f => f.FileName), Is.EquivalentTo(new[] { "Fixture.g.cs", "Structs.g.cs", "ContractErrors.g.cs" }));
    }

    [Test]
    public void GeneratedEncoders_MatchTheAbiLayer_ForOverloadsNestedStructsAndFixedArraysOfStructs()
    {
        Type service = FixtureType("FixtureService");
        Address to = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        byte[] swap2 = (byte[])service.GetMethod("EncodeSwap2Call")!.Invoke(null, [(UInt256)7UL, to])!;
        Assert.That(swap2, Is.EqualTo(AbiFunction.Parse("swap(uint256,address)").EncodeCall(new BigInteger(7), to)));

        Hash32 h = Keccak.Hash([1, 2, 3]);
        object pair = Activator.CreateInstance(FixtureType("Pair"), (UInt256)9UL, h)!;
        Array outer = Array.CreateInstance(FixtureType("Outer"), 2);
        outer.SetValue(Activator.CreateInstance(FixtureType("Outer"), pair, new ulong[] { 1, 2 }, "a"), 0);
        outer.SetValue(Activator.CreateInstance(FixtureType("Outer"), pair, Array.Empty<ulong>(), "b"), 1);
        var blobs = new[] { new byte[] { 0xde, 0xad } };
        byte[] settle = (byte[])service.GetMethod("EncodeSettleCall")!.Invoke(null, [outer, blobs])!;

        object?[] pairValues = [new BigInteger(9), h.ToArray()];
        byte[] expected = AbiFunction.Parse("settle(((uint256,bytes32),uint64[],string)[2],bytes[])").EncodeCall(
            new object?[] { new object?[] { pairValues, new object?[] { 1UL, 2UL }, "a" }, new object?[] { pairValues, Array.Empty<object?>(), "b" } }, blobs);
        Assert.That(settle, Is.EqualTo(expected));

        // Decoding goes back to the same records (value equality through the nested struct).
        object?[] decoded = AbiFunction.Parse("settle(((uint256,bytes32),uint64[],string)[2],bytes[])").DecodeCall(settle);
        object roundTrip = FixtureType("Outer").GetMethod("FromAbi")!.Invoke(null, [((object?[])decoded[0]!)[1]])!;
        Assert.That(FixtureType("Outer").GetProperty("Inner")!.GetValue(roundTrip), Is.EqualTo(pair));
        Assert.That(FixtureType("Outer").GetProperty("Note")!.GetValue(roundTrip), Is.EqualTo("b"));

        byte[] deployment = (byte[])service.GetMethod("EncodeDeployment")!.Invoke(null, [to, pair])!;
        Assert.That(deployment, Is.EqualTo(Hex.Decode("0x6001600055").Concat(AbiEncoder.EncodeParameters("address,(uint256,bytes32)", to, pairValues))));
    }

    [Test]
    public void GeneratedEventAndErrorRecords_DecodeIndexedDynamicInputsAsHashes_AndCustomErrorArguments()
    {
        var noted = AbiEvent.Parse("event Noted(string indexed note, (uint256,bytes32) indexed pair, address indexed who, string text)");
        Address who = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        object?[] pair = [new BigInteger(1), new byte[32]];
        (IReadOnlyList<Hash32> topics, byte[] data) = noted.EncodeLog("hello", pair, who, "plain text");
        var log = new LogEntry(who, topics, data, 1, null, null, 0, 0, false);

        Type record = FixtureType("FixtureService+NotedEvent");
        object?[] args = [log, null];
        Assert.That(record.GetMethod("TryDecode")!.Invoke(null, args), Is.True);
        Assert.That(record.GetProperty("Note")!.GetValue(args[1]), Is.EqualTo(Keccak.Hash("hello"u8)));
        Assert.That(record.GetProperty("Who")!.GetValue(args[1]), Is.EqualTo(who));
        Assert.That(record.GetProperty("Text")!.GetValue(args[1]), Is.EqualTo("plain text"));

        var decoder = (RevertDecoder)FixtureType("FixtureService").GetProperty("ErrorDecoder")!.GetValue(null)!;
        ContractRevertException revert = decoder.Decode(AbiError.Parse("Bad(uint256,string)").Encode(new BigInteger(4), "why not"));
        Assert.That(revert.ErrorName, Is.EqualTo("Bad"));
        Type error = FixtureType("FixtureService+BadError");
        object?[] errorArgs = [revert, null];
        Assert.That(error.GetMethod("TryFrom")!.Invoke(null, errorArgs), Is.True);
        Assert.That(errorArgs[1], Is.EqualTo(Activator.CreateInstance(error, (UInt256)4UL, "why not")));
    }

    [Test]
    public void LoadArtifacts_KeepsOnlySourcesUnderThePrefix_AndAsksForForgeBuildWhenOutIsMissing()
    {
        string root = Path.Combine(Path.GetTempPath(), "agentcluster-bindgen-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "out", "Fixture.sol"));
            Directory.CreateDirectory(Path.Combine(root, "out", "Fixture.t.sol"));
            Directory.CreateDirectory(Path.Combine(root, "out", "build-info"));
            File.WriteAllText(Path.Combine(root, "out", "Fixture.sol", "Fixture.json"), FixtureArtifact);
            File.WriteAllText(Path.Combine(root, "out", "Fixture.t.sol", "FixtureTest.json"), FixtureArtifact.Replace("contracts/evm/Fixture.sol\":\"Fixture", "tests/evm/Fixture.t.sol\":\"FixtureTest", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(root, "out", "build-info", "x.json"), "{}");

            var artifacts = BindingsGenerator.LoadArtifacts(Path.Combine(root, "out"), "contracts/evm/");
            Assert.That(artifacts.Select(a => (a.Name, a.SourcePath, a.ArtifactPath)), Is.EqualTo(new[] { ("Fixture", "contracts/evm/Fixture.sol", "out/Fixture.sol/Fixture.json") }));
            var missing = Assert.Throws<DirectoryNotFoundException>(() => BindingsGenerator.LoadArtifacts(Path.Combine(root, "nowhere"), "contracts/evm/"))!;
            Assert.That(missing.Message, Does.Contain("forge build"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void RealBindings_CoverEveryContractOfContractsEvm_WithAnAbi()
    {
        string? outDir = null;
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null && outDir is null; dir = dir.Parent)
        {
            outDir = Directory.Exists(Path.Combine(dir.FullName, "out")) && File.Exists(Path.Combine(dir.FullName, "foundry.toml")) ? Path.Combine(dir.FullName, "out") : null;
        }

        Assert.That(outDir, Is.Not.Null, "out/ not found: run forge build");
        var expected = BindingsGenerator.LoadArtifacts(outDir!, "contracts/evm/").Where(a => a.Abi.GetArrayLength() > 0).Select(a => a.Name + "Service");
        var generated = typeof(ContractService).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ContractService))).Select(t => t.Name);
        Assert.That(generated, Is.EquivalentTo(expected));
        Assert.That(ContractErrors.All.Select(e => e.Signature), Does.Contain("OwnableUnauthorizedAccount(address)").And.Contain("BurnShareTooHigh(uint256,uint256)"));
        Assert.That(AccTokenService.Artifact.GetBytecode(), Is.Not.Empty);
        Assert.That(typeof(IAccTokenService).GetMethods().Any(m => m.Name.StartsWith("Deploy", StringComparison.Ordinal)), Is.False, "interfaces have no deployment");
    }

    private static Type FixtureType(string name) => Compiled.Value.Assembly.GetType($"{FixtureNamespace}.{name}", throwOnError: true)!;

    private static (IReadOnlyList<GeneratedFile>, Assembly) CompileFixture()
    {
        var artifact = ContractArtifact.Parse(FixtureArtifact, "out/Fixture.sol/Fixture.json");
        var files = new BindingsGenerator(FixtureNamespace).Generate([artifact]);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path)).ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error);
        var compilation = CSharpCompilation.Create("FixtureBindings", files.Select(f => CSharpSyntaxTree.ParseText(f.Text, path: f.FileName)), references, options);
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Take(10)));
        Assert.That(result.Success, Is.True);
        return (files, Assembly.Load(stream.ToArray()));
    }
}
