using System.Text.Json;
using AgentCluster.Evm.Abi;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>A generated source file.</summary>
public sealed record GeneratedFile(string FileName, string Text);

/// <summary>
/// Turns Foundry artifacts into typed contract classes: per contract a <c>&lt;Name&gt;Service</c> (views, sends, simulations, calldata
/// encoders, deployment, event records and decoders, error records), one record per Solidity struct shared by all contracts, and
/// <c>ContractErrors</c> (every custom error of the suite, so a revert bubbling up from a callee still decodes).
/// </summary>
public sealed class BindingsGenerator(string targetNamespace = "AgentCluster.Evm.Bindings")
{
    // Framework and library types the generated code names; fully qualified so no Solidity name can shadow them.
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string Ct = "global::System.Threading.CancellationToken";
    private const string BigInt = "global::System.Numerics.BigInteger";
    private const string Linq = "global::System.Linq.Enumerable";
    private const string ArgNull = "global::System.ArgumentNullException";
    private const string List = "global::System.Collections.Generic.IReadOnlyList";
    private const string NotNullWhen = "[global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)]";
    private const string Evm = "global::AgentCluster.Evm";
    private const string AbiNs = "global::AgentCluster.Evm.Abi";
    private const string Rpc = "global::AgentCluster.Evm.Rpc";
    private const string Txm = "global::AgentCluster.Evm.TransactionManagement";

    // Struct names that would clash with types every caller has in scope (ImplicitUsings) or with the layer's own types.
    private static readonly HashSet<string> ReservedTypeNames = new(StringComparer.Ordinal)
    {
        "Task", "Action", "Func", "Type", "Object", "String", "Attribute", "Exception", "Math", "Buffer", "Convert", "Random", "Range", "Index",
        "Version", "Environment", "Timer", "Thread", "File", "Path", "Directory", "Stream", "Tuple", "Array", "Enum", "Delegate", "Console",
        "Address", "Hash32", "UInt256", "Int256", "Hex", "Keccak", "Block", "LogEntry", "TransactionReceipt", "ContractService", "SendOptions",
        "EventLog", "TransactionFailedException", "ContractErrors", "ContractAbi", "TransactionManager", "TransactionHandle", "Monitor", "Record",
    };

    private static readonly string[] ObjectMembers = ["Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize"];

    private static readonly string[] RecordMembers = [.. ObjectMembers, "EqualityContract", "PrintMembers", "Deconstruct", "Clone"];

    private readonly Dictionary<string, StructModel> _structs = new(StringComparer.Ordinal);

    /// <summary>Loads every artifact under <paramref name="artifactsDirectory"/> (out/) whose source starts with <paramref name="sourcePrefix"/>.</summary>
    public static IReadOnlyList<ContractArtifact> LoadArtifacts(string artifactsDirectory, string sourcePrefix)
    {
        if (!Directory.Exists(artifactsDirectory))
        {
            throw new DirectoryNotFoundException($"No Foundry artifacts at {artifactsDirectory}: run `forge build` first.");
        }

        var selected = new List<ContractArtifact>();
        foreach (string file in Directory.EnumerateFiles(artifactsDirectory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(Path.GetDirectoryName(file)) is not { } dir || !dir.EndsWith(".sol", StringComparison.Ordinal))
            {
                continue; // build-info/, cache files
            }

            ContractArtifact artifact = ContractArtifact.Load(file);
            if (artifact.SourcePath.StartsWith(sourcePrefix, StringComparison.Ordinal))
            {
                selected.Add(artifact with { ArtifactPath = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(artifactsDirectory).TrimEnd('/', '\\'))!, file).Replace('\\', '/') });
            }
        }

        return selected;
    }

    /// <summary>The bindings of <paramref name="artifacts"/>: one file per contract, Structs.g.cs and ContractErrors.g.cs.</summary>
    /// <exception cref="FormatException">An ABI the generator cannot map, or two contracts of the same name.</exception>
    public IReadOnlyList<GeneratedFile> Generate(IReadOnlyList<ContractArtifact> artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        _structs.Clear();
        var contracts = new List<ContractModel>();
        foreach (ContractArtifact artifact in artifacts.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var items = AbiItem.List(artifact.Abi);
            if (items.Count == 0)
            {
                continue; // a library of internal functions: nothing callable
            }

            if (contracts.FirstOrDefault(c => c.Artifact.Name == artifact.Name) is { } twin)
            {
                throw new FormatException($"Two contracts are named {artifact.Name} ({twin.Artifact.SourcePath} and {artifact.SourcePath}); the bindings need distinct names.");
            }

            CheckSignatures(artifact, items);
            contracts.Add(new ContractModel(artifact, items, Naming.Pascal(artifact.Name) + "Service"));
        }

        foreach (ContractModel contract in contracts)
        {
            contract.Resolve(this);
        }

        NameStructs(contracts.Select(c => c.ClassName).ToHashSet(StringComparer.Ordinal));

        var files = contracts.Select(c => new GeneratedFile(c.Artifact.Name + ".g.cs", EmitContract(c))).ToList();
        files.Add(new GeneratedFile("Structs.g.cs", EmitStructs()));
        files.Add(new GeneratedFile("ContractErrors.g.cs", EmitErrors(contracts)));
        foreach (GeneratedFile file in files)
        {
            var errors = CSharpSyntaxTree.ParseText(file.Text).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (errors.Length > 0)
            {
                throw new InvalidOperationException($"Generated {file.FileName} does not parse (a generator bug): {string.Join("; ", errors.Take(5))}");
            }
        }

        return files;
    }

    /// <summary>The generator's own reading of the ABI must give the selectors the client layer computes.</summary>
    private static void CheckSignatures(ContractArtifact artifact, IReadOnlyList<AbiItem> items)
    {
        var abi = ContractAbi.Parse(artifact.Abi.GetRawText());
        string[] ours = items.Where(i => i.Kind == "function").Select(i => i.Signature).ToArray();
        string[] layer = abi.Functions.Select(f => f.Signature).ToArray();
        if (!ours.SequenceEqual(layer, StringComparer.Ordinal))
        {
            throw new FormatException($"{artifact.ArtifactPath}: function signatures disagree with ContractAbi ({string.Join(", ", ours.Except(layer))}).");
        }
    }

    internal StructModel StructOf(AbiParam p, string context)
    {
        string canonical = "(" + string.Join(",", p.Components.Select(c => c.Canonical)) + ")";
        string key = p.StructName ?? context;
        if (_structs.TryGetValue(key, out StructModel? known))
        {
            return known.Canonical == canonical ? known
                : throw new FormatException($"Struct {key} has two shapes: {known.Canonical} and {canonical}.");
        }

        var model = new StructModel(key, p.StructName ?? context, p.Components, canonical);
        _structs[key] = model;
        foreach (AbiParam component in p.Components)
        {
            model.Fields.Add(("", TypeRef.Of(component, c => StructOf(c, key + Naming.Pascal(c.Name)))));
        }

        return model;
    }

    private void NameStructs(HashSet<string> classNames)
    {
        string Short(StructModel s) => Naming.Pascal(s.SolidityName[(s.SolidityName.LastIndexOf('.') + 1)..]);
        var byShort = _structs.Values.GroupBy(Short).ToDictionary(g => g.Key, g => g.Count());
        var taken = new NameScope([.. classNames, .. ReservedTypeNames]);
        foreach (StructModel s in _structs.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string name = Short(s);
            if (byShort[name] > 1 || ReservedTypeNames.Contains(name) || classNames.Contains(name))
            {
                // Qualify by the declaring contract, dropping an interface's I: ITaskMarket.Task → TaskMarketTask.
                int dot = s.SolidityName.LastIndexOf('.');
                string owner = dot < 0 ? "" : s.SolidityName[..dot].Replace(".", "", StringComparison.Ordinal);
                if (owner.Length > 1 && owner[0] == 'I' && char.IsUpper(owner[1]))
                {
                    owner = owner[1..];
                }

                name = Naming.Pascal(owner) + name;
            }

            s.CsName = taken.Claim(name, "Struct");
            var fields = new NameScope([.. RecordMembers, "FromAbi", "ToAbi", s.CsName]);
            for (int i = 0; i < s.Fields.Count; i++)
            {
                s.Fields[i] = (fields.Claim(Naming.Pascal(s.Components[i].Name), $"Item{i + 1}"), s.Fields[i].Type);
            }
        }
    }

    // ---- type mapping ----------------------------------------------------------------------------------------------------

    internal static string Cs(TypeRef type) => type switch
    {
        IndexedHashRef => Evm + ".Hash32",
        ElementaryRef { Type: UIntType u } => u.Bits <= 8 ? "byte" : u.Bits <= 16 ? "ushort" : u.Bits <= 32 ? "uint" : u.Bits <= 64 ? "ulong" : Evm + ".UInt256",
        ElementaryRef { Type: IntType s } => s.Bits <= 8 ? "sbyte" : s.Bits <= 16 ? "short" : s.Bits <= 32 ? "int" : s.Bits <= 64 ? "long" : Evm + ".Int256",
        ElementaryRef { Type: AddressType } => Evm + ".Address",
        ElementaryRef { Type: BoolType } => "bool",
        ElementaryRef { Type: StringType } => "string",
        ElementaryRef { Type: FixedBytesType { Size: 32 } } => Evm + ".Hash32",
        ElementaryRef { Type: BytesType or FixedBytesType } => "byte[]",
        ArrayRef a => $"{List}<{Cs(a.Element)}>",
        TupleRef t => "global::" + "TARGETNS." + t.Struct.CsName,
        _ => throw new FormatException($"No C# mapping for {type}."),
    };

    private static bool IsReference(TypeRef type) => type is ArrayRef or TupleRef or ElementaryRef { Type: StringType or BytesType or FixedBytesType { Size: not 32 } };

    /// <summary>The C# expression turning a decoded ABI value (object?) into the mapped type.</summary>
    internal static string Decode(TypeRef type, string value, int depth = 0) => type switch
    {
        IndexedHashRef => $"({Cs(type)}){value}!",
        ElementaryRef { Type: UIntType or IntType } => $"({Cs(type)})({BigInt}){value}!",
        ElementaryRef { Type: FixedBytesType { Size: 32 } } => $"new {Evm}.Hash32((byte[]){value}!)",
        ElementaryRef => $"({Cs(type)}){value}!",
        ArrayRef a => $"{Linq}.ToArray({Linq}.Select((object?[]){value}!, v{depth} => {Decode(a.Element, "v" + depth, depth + 1)}))",
        TupleRef t => $"{Cs(t)}.FromAbi((object?[]){value}!)",
        _ => throw new FormatException($"No decoding for {type}."),
    };

    /// <summary>The C# expression turning a mapped value into what AbiEncoder accepts.</summary>
    internal static string Encode(TypeRef type, string value, int depth = 0) => type switch
    {
        ElementaryRef or IndexedHashRef => value,
        ArrayRef a => $"{Linq}.ToArray({Linq}.Select({value}, v{depth} => (object?){Encode(a.Element, "v" + depth, depth + 1)}))",
        TupleRef => $"{value}.ToAbi()",
        _ => throw new FormatException($"No encoding for {type}."),
    };

    // ---- emission ----------------------------------------------------------------------------------------------------------

    private string Header(string source) =>
        $"// <auto-generated>\n// Generated by AgentCluster.Evm.BindingsGen from {source}. Do not edit: change the contracts and rebuild.\n// </auto-generated>\n#nullable enable\n\nnamespace {targetNamespace};\n\n";

    private string Ns(string text) => text.Replace("global::TARGETNS.", "global::" + targetNamespace + ".", StringComparison.Ordinal);

    private string EmitStructs()
    {
        var w = new CodeWriter();
        foreach (StructModel s in _structs.Values.OrderBy(s => s.CsName, StringComparer.Ordinal))
        {
            w.Line($"/// <summary>Solidity struct <c>{Naming.Xml(s.SolidityName)}</c>: <c>{s.Canonical}</c>.</summary>");
            w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"AgentCluster.Evm.BindingsGen\", \"1\")]");
            w.Open($"public sealed partial record {s.CsName}({string.Join(", ", s.Fields.Select(f => $"{Cs(f.Type)} {f.Property}"))})");
            w.Line($"/// <summary>From the decoder's object?[] (one value per field).</summary>");
            w.Open($"public static {s.CsName} FromAbi(object?[] values)");
            w.Line($"{ArgNull}.ThrowIfNull(values);");
            w.Line($"return new {s.CsName}({string.Join(", ", s.Fields.Select((f, i) => Decode(f.Type, $"values[{i}]")))});");
            w.Close();
            w.Line();
            w.Line("/// <summary>To the encoder's object?[] (one value per field).</summary>");
            w.Line($"public object?[] ToAbi() => new object?[] {{ {string.Join(", ", s.Fields.Select(f => Encode(f.Type, f.Property)))} }};");
            w.Close();
            w.Line();
        }

        return Ns(Header("the structs of the contracts' ABIs") + w);
    }

    private string EmitErrors(IReadOnlyList<ContractModel> contracts)
    {
        var w = new CodeWriter();
        w.Line("/// <summary>Every custom error of the generated contracts: a revert that bubbles up from a callee still decodes by name.</summary>");
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"AgentCluster.Evm.BindingsGen\", \"1\")]");
        w.Open("public static class ContractErrors");
        w.Line($"public static {List}<{AbiNs}.AbiError> All {{ get; }} = {Linq}.ToArray({Linq}.DistinctBy({Linq}.SelectMany(new {List}<{AbiNs}.AbiError>[]");
        w.Line("{");
        foreach (ContractModel c in contracts)
        {
            w.Line($"    {c.ClassName}.Artifact.Abi.Errors,");
        }

        w.Line("}, errors => errors), e => e.Signature));");
        w.Line();
        w.Line($"public static {AbiNs}.RevertDecoder Decoder {{ get; }} = new(All);");
        w.Close();
        return Ns(Header("every contract's custom errors") + w);
    }

    private string EmitContract(ContractModel c)
    {
        ContractArtifact a = c.Artifact;
        var w = new CodeWriter();
        string notice = a.Notices.TryGetValue("contract", out string? n) ? " " + Naming.Xml(n) : "";
        w.Line($"/// <summary>Typed binding of <c>{a.Name}</c> ({Naming.Xml(a.SourcePath)}).{notice}</summary>");
        w.Line($"/// <remarks>Generated from {Naming.Xml(a.ArtifactPath)}; views call, other functions send through the TransactionManager.</remarks>");
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"AgentCluster.Evm.BindingsGen\", \"1\")]");
        w.Open($"public partial class {c.ClassName} : global::AgentCluster.Evm.Bindings.ContractService");
        w.Line($"public const string ContractName = {Naming.Literal(a.Name)};");
        w.Line();
        w.Line($"public {c.ClassName}({Rpc}.EthRpcClient client, {Evm}.Address address, {Txm}.TransactionManager? transactionManager = null)");
        w.Line("    : base(client, address, transactionManager, ErrorDecoder)");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.Line("/// <summary>Decodes reverts: this contract's custom errors and every other contract's (see ContractErrors).</summary>");
        w.Line($"public static {AbiNs}.RevertDecoder ErrorDecoder {{ get; }} = CreateRevertDecoder(ContractErrors.All, Artifact.Abi.Errors);");
        EmitDeployment(w, c);
        foreach (FunctionModel f in c.Functions)
        {
            EmitFunction(w, c, f);
        }

        foreach (EventModel e in c.Events)
        {
            EmitEvent(w, c, e);
        }

        foreach (ErrorModel e in c.Errors)
        {
            EmitError(w, c, e);
        }

        EmitArtifact(w, c);
        w.Close();
        return Ns(Header(a.ArtifactPath) + w);
    }

    private static string Doc(ContractArtifact a, string key, string fallback) =>
        "/// <summary>" + (a.Notices.TryGetValue(key, out string? notice) ? Naming.Xml(notice) : fallback) + "</summary>";

    private static string Parameters(IEnumerable<ParamModel> ps) => string.Concat(ps.Select(p => $"{Cs(p.Type)} {p.Name}, "));

    private static string Arguments(IEnumerable<ParamModel> ps) => string.Concat(ps.Select(p => p.Name + ", "));

    private static void NullChecks(CodeWriter w, IEnumerable<ParamModel> ps)
    {
        foreach (ParamModel p in ps.Where(p => IsReference(p.Type)))
        {
            w.Line($"{ArgNull}.ThrowIfNull({p.Name});");
        }
    }

    private static string EncodedArray(IReadOnlyList<ParamModel> ps) =>
        ps.Count == 0 ? "global::System.Array.Empty<object?>()" : "new object?[] { " + string.Join(", ", ps.Select(p => Encode(p.Type, p.Name))) + " }";

    private static void EmitDeployment(CodeWriter w, ContractModel c)
    {
        if (c.Artifact.Bytecode is null || c.Artifact.NeedsLinking)
        {
            return; // an interface, abstract contract or a library that needs linking: nothing to deploy as is
        }

        string ctorParams = Parameters(c.ConstructorInputs);
        w.Line();
        w.Line($"/// <summary>The creation code: the artifact's bytecode followed by the ABI-encoded constructor arguments.</summary>");
        w.Open($"public static byte[] {c.EncodeDeploymentName}({ctorParams.TrimEnd(' ', ',')})");
        NullChecks(w, c.ConstructorInputs);
        w.Line($"return [.. Artifact.GetBytecode(), .. {AbiNs}.AbiEncoder.Encode({Linq}.ToArray({Linq}.Select(Artifact.Abi.ConstructorInputs, p => p.Type)), {EncodedArray(c.ConstructorInputs)})];");
        w.Close();
        w.Line();
        w.Line($"/// <summary>Deploys {c.Artifact.Name} from the manager's signer, waits for the receipt and returns the service at the new address.</summary>");
        w.Open($"public static async {Task}<{c.ClassName}> {c.DeployName}({Rpc}.EthRpcClient client, {Txm}.TransactionManager transactionManager, {ctorParams}global::AgentCluster.Evm.Bindings.SendOptions? options = null, {Ct} cancellationToken = default)");
        w.Line($"{ArgNull}.ThrowIfNull(client);");
        w.Line($"byte[] creationCode = {c.EncodeDeploymentName}({Arguments(c.ConstructorInputs).TrimEnd(' ', ',')});");
        w.Line($"{Rpc}.TransactionReceipt receipt = await DeployContractAsync(ContractName, transactionManager, creationCode, payable: {(c.ConstructorPayable ? "true" : "false")}, options, ErrorDecoder, cancellationToken).ConfigureAwait(false);");
        w.Line($"return new {c.ClassName}(client, receipt.ContractAddress!.Value, transactionManager);");
        w.Close();
    }

    private static string ReturnType(FunctionModel f) => f.Outputs.Count switch
    {
        0 => Task,
        1 => $"{Task}<{Cs(f.Outputs[0].Type)}>",
        _ => $"{Task}<{f.OutputRecord}>",
    };

    private static void EmitCallBody(CodeWriter w, FunctionModel f)
    {
        string call = $"await CallFunctionAsync(Artifact.{f.AbiField}, {f.EncodeName}({Arguments(f.Inputs).TrimEnd(' ', ',')}), block, cancellationToken).ConfigureAwait(false)";
        switch (f.Outputs.Count)
        {
            case 0:
                w.Line($"_ = {call};");
                break;
            case 1:
                w.Line($"object?[] output = {call};");
                w.Line($"return {Decode(f.Outputs[0].Type, "output[0]")};");
                break;
            default:
                w.Line($"return {f.OutputRecord}.FromAbi({call});");
                break;
        }
    }

    private static void EmitFunction(CodeWriter w, ContractModel c, FunctionModel f)
    {
        string doc = Doc(c.Artifact, "method:" + f.Item.Signature, $"<c>{f.Item.Signature}</c> ({f.Item.StateMutability}).");
        string ps = Parameters(f.Inputs);
        w.Line();
        if (f.Item.IsReadOnly)
        {
            w.Line(doc);
            w.Open($"public virtual async {ReturnType(f)} {f.MethodName}({ps}{Rpc}.BlockParameter block = default, {Ct} cancellationToken = default)");
            EmitCallBody(w, f);
            w.Close();
        }
        else
        {
            w.Line(doc);
            w.Line("/// <remarks>Sends a transaction through the TransactionManager (gas estimated first: a revert throws before any nonce is used).</remarks>");
            w.Line($"public virtual {Task}<{Txm}.TransactionHandle> {f.MethodName}({ps}global::AgentCluster.Evm.Bindings.SendOptions? options = null, {Ct} cancellationToken = default) =>");
            w.Line($"    SendFunctionAsync({Naming.Literal(f.Item.Signature)}, {f.EncodeName}({Arguments(f.Inputs).TrimEnd(' ', ',')}), payable: {(f.Item.IsPayable ? "true" : "false")}, options, cancellationToken);");
            w.Line();
            w.Line($"/// <summary>Simulates <c>{f.Item.Signature}</c> with eth_call from the manager's signer: its return values, or the revert as a ContractRevertException.</summary>");
            w.Open($"public virtual async {ReturnType(f)} {f.SimulateName}({ps}{Rpc}.BlockParameter block = default, {Ct} cancellationToken = default)");
            EmitCallBody(w, f);
            w.Close();
        }

        w.Line();
        w.Line($"/// <summary>The calldata of <c>{f.Item.Signature}</c> (selector 0x{Hex(f.Item.Signature)}).</summary>");
        w.Open($"public static byte[] {f.EncodeName}({ps.TrimEnd(' ', ',')})");
        NullChecks(w, f.Inputs);
        w.Line($"return Artifact.{f.AbiField}.EncodeCall({EncodedArray(f.Inputs)});");
        w.Close();

        if (f.Outputs.Count > 1)
        {
            w.Line();
            w.Line($"/// <summary>The return values of <c>{f.Item.Signature}</c>.</summary>");
            w.Open($"public sealed partial record {f.OutputRecord}({string.Join(", ", f.Outputs.Select(o => $"{Cs(o.Type)} {o.Name}"))})");
            w.Open($"public static {f.OutputRecord} FromAbi(object?[] values)");
            w.Line($"{ArgNull}.ThrowIfNull(values);");
            w.Line($"return new {f.OutputRecord}({string.Join(", ", f.Outputs.Select((o, i) => Decode(o.Type, $"values[{i}]")))});");
            w.Close();
            w.Close();
        }
    }

    private static string Hex(string signature) => Convert.ToHexStringLower(Keccak.Hash(System.Text.Encoding.UTF8.GetBytes(signature)).ToArray().AsSpan(0, 4));

    private static void EmitEvent(CodeWriter w, ContractModel c, EventModel e)
    {
        w.Line();
        w.Line(Doc(c.Artifact, "event:" + e.Item.Signature, $"Event <c>{e.Item.Signature}</c>."));
        w.Line("/// <remarks>An indexed string, bytes, array or struct is only its Keccak-256 hash in the log, hence a Hash32.</remarks>");
        w.Open($"public sealed partial record {e.RecordName}({string.Join(", ", e.Fields.Select(p => $"{Cs(p.Type)} {p.Name}"))})");
        w.Line($"public static {AbiNs}.AbiEvent Definition => Artifact.{e.AbiField};");
        w.Line();
        w.Open($"public static {e.RecordName} FromDecoded({AbiNs}.DecodedEvent decoded)");
        w.Line($"{ArgNull}.ThrowIfNull(decoded);");
        w.Line($"return new {e.RecordName}({string.Join(", ", e.Fields.Select((p, i) => Decode(p.Type, $"decoded.Values[{i}]")))});");
        w.Close();
        w.Line();
        w.Line("/// <summary>Decodes <paramref name=\"log\"/> if it is this event (any emitter); false for other logs or malformed data.</summary>");
        w.Open($"public static bool TryDecode({Rpc}.LogEntry log, {NotNullWhen} out {e.RecordName}? value)");
        w.Line($"{ArgNull}.ThrowIfNull(log);");
        w.Open("if (log.Topics.Count > 0 && log.Topics[0] == Definition.Topic0)");
        w.Open("try");
        w.Line("value = FromDecoded(Definition.DecodeLog(log.Topics, log.Data));");
        w.Line("return true;");
        w.Close();
        w.Open($"catch ({AbiNs}.AbiDecodingException)");
        w.Close();
        w.Close();
        w.Line();
        w.Line("value = null;");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        w.Line($"/// <summary>The <c>{e.Item.Name}</c> events this contract emitted in <paramref name=\"receipt\"/>.</summary>");
        w.Open($"public {List}<global::AgentCluster.Evm.Bindings.EventLog<{e.RecordName}>> {e.DecodeName}({Rpc}.TransactionReceipt receipt)");
        w.Line($"{ArgNull}.ThrowIfNull(receipt);");
        w.Line($"return DecodeEvents(receipt.Logs, {e.RecordName}.Definition, {e.RecordName}.FromDecoded);");
        w.Close();
        w.Line();
        w.Line($"/// <summary>The <c>{e.Item.Name}</c> events of this contract between two blocks (default: all of them) via eth_getLogs.</summary>");
        w.Line($"public {Task}<{List}<global::AgentCluster.Evm.Bindings.EventLog<{e.RecordName}>>> {e.GetName}({Rpc}.BlockParameter? fromBlock = null, {Rpc}.BlockParameter? toBlock = null, {Ct} cancellationToken = default) =>");
        w.Line($"    GetEventsAsync({e.RecordName}.Definition, {e.RecordName}.FromDecoded, fromBlock, toBlock, cancellationToken);");
    }

    private static void EmitError(CodeWriter w, ContractModel c, ErrorModel e)
    {
        w.Line();
        w.Line(Doc(c.Artifact, "error:" + e.Item.Signature, $"Custom error <c>{e.Item.Signature}</c>."));
        w.Open($"public sealed partial record {e.RecordName}({string.Join(", ", e.Fields.Select(p => $"{Cs(p.Type)} {p.Name}"))})");
        w.Line($"public static {AbiNs}.AbiError Definition => Artifact.{e.AbiField};");
        w.Line();
        w.Line("/// <summary>This error's arguments if <paramref name=\"exception\"/> is this error.</summary>");
        w.Open($"public static bool TryFrom({AbiNs}.ContractRevertException exception, {NotNullWhen} out {e.RecordName}? error)");
        w.Line($"{ArgNull}.ThrowIfNull(exception);");
        w.Open($"if (exception.ErrorSignature == Definition.Signature && exception.Arguments.Count == {e.Fields.Count})");
        w.Line($"error = new {e.RecordName}({string.Join(", ", e.Fields.Select((p, i) => Decode(p.Type, $"exception.Arguments[{i}]")))});");
        w.Line("return true;");
        w.Close();
        w.Line();
        w.Line("error = null;");
        w.Line("return false;");
        w.Close();
        w.Close();
    }

    private static void EmitArtifact(CodeWriter w, ContractModel c)
    {
        ContractArtifact a = c.Artifact;
        w.Line();
        w.Line("/// <summary>What the binding was generated from: the ABI (parsed once) and the creation bytecode.</summary>");
        w.Open("public static class Artifact");
        w.Line($"public const string SourcePath = {Naming.Literal(a.SourcePath)};");
        w.Line();
        w.Line($"public const string ArtifactPath = {Naming.Literal(a.ArtifactPath)};");
        w.Line();
        w.Line($"private const string AbiJson = {Naming.Literal(Compact(a.Abi))};");
        w.Line();
        w.Line($"private const string BytecodeHex = {Naming.Literal(a.Bytecode ?? "0x")};");
        w.Line();
        w.Line($"public static {AbiNs}.ContractAbi Abi {{ get; }} = {AbiNs}.ContractAbi.Parse(AbiJson);");
        w.Line();
        w.Line("/// <summary>The creation bytecode (empty for interfaces and abstract contracts); a fresh copy each call.</summary>");
        w.Line($"public static byte[] GetBytecode() => {Evm}.Hex.Decode(BytecodeHex);");
        foreach (FunctionModel f in c.Functions)
        {
            w.Line();
            w.Line($"internal static readonly {AbiNs}.AbiFunction {f.AbiField} = {Linq}.Single(Abi.Functions, f => f.Signature == {Naming.Literal(f.Item.Signature)});");
        }

        foreach (EventModel e in c.Events)
        {
            w.Line();
            w.Line($"internal static readonly {AbiNs}.AbiEvent {e.AbiField} = {Linq}.Single(Abi.Events, e => e.Signature == {Naming.Literal(e.Item.Signature)});");
        }

        foreach (ErrorModel e in c.Errors)
        {
            w.Line();
            w.Line($"internal static readonly {AbiNs}.AbiError {e.AbiField} = {Linq}.Single(Abi.Errors, e => e.Signature == {Naming.Literal(e.Item.Signature)});");
        }

        w.Close();
    }

    private static string Compact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    // ---- per-contract model: names decided once, before any text is written ---------------------------------------------

    internal sealed record ParamModel(string Name, TypeRef Type);

    internal sealed record FunctionModel(AbiItem Item, string MethodName, string SimulateName, string EncodeName, string AbiField,
        IReadOnlyList<ParamModel> Inputs, IReadOnlyList<ParamModel> Outputs, string OutputRecord);

    internal sealed record EventModel(AbiItem Item, string RecordName, string DecodeName, string GetName, string AbiField, IReadOnlyList<ParamModel> Fields);

    internal sealed record ErrorModel(AbiItem Item, string RecordName, string AbiField, IReadOnlyList<ParamModel> Fields);

    internal sealed class ContractModel(ContractArtifact artifact, IReadOnlyList<AbiItem> items, string className)
    {
        private static readonly string[] MethodExtras = ["block", "options", "cancellationToken"];

        public ContractArtifact Artifact { get; } = artifact;

        public IReadOnlyList<AbiItem> Items { get; } = items;

        public string ClassName { get; } = className;

        public List<FunctionModel> Functions { get; } = [];

        public List<EventModel> Events { get; } = [];

        public List<ErrorModel> Errors { get; } = [];

        public IReadOnlyList<ParamModel> ConstructorInputs { get; private set; } = [];

        public bool ConstructorPayable { get; private set; }

        public string DeployName { get; private set; } = "";

        public string EncodeDeploymentName { get; private set; } = "";

        public void Resolve(BindingsGenerator generator)
        {
            // Members and nested types share one scope in C#; the base class's and the fixed members come first.
            var members = new NameScope([.. ObjectMembers, ClassName, "Client", "Address", "TransactionManager", "RevertDecoder", "ErrorDecoder", "Artifact",
                "ContractName", "CallFunctionAsync", "SendFunctionAsync", "DeployContractAsync", "DecodeEvents", "GetEventsAsync", "CreateRevertDecoder"]);
            var artifactFields = new NameScope(["SourcePath", "ArtifactPath", "AbiJson", "BytecodeHex", "Abi", "GetBytecode", "Artifact"]);
            string name = Naming.Pascal(Artifact.Name);
            DeployName = members.Claim($"Deploy{name}Async");
            EncodeDeploymentName = members.Claim("EncodeDeployment");
            if (Items.FirstOrDefault(i => i.Kind == "constructor") is { } ctor)
            {
                ConstructorInputs = Params(generator, ctor.Inputs, $"{name}Constructor", ["client", "transactionManager", "options", "cancellationToken"]);
                ConstructorPayable = ctor.IsPayable;
            }

            var functions = Items.Where(i => i.Kind == "function").ToArray();
            var overloadIndex = functions.GroupBy(f => f.Name)
                .SelectMany(g => g.OrderBy(f => f.Inputs.Count).ThenBy(f => f.Signature, StringComparer.Ordinal).Select((f, i) => (f, i)))
                .ToDictionary(x => x.f, x => x.i);
            foreach (AbiItem f in functions)
            {
                string baseName = Naming.Pascal(f.Name) is { Length: > 0 } p ? p : "Function";
                if (overloadIndex[f] > 0)
                {
                    baseName += overloadIndex[f] + 1; // overloads: quorumNumerator() → QuorumNumerator, quorumNumerator(uint256) → QuorumNumerator2
                }

                string method = members.Claim(baseName + "Async");
                string simulate = f.IsReadOnly ? "" : members.Claim($"Simulate{baseName}Async");
                string encode = members.Claim($"Encode{baseName}Call");
                var inputs = Params(generator, f.Inputs, name + baseName, MethodExtras);
                var outputScope = new NameScope([.. RecordMembers, "FromAbi", baseName + "Output"]);
                var outputs = f.Outputs.Select((o, i) => new ParamModel(outputScope.Claim(Naming.Pascal(o.Name), $"Item{i + 1}"),
                    TypeRef.Of(o, t => generator.StructOf(t, name + baseName + Naming.Pascal(o.Name) + "Result")))).ToArray();
                string record = outputs.Length > 1 ? members.Claim(baseName + "Output") : "";
                Functions.Add(new FunctionModel(f, method, simulate, encode, artifactFields.Claim(baseName + "Function"), inputs, outputs, record));
            }

            foreach (AbiItem e in Items.Where(i => i.Kind == "event" && !i.Anonymous))
            {
                string baseName = Naming.Pascal(e.Name);
                string record = members.Claim(baseName + "Event");
                var fieldScope = new NameScope([.. RecordMembers, "Definition", "FromDecoded", "TryDecode", record]);
                var fields = e.Inputs.Select((p, i) => new ParamModel(fieldScope.Claim(Naming.Pascal(p.Name), $"Item{i + 1}"),
                    p.Indexed && IsHashedWhenIndexed(p) ? new IndexedHashRef()
                        : TypeRef.Of(p, t => generator.StructOf(t, name + baseName + Naming.Pascal(p.Name))))).ToArray();
                Events.Add(new EventModel(e, record, members.Claim($"Decode{baseName}Events"), members.Claim($"Get{baseName}EventsAsync"),
                    artifactFields.Claim(baseName + "Event"), fields));
            }

            foreach (AbiItem e in Items.Where(i => i.Kind == "error"))
            {
                string baseName = Naming.Pascal(e.Name);
                string record = members.Claim(baseName + "Error");
                var fieldScope = new NameScope([.. RecordMembers, "Definition", "TryFrom", record]);
                var fields = e.Inputs.Select((p, i) => new ParamModel(fieldScope.Claim(Naming.Pascal(p.Name), $"Item{i + 1}"),
                    TypeRef.Of(p, t => generator.StructOf(t, name + baseName + Naming.Pascal(p.Name))))).ToArray();
                Errors.Add(new ErrorModel(e, record, artifactFields.Claim(baseName + "Error"), fields));
            }
        }

        private static bool IsHashedWhenIndexed(AbiParam p) => p.Type.Contains('[', StringComparison.Ordinal) || p.Type.StartsWith("tuple", StringComparison.Ordinal)
            || p.Type is "string" or "bytes";

        private static ParamModel[] Params(BindingsGenerator generator, IReadOnlyList<AbiParam> ps, string context, string[] reserved)
        {
            var scope = new NameScope(reserved);
            return ps.Select((p, i) => new ParamModel(Naming.Escape(scope.Claim(Naming.Camel(p.Name), $"arg{i}")),
                TypeRef.Of(p, t => generator.StructOf(t, context + Naming.Pascal(p.Name))))).ToArray();
        }
    }
}
