using System.Numerics;
using System.Reflection;
using AgentCluster.Evm.BindingsGen;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Tests.Oracles;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts.MessageEncodingServices;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Evm.Bindings.Tests;

/// <summary>
/// The generator on a small fixture ABI with the awkward cases (overloads, nested structs, a fixed array of structs, keyword and
/// unnamed parameters, indexed dynamic event inputs, ALL_CAPS names, an enum, a merged second contract): the output compiles with
/// warnings as errors, its messages encode exactly what cast encodes, and its event, output and error DTOs decode what cast encodes.
/// </summary>
public sealed class BindingsGeneratorTests
{
    private const string FixtureNamespace = "AgentCluster.Evm.Bindings.Tests.Generated";
    private const string Who = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private const string Hash1 = "0x0000000000000000000000000000000000000000000000000000000000000001";

    private const string PairJson = """{"name":"pair","type":"tuple","internalType":"struct Fixture.Pair","components":[{"name":"id","type":"uint256","internalType":"uint256"},{"name":"hash","type":"bytes32","internalType":"bytes32"}]}""";

    internal static readonly string FixtureArtifact = """
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
        {"type":"function","name":"gas","stateMutability":"view","inputs":[{"name":"nonce","type":"uint256","internalType":"uint256"}],"outputs":[{"name":"","type":"uint256","internalType":"uint256"}]},
        {"type":"event","name":"Noted","anonymous":false,"inputs":[{"name":"note","type":"string","indexed":true,"internalType":"string"},
          {"name":"ids","type":"uint256[]","indexed":true,"internalType":"uint256[]"},
          {"name":"who","type":"address","indexed":true,"internalType":"address"},{"name":"text","type":"string","indexed":false,"internalType":"string"}]},
        {"type":"error","name":"Bad","inputs":[{"name":"code","type":"uint256","internalType":"uint256"},{"name":"why","type":"string","internalType":"string"}]}
      ],
      "bytecode": {"object":"0x6001600055","linkReferences":{}},
      "methodIdentifiers": {"swap(uint256)":"94b918de","swap(uint256,address)":"d3986f08","DOMAIN_SEPARATOR()":"3644e515","pairs(uint8,int24)":"0f61b869",
        "settle(((uint256,bytes32),uint64[],string)[2],bytes[])":"245099b0","gas(uint256)":"705bd6f6"},
      "metadata": {"settings":{"compilationTarget":{"contracts/evm/Fixture.sol":"Fixture"}},
        "output":{"userdoc":{"methods":{"swap(uint256)":{"notice":"Swaps <amount> & more."}}}}}
    }
    """;

    internal static readonly string FacetArtifact = """
    {
      "abi": [
        {"type":"function","name":"extra","stateMutability":"view","inputs":[{"name":"x","type":"uint256","internalType":"uint256"}],"outputs":[{"name":"","type":"uint256","internalType":"uint256"}]},
        {"type":"error","name":"Bad","inputs":[{"name":"code","type":"uint256","internalType":"uint256"},{"name":"why","type":"string","internalType":"string"}]},
        {"type":"error","name":"Other","inputs":[{"name":"account","type":"address","internalType":"address"}]}
      ],
      "bytecode": {"object":"0x","linkReferences":{}},
      "metadata": {"settings":{"compilationTarget":{"contracts/evm/IFacet.sol":"IFacet"}}}
    }
    """;

    private static readonly Lazy<(IReadOnlyList<GeneratedFile> Files, Assembly Assembly)> Compiled = new(CompileFixture);

    [Test]
    public void Generate_EmitsNethereumsShape_WithNumberedOverloadsEscapedKeywordsAndNamedUnnamedParameters()
    {
        string code = Compiled.Value.Files.Single(f => f.FileName == "Fixture.g.cs").Text;
        Assert.That(code, Does.Contain("namespace AgentCluster.Evm.Bindings.Tests.Generated.Fixture.ContractDefinition"));
        Assert.That(code, Does.Contain("public partial class FixtureDeployment : global::Nethereum.Contracts.ContractDeploymentMessage"));
        Assert.That(code, Does.Contain("[global::Nethereum.ABI.FunctionEncoding.Attributes.Function(\"swap\")]\n    public partial class SwapFunction : global::Nethereum.Contracts.FunctionMessage"));
        Assert.That(code, Does.Contain("[global::Nethereum.ABI.FunctionEncoding.Attributes.Function(\"swap\", \"bool\")]\n    public partial class Swap2Function"));
        Assert.That(code, Does.Contain("public partial class PairsOutputDTO : global::Nethereum.ABI.FunctionEncoding.Attributes.IFunctionOutputDTO"));
        Assert.That(code, Does.Contain("public partial class NotedEventDTO : global::Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO"));
        Assert.That(code, Does.Contain("[global::Nethereum.ABI.FunctionEncoding.Attributes.Parameter(\"uint256[]\", \"ids\", 2, true)]\n        public virtual string Ids"), "indexed dynamic input: the topic as hex");
        Assert.That(code, Does.Contain("public partial class BadError : global::Nethereum.ABI.FunctionEncoding.Attributes.IErrorDTO"));
        Assert.That(code, Does.Contain("public virtual byte Event { get; set; }"), "enum as byte");
        Assert.That(code, Does.Contain("public virtual int Arg1 { get; set; }"), "int24 as int, unnamed parameter named by position");
        Assert.That(code, Does.Contain("public virtual global::System.Numerics.BigInteger Nonce2 { get; set; }"), "a parameter may not hide FunctionMessage.Nonce");
        Assert.That(code, Does.Contain("PairsQueryAsync(byte @event, int arg1, global::Nethereum.RPC.Eth.DTOs.BlockParameter? blockParameter = null)"));
        Assert.That(code, Does.Contain("SettleRequestAsync(global::System.Collections.Generic.List<global::AgentCluster.Evm.Bindings.Tests.Generated.Outer> outer, global::System.Collections.Generic.List<byte[]> @operator)"));
        Assert.That(code, Does.Contain("Swap2RequestAndWaitForReceiptAsync(global::System.Numerics.BigInteger amount, string to, global::System.Threading.CancellationToken cancellationToken = default)"));
        Assert.That(code, Does.Contain("DomainSeparatorQueryAsync("));
        Assert.That(code, Does.Contain("ExtraQueryAsync("), "merged from IFacet");
        Assert.That(code, Does.Contain("/// <summary>Swaps &lt;amount&gt; &amp; more.</summary>"), "NatSpec notice, XML-escaped");
        Assert.That(code, Does.Contain("public static global::System.Threading.Tasks.Task<global::Nethereum.RPC.Eth.DTOs.TransactionReceipt> DeployContractAndWaitForReceiptAsync("));
        string structs = Compiled.Value.Files.Single(f => f.FileName == "Structs.g.cs").Text;
        Assert.That(structs, Does.Contain("[global::Nethereum.ABI.FunctionEncoding.Attributes.Struct(\"Outer\")]\n    public partial class Outer"));
        Assert.That(structs, Does.Contain("public virtual global::AgentCluster.Evm.Bindings.Tests.Generated.Pair Inner { get; set; } = null!;"));
        Assert.That(Compiled.Value.Files.Select(f => f.FileName), Is.EquivalentTo(new[] { "Fixture.g.cs", "IFacet.g.cs", "Structs.g.cs", "SuiteErrors.g.cs" }));
        Assert.That(Compiled.Value.Files.Single(f => f.FileName == "IFacet.g.cs").Text, Does.Not.Contain("Deploy"), "no bytecode, no deployment");
    }

    [Test]
    public void FunctionMessages_EncodeExactlyWhatCastEncodes_ForOverloadsNegativeSmallIntsNestedStructsAndFixedArraysOfStructs()
    {
        dynamic swap = New("Fixture.ContractDefinition.SwapFunction");
        swap.Amount = new BigInteger(7);
        dynamic swap2 = New("Fixture.ContractDefinition.Swap2Function");
        swap2.Amount = BigInteger.Pow(2, 200);
        swap2.To = Who;
        dynamic pairs = New("Fixture.ContractDefinition.PairsFunction");
        pairs.Event = (byte)2;
        pairs.Arg1 = -5;

        object settle = New("Fixture.ContractDefinition.SettleFunction");
        object pair = Pair(9, Hash1);
        Set(settle, "Outer", List("Outer", Outer(pair, [1UL, 2UL], "a"), Outer(pair, [], "b")));
        Set(settle, "Operator", new List<byte[]> { new byte[] { 0xde, 0xad } });

        string[] expected = Cast.RunMany(
        [
            ["calldata", "swap(uint256)", "7"],
            ["calldata", "swap(uint256,address)", BigInteger.Pow(2, 200).ToString(), Who],
            ["calldata", "--", "pairs(uint8,int24)", "2", "-5"],
            ["calldata", "settle(((uint256,bytes32),uint64[],string)[2],bytes[])", $"[((9,{Hash1}),[1,2],a),((9,{Hash1}),[],b)]", "[0xdead]"],
        ]);
        Assert.That(new[] { CallData(swap), CallData(swap2), CallData(pairs), CallData(settle) }, Is.EqualTo(expected));

        object deployment = New("Fixture.ContractDefinition.FixtureDeployment");
        Set(deployment, "Owner", Who);
        Set(deployment, "Initial", pair);
        object encoder = Activator.CreateInstance(typeof(DeploymentMessageEncodingService<>).MakeGenericType(deployment.GetType()), [null])!;
        string data = (string)encoder.GetType().GetMethod("GetDeploymentData", [deployment.GetType()])!.Invoke(encoder, [deployment])!;
        Assert.That(data, Is.EqualTo("0x6001600055" + Cast.Run("abi-encode", "f(address,(uint256,bytes32))", Who, $"(9,{Hash1})")[2..]));
    }

    [Test]
    public void OutputDto_DecodesCastsEncodingOfAStructArrayAndANegativeInt()
    {
        string output = Cast.Run("abi-encode", "--", "f((uint256,bytes32)[],int256)", $"[(1,{Hash1}),(2,{Hash1})]", "-3");
        Type dto = FixtureType("Fixture.ContractDefinition.PairsOutputDTO");
        MethodInfo decode = typeof(FunctionCallDecoder).GetMethods().Single(m => m.Name == "DecodeFunctionOutput" && m.GetParameters().Length == 2).MakeGenericMethod(dto);
        dynamic decoded = decode.Invoke(new FunctionCallDecoder(), [Activator.CreateInstance(dto), output])!;
        Assert.That((BigInteger)decoded.Total, Is.EqualTo(new BigInteger(-3)));
        Assert.That((int)decoded.List.Count, Is.EqualTo(2));
        Assert.That((BigInteger)decoded.List[1].Id, Is.EqualTo(new BigInteger(2)));
        Assert.That(((byte[])decoded.List[1].Hash).ToHex(true), Is.EqualTo(Hash1));
    }

    [Test]
    public void EventDto_DecodesCastsLog_IndexedDynamicInputsAsTheirTopicHashes()
    {
        // The log as Solidity writes it, each part from cast: an indexed string or array is keccak256 of its in-place encoding
        // (the string's bytes; the array's 32-byte elements, concatenated).
        string topic0 = Cast.Run("sig-event", "Noted(string,uint256[],address,string)");
        string noteTopic = Cast.Run("keccak", "hello");
        string idsTopic = Cast.Run("keccak", "0x" + Cast.Run("abi-encode", "f(uint256,uint256)", "1", "2")[2..]);
        string whoTopic = Cast.Run("abi-encode", "f(address)", Who);
        var log = new FilterLog
        {
            Address = Who,
            Topics = [topic0, noteTopic, idsTopic, whoTopic],
            Data = Cast.Run("abi-encode", "f(string)", "plain text"),
        };

        Type dto = FixtureType("Fixture.ContractDefinition.NotedEventDTO");
        MethodInfo decode = typeof(Nethereum.Contracts.EventExtensions).GetMethods()
            .Single(m => m.Name == "DecodeEvent" && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType.Name: "FilterLog" }]).MakeGenericMethod(dto);
        dynamic eventLog = decode.Invoke(null, [log])!;
        Assert.That((string)eventLog.Event.Note, Is.EqualTo(noteTopic));
        Assert.That((string)eventLog.Event.Ids, Is.EqualTo(idsTopic));
        Assert.That(((string)eventLog.Event.Who).ToLowerInvariant(), Is.EqualTo(Who.ToLowerInvariant()));
        Assert.That((string)eventLog.Event.Text, Is.EqualTo("plain text"));
        Assert.That(Nethereum.Contracts.ABITypedRegistry.GetEvent(dto).Sha3Signature.EnsureHexPrefix(), Is.EqualTo(topic0));
    }

    [Test]
    public void SuiteErrors_DecodesEveryContractsErrors_OneTypePerSelector_TheContractsOwnFirstInItsService()
    {
        Type suite = FixtureType("SuiteErrors");
        var types = (IReadOnlyList<Type>)suite.GetProperty("ErrorTypes")!.GetValue(null)!;
        Assert.That(types.Select(t => t.FullName), Is.EquivalentTo(new[]
        {
            $"{FixtureNamespace}.Fixture.ContractDefinition.BadError", $"{FixtureNamespace}.Fixture.ContractDefinition.OtherError",
        }), "both contracts declare Bad and Other (Fixture merges IFacet): one type per selector, the first contract's by name");

        var decoder = (RevertDecoder)suite.GetProperty("Decoder")!.GetValue(null)!;
        ContractRevertException bad = decoder.Decode(Cast.Run("calldata", "Bad(uint256,string)", "4", "why not").HexToByteArray());
        Assert.That(bad.GetType(), Is.EqualTo(typeof(ContractCustomErrorException<>).MakeGenericType(FixtureType("Fixture.ContractDefinition.BadError"))));
        dynamic error = bad.GetType().GetProperty("Error")!.GetValue(bad)!;
        Assert.That((BigInteger)error.Code, Is.EqualTo(new BigInteger(4)));
        Assert.That((string)error.Why, Is.EqualTo("why not"));

        ContractRevertException other = decoder.Decode(Cast.Run("calldata", "Other(address)", Who).HexToByteArray());
        Assert.That(other.ErrorName, Is.EqualTo("Other"));
        Assert.That(other.GetType().GetGenericArguments().Single().FullName, Is.EqualTo($"{FixtureNamespace}.Fixture.ContractDefinition.OtherError"));

        // IFacet's service decodes Bad into its own type.
        var facetDecoder = (RevertDecoder)FixtureType("IFacet.IFacetService").GetProperty("ErrorDecoder")!.GetValue(null)!;
        Assert.That(facetDecoder.Decode(bad.RevertData).GetType().GetGenericArguments().Single().FullName, Is.EqualTo($"{FixtureNamespace}.IFacet.ContractDefinition.BadError"));
        Assert.That(decoder.Decode(Cast.Run("calldata", "Panic(uint256)", "17").HexToByteArray()), Is.TypeOf<ContractPanicException>());
    }

    [Test]
    public void Generate_RefusesWhatNethereumCannotDecode_AndUnknownMerges_WithTypedExceptions()
    {
        string indexedStruct = FixtureArtifact.Replace(
            """{"name":"note","type":"string","indexed":true,"internalType":"string"}""", PairJson.Replace("\"name\":\"pair\"", "\"name\":\"pair\",\"indexed\":true", StringComparison.Ordinal),
            StringComparison.Ordinal);
        Assert.That(indexedStruct, Is.Not.EqualTo(FixtureArtifact));
        var artifact = ContractArtifact.Parse(indexedStruct, "out/Fixture.sol/Fixture.json");
        var refused = Assert.Throws<FormatException>(() => new BindingsGenerator(FixtureNamespace).Generate([artifact]))!;
        Assert.That(refused.Message, Does.Contain("indexes the struct input 'pair'"));

        string anonymous = FixtureArtifact.Replace("\"name\":\"Noted\",\"anonymous\":false", "\"name\":\"Noted\",\"anonymous\":true", StringComparison.Ordinal);
        Assert.That(anonymous, Is.Not.EqualTo(FixtureArtifact));
        var noTopic = Assert.Throws<FormatException>(() => new BindingsGenerator(FixtureNamespace).Generate([ContractArtifact.Parse(anonymous, "out/Fixture.sol/Fixture.json")]))!;
        Assert.That(noTopic.Message, Does.Contain("Noted(string,uint256[],address,string) is anonymous"));

        var fixture = ContractArtifact.Parse(FixtureArtifact, "out/Fixture.sol/Fixture.json");
        var unknown = Assert.Throws<FormatException>(() => new BindingsGenerator(FixtureNamespace).Generate([fixture],
            new Dictionary<string, IReadOnlyList<string>> { ["Fixture"] = ["Nowhere"] }))!;
        Assert.That(unknown.Message, Does.Contain("no contract named Nowhere"));

        string wrongId = FixtureArtifact.Replace("\"swap(uint256)\":\"94b918de\"", "\"swap(uint256)\":\"00000000\"", StringComparison.Ordinal);
        var mismatch = Assert.Throws<FormatException>(() => new BindingsGenerator(FixtureNamespace).Generate([ContractArtifact.Parse(wrongId, "out/Fixture.sol/Fixture.json")]))!;
        Assert.That(mismatch.Message, Does.Contain("swap(uint256)").And.Contain("methodIdentifiers"));
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
            File.WriteAllText(Path.Combine(root, "out", "Fixture.t.sol", "FixtureTest.json"),
                FixtureArtifact.Replace("contracts/evm/Fixture.sol\":\"Fixture", "tests/evm/Fixture.t.sol\":\"FixtureTest", StringComparison.Ordinal));
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

    private static string CallData(object message)
    {
        MethodInfo getCallData = typeof(Nethereum.Contracts.FunctionMessageExtensions).GetMethod("GetCallData")!.MakeGenericMethod(message.GetType());
        return ((byte[])getCallData.Invoke(null, [message])!).ToHex(true);
    }

    private static object Pair(int id, string hash)
    {
        object pair = New("Pair");
        Set(pair, "Id", new BigInteger(id));
        Set(pair, "Hash", hash.HexToByteArray());
        return pair;
    }

    private static object Outer(object inner, ulong[] values, string note)
    {
        object outer = New("Outer");
        Set(outer, "Inner", inner);
        Set(outer, "Values", values.ToList());
        Set(outer, "Note", note);
        return outer;
    }

    private static object List(string elementType, params object[] items)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(FixtureType(elementType)))!;
        foreach (object item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private static void Set(object target, string property, object? value) => target.GetType().GetProperty(property)!.SetValue(target, value);

    private static dynamic New(string name) => Activator.CreateInstance(FixtureType(name))!;

    private static Type FixtureType(string name) => Compiled.Value.Assembly.GetType($"{FixtureNamespace}.{name}", throwOnError: true)!;

    private static (IReadOnlyList<GeneratedFile>, Assembly) CompileFixture()
    {
        var fixture = ContractArtifact.Parse(FixtureArtifact, "out/Fixture.sol/Fixture.json");
        var facet = ContractArtifact.Parse(FacetArtifact, "out/IFacet.sol/IFacet.json");
        var files = new BindingsGenerator(FixtureNamespace).Generate([fixture, facet], new Dictionary<string, IReadOnlyList<string>> { ["Fixture"] = ["IFacet"] });
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path)).ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error, warningLevel: 9999);
        var compilation = CSharpCompilation.Create("FixtureBindings", files.Select(f => CSharpSyntaxTree.ParseText(f.Text, path: f.FileName)), references, options);
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Take(10)));
        Assert.That(result.Success, Is.True);
        return (files, Assembly.Load(stream.ToArray()));
    }
}
