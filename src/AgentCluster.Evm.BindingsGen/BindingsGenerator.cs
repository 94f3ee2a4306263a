using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>A generated source file.</summary>
public sealed record GeneratedFile(string FileName, string Text);

/// <summary>
/// Turns Foundry artifacts into Nethereum's usual generated contract shape: per contract a namespace
/// <c>&lt;ns&gt;.&lt;Contract&gt;.ContractDefinition</c> with the deployment message, one <c>FunctionMessage</c> per function, output DTOs,
/// event DTOs and error DTOs, and a namespace <c>&lt;ns&gt;.&lt;Contract&gt;</c> with the <c>&lt;Contract&gt;Service</c>; one
/// <c>[Struct]</c> class per Solidity struct shared by all contracts (in <c>&lt;ns&gt;</c>), and <c>SuiteErrors</c> (every custom error of
/// the suite, de-duplicated by selector, so a revert bubbling up from a callee still decodes by name).
/// </summary>
public sealed class BindingsGenerator(string targetNamespace = "AgentCluster.Evm.Bindings")
{
    private const string Attr = "global::Nethereum.ABI.FunctionEncoding.Attributes";
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string Ct = "global::System.Threading.CancellationToken";
    private const string BigInt = "global::System.Numerics.BigInteger";
    private const string ListT = "global::System.Collections.Generic.List";
    private const string TypeT = "global::System.Type";
    private const string Web3 = "global::Nethereum.Web3.IWeb3";
    private const string Receipt = "global::Nethereum.RPC.Eth.DTOs.TransactionReceipt";
    private const string BlockParameter = "global::Nethereum.RPC.Eth.DTOs.BlockParameter";
    private const string HexBig = "global::Nethereum.Hex.HexTypes.HexBigInteger";
    private const string Decoder = "global::AgentCluster.Evm.Errors.RevertDecoder";
    private const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"AgentCluster.Evm.BindingsGen\", \"2\")]";

    /// <summary>The hand-written base of every generated service (src/AgentCluster.Evm.Bindings/SuiteContractService.cs).</summary>
    private const string ServiceBase = "global::AgentCluster.Evm.Bindings.SuiteContractService";

    /// <summary>Members of SuiteContractService a generated member must not hide.</summary>
    private static readonly string[] ServiceBaseMembers =
    [
        "RevertDecoder", "ErrorDecoder", "TranslateReverts", "TranslateRevertsAsync", "DeployAndWaitForReceiptAsync", "DeployAsync",
        "EstimateDeploymentAsync", "ContractAddressOf", "DeployContractAndWaitForReceiptAsync", "DeployContractAsync",
        "DeployContractAndGetServiceAsync", "EstimateDeploymentGasAsync",
    ];

    // Type names that would clash with types every caller has in scope (ImplicitUsings) or with the layer's own types.
    private static readonly HashSet<string> ReservedTypeNames = new(StringComparer.Ordinal)
    {
        "Task", "Action", "Func", "Type", "Object", "String", "Attribute", "Exception", "Math", "Buffer", "Convert", "Random", "Range", "Index",
        "Version", "Environment", "Timer", "Thread", "File", "Path", "Directory", "Stream", "Tuple", "Array", "Enum", "Delegate", "Console",
        "List", "BigInteger", "Monitor", "Record", "ContractDefinition", "SuiteErrors", "SuiteContractService", "Web3", "Nethereum", "AgentCluster",
        "System", "Global",
    };

    private static readonly string[] ObjectMembers = ["Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize"];

    private readonly Dictionary<string, StructModel> _structs = new(StringComparer.Ordinal);

    /// <summary>Loads every artifact under <paramref name="artifactsDirectory"/> (out/) whose source starts with <paramref name="sourcePrefix"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such directory (forge build has not run).</exception>
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

    /// <summary>
    /// The bindings of <paramref name="artifacts"/>: one file per contract, Structs.g.cs and SuiteErrors.g.cs.
    /// <paramref name="merges"/> maps a contract to others whose ABI is also served at its address (a proxy or a contract that
    /// delegates part of its interface, such as TaskMarket and ITaskMarket): its service gets their functions, events and errors too.
    /// </summary>
    /// <exception cref="FormatException">An ABI the generator cannot map, two contracts of the same name, or a merge naming an unknown contract.</exception>
    public IReadOnlyList<GeneratedFile> Generate(IReadOnlyList<ContractArtifact> artifacts, IReadOnlyDictionary<string, IReadOnlyList<string>>? merges = null)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        _structs.Clear();
        var byName = new Dictionary<string, ContractArtifact>(StringComparer.Ordinal);
        foreach (ContractArtifact artifact in artifacts)
        {
            if (byName.TryGetValue(artifact.Name, out ContractArtifact? twin))
            {
                throw new FormatException($"Two contracts are named {artifact.Name} ({twin.SourcePath} and {artifact.SourcePath}); the bindings need distinct names.");
            }

            byName[artifact.Name] = artifact;
        }

        foreach ((string target, IReadOnlyList<string> sources) in merges ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            foreach (string name in sources.Prepend(target).Where(n => !byName.ContainsKey(n)))
            {
                throw new FormatException($"Merge {target}={string.Join(",", sources)}: there is no contract named {name} among the artifacts.");
            }
        }

        var contracts = new List<ContractModel>();
        foreach (ContractArtifact artifact in artifacts.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var items = AbiItem.List(artifact.Abi);
            if (items.Count == 0)
            {
                continue; // a library of internal functions: nothing callable
            }

            CheckSelectors(artifact, items);
            var merged = items.ToList();
            var mergedFrom = new List<ContractArtifact>();
            if (merges is not null && merges.TryGetValue(artifact.Name, out IReadOnlyList<string>? extra))
            {
                foreach (string name in extra)
                {
                    ContractArtifact other = byName[name];
                    mergedFrom.Add(other);
                    foreach (AbiItem item in AbiItem.List(other.Abi).Where(i => i.Kind is "function" or "event" or "error"))
                    {
                        if (!merged.Any(m => m.Kind == item.Kind && m.Signature == item.Signature))
                        {
                            merged.Add(item);
                        }
                    }
                }
            }

            string pascal = Naming.Pascal(artifact.Name);
            if (pascal.Length == 0 || !SyntaxFacts.IsValidIdentifier(pascal) || ReservedTypeNames.Contains(pascal))
            {
                throw new FormatException($"Contract {artifact.Name} ({artifact.SourcePath}) cannot be a C# namespace name.");
            }

            contracts.Add(new ContractModel(artifact, merged, pascal, mergedFrom));
        }

        foreach (ContractModel contract in contracts)
        {
            contract.Resolve(this);
        }

        NameStructs(contracts.Select(c => c.Name).ToHashSet(StringComparer.Ordinal));

        var files = contracts.Select(c => new GeneratedFile(c.Artifact.Name + ".g.cs", EmitContract(c))).ToList();
        files.Add(new GeneratedFile("Structs.g.cs", EmitStructs()));
        files.Add(new GeneratedFile("SuiteErrors.g.cs", EmitSuiteErrors(contracts)));
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

    /// <summary>The generator's own signatures must hash to solc's method identifiers.</summary>
    private static void CheckSelectors(ContractArtifact artifact, IReadOnlyList<AbiItem> items)
    {
        if (artifact.MethodIdentifiers.Count == 0)
        {
            return;
        }

        foreach (AbiItem f in items.Where(i => i.Kind == "function"))
        {
            if (!artifact.MethodIdentifiers.TryGetValue(f.Signature, out string? id) || id != f.Selector)
            {
                throw new FormatException($"{artifact.ArtifactPath}: the generator reads {f.Signature} (selector {f.Selector}) but solc's methodIdentifiers say {id ?? "nothing"}.");
            }
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

    private void NameStructs(HashSet<string> contractNames)
    {
        string Short(StructModel s) => Naming.Pascal(s.SolidityName[(s.SolidityName.LastIndexOf('.') + 1)..]);
        var byShort = _structs.Values.GroupBy(Short).ToDictionary(g => g.Key, g => g.Count());
        var taken = new NameScope([.. contractNames, .. ReservedTypeNames]);
        foreach (StructModel s in _structs.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string name = Short(s);
            if (byShort[name] > 1 || ReservedTypeNames.Contains(name) || contractNames.Contains(name))
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
            var fields = new NameScope([.. ObjectMembers, s.CsName]);
            for (int i = 0; i < s.Fields.Count; i++)
            {
                s.Fields[i] = (fields.Claim(Naming.Pascal(s.Components[i].Name), $"Item{i + 1}"), s.Fields[i].Type);
            }
        }
    }

    // ---- type mapping (Nethereum's) ----------------------------------------------------------------------------------------

    /// <summary>
    /// address → string, bool → bool, string → string, bytes/bytesN → byte[], uintN/intN → the smallest C# integer that holds it
    /// (byte, ushort, uint, ulong; sbyte, short, int, long) and BigInteger above 64 bits, enums → byte, T[]/T[k] → List&lt;T&gt;,
    /// tuple → the struct class, an indexed dynamic event input → string (the topic, the value's hash, as hex).
    /// </summary>
    internal string Cs(TypeRef type) => type switch
    {
        IndexedHashRef => "string",
        ElementaryRef { IsEnum: true } => "byte",
        ElementaryRef { Type: var t } when t.StartsWith("uint", StringComparison.Ordinal) => Bits(t, 4) switch
        {
            <= 8 => "byte", <= 16 => "ushort", <= 32 => "uint", <= 64 => "ulong", _ => BigInt,
        },
        ElementaryRef { Type: var t } when t.StartsWith("int", StringComparison.Ordinal) => Bits(t, 3) switch
        {
            <= 8 => "sbyte", <= 16 => "short", <= 32 => "int", <= 64 => "long", _ => BigInt,
        },
        ElementaryRef { Type: "address" or "string" } => "string",
        ElementaryRef { Type: "bool" } => "bool",
        ElementaryRef { Type: var t } when t.StartsWith("bytes", StringComparison.Ordinal) => "byte[]",
        ArrayRef a => $"{ListT}<{Cs(a.Element)}>",
        TupleRef t => $"global::{targetNamespace}.{t.Struct.CsName}",
        _ => throw new FormatException($"No C# mapping for the ABI type {type}."),
    };

    private static int Bits(string type, int prefix) =>
        int.TryParse(type.AsSpan(prefix), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bits)
            && bits is > 0 and <= 256 && bits % 8 == 0
            ? bits
            : throw new FormatException($"Not an ABI integer type: {type}.");

    private static bool IsValueType(string cs) => cs is "bool" or "byte" or "ushort" or "uint" or "ulong" or "sbyte" or "short" or "int" or "long" or BigInt;

    private static string Init(string cs) => IsValueType(cs) ? "" : " = null!;";

    // ---- emission ----------------------------------------------------------------------------------------------------------

    private static string Header(string source) =>
        $"// <auto-generated>\n// Generated by AgentCluster.Evm.BindingsGen from {source}. Do not edit: change the contracts and rebuild.\n// </auto-generated>\n#nullable enable\n\n";

    private void EmitProperty(CodeWriter w, AbiParam p, string property, TypeRef type, int order, bool eventInput = false)
    {
        string cs = Cs(type);
        string indexed = eventInput ? (p.Indexed ? ", true" : ", false") : "";
        string what = string.IsNullOrEmpty(p.Name) ? $"Value {order}" : $"<c>{Naming.Xml(p.Name)}</c>";
        w.Line($"/// <summary>{what} (Solidity <c>{Naming.Xml(p.Type)}</c>{(eventInput && p.Indexed ? ", indexed" : "")}).</summary>");
        w.Line($"[{Attr}.Parameter({Naming.Literal(p.Type)}, {Naming.Literal(p.Name)}, {order}{indexed})]");
        w.Line($"public virtual {cs} {property} {{ get; set; }}{Init(cs)}");
    }

    private string EmitStructs()
    {
        var w = new CodeWriter();
        w.Open($"namespace {targetNamespace}");
        bool first = true;
        foreach (StructModel s in _structs.Values.OrderBy(s => s.CsName, StringComparer.Ordinal))
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Line($"/// <summary>Solidity struct <c>{Naming.Xml(s.SolidityName)}</c>: <c>{s.Canonical}</c>.</summary>");
            w.Line(GeneratedCode);
            w.Line($"[{Attr}.Struct({Naming.Literal(s.SolidityName[(s.SolidityName.LastIndexOf('.') + 1)..])})]");
            w.Open($"public partial class {s.CsName}");
            for (int i = 0; i < s.Fields.Count; i++)
            {
                if (i > 0)
                {
                    w.Line();
                }

                EmitProperty(w, s.Components[i], s.Fields[i].Property, s.Fields[i].Type, i + 1);
            }

            w.Close();
        }

        w.Close();
        return Header("the structs of the contracts' ABIs") + w;
    }

    private string EmitSuiteErrors(IReadOnlyList<ContractModel> contracts)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var types = new List<string>();
        foreach (ContractModel c in contracts)
        {
            foreach (ErrorModel e in c.Errors.Where(e => seen.Add(e.Item.Selector)))
            {
                types.Add($"typeof({c.DefinitionNs(targetNamespace)}.{e.ClassName})");
            }
        }

        var w = new CodeWriter();
        w.Open($"namespace {targetNamespace}");
        w.Line("/// <summary>");
        w.Line("/// Every custom error of the suite's contracts, one error DTO type per selector: a revert that bubbles up from a callee still");
        w.Line("/// decodes by name. <see cref=\"Decoder\"/> turns revert data, or the exception Nethereum threw for a revert, into a typed");
        w.Line("/// <see cref=\"global::AgentCluster.Evm.Errors.ContractRevertException\"/> (Error(string), Panic(uint256) and these errors).");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open("public static class SuiteErrors");
        w.Line("/// <summary>The error DTO types, the first contract's (by name) where several declare the same error.</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{TypeT}> ErrorTypes {{ get; }} = new {TypeT}[]");
        w.Line("{");
        foreach (string t in types)
        {
            w.Line($"    {t},");
        }

        w.Line("};");
        w.Line();
        w.Line("/// <summary>A revert decoder over <see cref=\"ErrorTypes\"/>.</summary>");
        w.Line($"public static {Decoder} Decoder {{ get; }} = new {Decoder}(ErrorTypes);");
        w.Close();
        w.Close();
        return Header("every contract's custom errors") + w;
    }

    private static string Doc(ContractModel c, string key, string fallback) =>
        c.Notices.TryGetValue(key, out string? notice) ? $"/// <summary>{Naming.Xml(notice)}</summary>" : $"/// <summary>{fallback}</summary>";

    private string EmitContract(ContractModel c)
    {
        ContractArtifact a = c.Artifact;
        string defNs = c.DefinitionNs(targetNamespace);
        var w = new CodeWriter();
        w.Open($"namespace {defNs.Replace("global::", "", StringComparison.Ordinal)}");
        bool first = true;
        void Gap()
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
        }

        if (c.Deployable)
        {
            Gap();
            w.Line($"/// <summary>The deployment of <c>{a.Name}</c>: its creation bytecode and constructor arguments.</summary>");
            w.Line(GeneratedCode);
            w.Open($"public partial class {c.DeploymentClass} : global::Nethereum.Contracts.ContractDeploymentMessage");
            w.Line($"/// <summary>The creation bytecode from {Naming.Xml(a.ArtifactPath)}.</summary>");
            w.Line($"public const string BYTECODE = {Naming.Literal(a.Bytecode!)};");
            w.Line();
            w.Line($"/// <summary>A deployment of <c>{a.Name}</c> with the artifact's bytecode.</summary>");
            w.Open($"public {c.DeploymentClass}() : base(BYTECODE)");
            w.Close();
            w.Line();
            w.Line($"/// <summary>A deployment of <c>{a.Name}</c> with other (e.g. linked) bytecode.</summary>");
            w.Open($"public {c.DeploymentClass}(string byteCode) : base(byteCode)");
            w.Close();
            for (int i = 0; i < c.Constructor.Count; i++)
            {
                w.Line();
                EmitProperty(w, c.Constructor[i].Param, c.Constructor[i].Property, c.Constructor[i].Type, i + 1);
            }

            w.Close();
        }

        foreach (FunctionModel f in c.Functions)
        {
            Gap();
            w.Line(Doc(c, "method:" + f.Item.Signature, $"<c>{Naming.Xml(f.Item.Signature)}</c> ({f.Item.StateMutability}), selector 0x{f.Item.Selector}."));
            w.Line(GeneratedCode);
            string returns = f.OutputClass.Length > 0 ? $", typeof({f.OutputClass})"
                : f.Outputs.Count == 1 ? ", " + Naming.Literal(f.Item.Outputs[0].Type) : "";
            w.Line($"[{Attr}.Function({Naming.Literal(f.Item.Name)}{returns})]");
            w.Open($"public partial class {f.ClassName} : global::Nethereum.Contracts.FunctionMessage");
            for (int i = 0; i < f.Inputs.Count; i++)
            {
                if (i > 0)
                {
                    w.Line();
                }

                EmitProperty(w, f.Inputs[i].Param, f.Inputs[i].Property, f.Inputs[i].Type, i + 1);
            }

            w.Close();
            if (f.OutputClass.Length > 0)
            {
                w.Line();
                w.Line($"/// <summary>The return values of <c>{Naming.Xml(f.Item.Signature)}</c>.</summary>");
                w.Line(GeneratedCode);
                w.Line($"[{Attr}.FunctionOutput]");
                w.Open($"public partial class {f.OutputClass} : {Attr}.IFunctionOutputDTO");
                for (int i = 0; i < f.Outputs.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Line();
                    }

                    EmitProperty(w, f.Outputs[i].Param, f.Outputs[i].Property, f.Outputs[i].Type, i + 1);
                }

                w.Close();
            }
        }

        foreach (EventModel e in c.Events)
        {
            Gap();
            w.Line(Doc(c, "event:" + e.Item.Signature, $"Event <c>{Naming.Xml(e.Item.Signature)}</c>."));
            if (e.Fields.Any(f => f.Type is IndexedHashRef))
            {
                w.Line("/// <remarks>An indexed string, bytes or array is only its Keccak-256 hash in the log: that input is the topic, as hex.</remarks>");
            }

            w.Line(GeneratedCode);
            w.Line($"[{Attr}.Event({Naming.Literal(e.Item.Name)})]");
            w.Open($"public partial class {e.ClassName} : {Attr}.IEventDTO");
            for (int i = 0; i < e.Fields.Count; i++)
            {
                if (i > 0)
                {
                    w.Line();
                }

                EmitProperty(w, e.Fields[i].Param, e.Fields[i].Property, e.Fields[i].Type, i + 1, eventInput: true);
            }

            w.Close();
        }

        foreach (ErrorModel e in c.Errors)
        {
            Gap();
            w.Line(Doc(c, "error:" + e.Item.Signature, $"Custom error <c>{Naming.Xml(e.Item.Signature)}</c>, selector 0x{e.Item.Selector}."));
            w.Line(GeneratedCode);
            w.Line($"[{Attr}.Error({Naming.Literal(e.Item.Name)})]");
            w.Open($"public partial class {e.ClassName} : {Attr}.IErrorDTO");
            for (int i = 0; i < e.Fields.Count; i++)
            {
                if (i > 0)
                {
                    w.Line();
                }

                EmitProperty(w, e.Fields[i].Param, e.Fields[i].Property, e.Fields[i].Type, i + 1);
            }

            w.Close();
        }

        w.Close();
        w.Line();
        EmitService(w, c, defNs);
        return Header(a.ArtifactPath) + w;
    }

    private void EmitService(CodeWriter w, ContractModel c, string defNs)
    {
        ContractArtifact a = c.Artifact;
        string svc = c.ServiceClass;
        w.Open($"namespace {targetNamespace}.{c.Name}");
        string notice = c.Notices.TryGetValue("contract", out string? n) ? " " + Naming.Xml(n) : "";
        string merged = c.MergedFrom.Count == 0 ? ""
            : $" Also carries the ABI of {string.Join(", ", c.MergedFrom.Select(m => $"<c>{m.Name}</c>"))}, served at the same address.";
        w.Line($"/// <summary>Typed service of <c>{a.Name}</c> ({Naming.Xml(a.SourcePath)}).{notice}{merged}</summary>");
        w.Line("/// <remarks>Every method that reaches the chain rethrows a revert as a typed ContractRevertException (see <see cref=\"ErrorDecoder\"/>).</remarks>");
        w.Line(GeneratedCode);
        w.Open($"public partial class {svc} : {ServiceBase}");
        w.Line("/// <summary>This contract's errors, then every other error of the suite (a revert can bubble up from a callee).</summary>");
        w.Line($"public static {Decoder} ErrorDecoder {{ get; }} = global::{targetNamespace}.SuiteErrors.Decoder.With(new {TypeT}[] {{ {string.Join(", ", c.Errors.Select(e => $"typeof({defNs}.{e.ClassName})"))} }});");
        w.Line();
        w.Line($"/// <summary>The service of the <c>{a.Name}</c> at <paramref name=\"contractAddress\"/>, sending through <paramref name=\"web3\"/>.</summary>");
        w.Line($"public {svc}({Web3} web3, string contractAddress) : base(web3, contractAddress)");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"protected override {Decoder} RevertDecoder => ErrorDecoder;");

        if (c.Deployable)
        {
            string dep = $"{defNs}.{c.DeploymentClass}";
            string arg = Naming.Escape(Naming.Camel(c.DeploymentClass));
            w.Line();
            w.Line($"/// <summary>Deploys <c>{a.Name}</c> and waits for the receipt (a constructor revert is a typed ContractRevertException).</summary>");
            w.Line($"public static {Task}<{Receipt}> DeployContractAndWaitForReceiptAsync({Web3} web3, {dep} {arg}, {Ct} cancellationToken = default) =>");
            w.Line($"    DeployAndWaitForReceiptAsync(web3, {arg}, ErrorDecoder, cancellationToken);");
            w.Line();
            w.Line($"/// <summary>Sends the deployment of <c>{a.Name}</c>; the transaction hash.</summary>");
            w.Line($"public static {Task}<string> DeployContractAsync({Web3} web3, {dep} {arg}) =>");
            w.Line($"    DeployAsync(web3, {arg}, ErrorDecoder);");
            w.Line();
            w.Line($"/// <summary>Deploys <c>{a.Name}</c>, waits for the receipt and returns a service at the new address (a failed deployment throws).</summary>");
            w.Line($"public static async {Task}<{svc}> DeployContractAndGetServiceAsync({Web3} web3, {dep} {arg}, {Ct} cancellationToken = default) =>");
            w.Line($"    new {svc}(web3, ContractAddressOf(await DeployContractAndWaitForReceiptAsync(web3, {arg}, cancellationToken).ConfigureAwait(false), {Naming.Literal(a.Name)}));");
            w.Line();
            w.Line($"/// <summary>Estimates the gas of the deployment of <c>{a.Name}</c>.</summary>");
            w.Line($"public static {Task}<{HexBig}> EstimateDeploymentGasAsync({Web3} web3, {dep} {arg}) =>");
            w.Line($"    EstimateDeploymentAsync(web3, {arg}, ErrorDecoder);");
        }

        foreach (FunctionModel f in c.Functions)
        {
            EmitServiceFunction(w, c, f, defNs);
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override {ListT}<{TypeT}> GetAllFunctionTypes() => new {ListT}<{TypeT}> {{ {string.Join(", ", c.Functions.Select(f => $"typeof({defNs}.{f.ClassName})"))} }};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override {ListT}<{TypeT}> GetAllEventTypes() => new {ListT}<{TypeT}> {{ {string.Join(", ", c.Events.Select(e => $"typeof({defNs}.{e.ClassName})"))} }};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override {ListT}<{TypeT}> GetAllErrorTypes() => new {ListT}<{TypeT}> {{ {string.Join(", ", c.Errors.Select(e => $"typeof({defNs}.{e.ClassName})"))} }};");
        w.Close();
        w.Close();
    }

    private void EmitServiceFunction(CodeWriter w, ContractModel c, FunctionModel f, string defNs)
    {
        string msg = $"{defNs}.{f.ClassName}";
        string m = f.MessageArgument;
        string positional = string.Concat(f.Inputs.Select(p => $"{Cs(p.Type)} {p.Argument}, "));
        string doc = Doc(c, "method:" + f.Item.Signature, $"<c>{Naming.Xml(f.Item.Signature)}</c>.");

        void Build()
        {
            w.Line($"var {m} = new {msg}();");
            foreach (InputModel p in f.Inputs)
            {
                w.Line($"{m}.{p.Property} = {p.Argument};");
            }
        }

        if (f.Item.IsReadOnly || f.SimulateName.Length > 0)
        {
            string returnType;
            string call;
            string name = f.Item.IsReadOnly ? f.QueryName : f.SimulateName;
            if (f.OutputClass.Length > 0)
            {
                returnType = $"{Task}<{defNs}.{f.OutputClass}>";
                call = $"TranslateRevertsAsync(() => ContractHandler.QueryDeserializingToObjectAsync<{msg}, {defNs}.{f.OutputClass}>({m}, blockParameter))";
            }
            else if (f.Outputs.Count == 1)
            {
                returnType = $"{Task}<{Cs(f.Outputs[0].Type)}>";
                call = $"TranslateRevertsAsync(() => ContractHandler.QueryAsync<{msg}, {Cs(f.Outputs[0].Type)}>({m}, blockParameter))";
            }
            else
            {
                returnType = Task;
                call = $"TranslateRevertsAsync(() => ContractHandler.QueryRawAsync<{msg}>({m}, blockParameter))";
            }

            string remark = f.Item.IsReadOnly ? ""
                : "/// <remarks>Simulates the transaction with eth_call from the sending account: its return values, or the revert as a typed exception; nothing is sent.</remarks>\n";
            w.Line();
            w.Line(doc);
            if (remark.Length > 0)
            {
                w.Line(remark.TrimEnd('\n'));
            }

            w.Line($"public virtual {returnType} {name}({msg} {m}, {BlockParameter}? blockParameter = null) =>");
            w.Line($"    {call};");
            w.Line();
            w.Line(doc);
            if (remark.Length > 0)
            {
                w.Line(remark.TrimEnd('\n'));
            }

            w.Open($"public virtual {returnType} {name}({positional}{BlockParameter}? blockParameter = null)");
            Build();
            w.Line($"return {name}({m}, blockParameter);");
            w.Close();
            if (f.Item.IsReadOnly)
            {
                return;
            }
        }

        w.Line();
        w.Line(doc);
        w.Line("/// <remarks>Sends the transaction; the hash. Nethereum estimates the gas first, so a revert throws before anything is sent.</remarks>");
        w.Line($"public virtual {Task}<string> {f.RequestName}({msg} {m}) =>");
        w.Line($"    TranslateRevertsAsync(() => ContractHandler.SendRequestAsync({m}));");
        w.Line();
        w.Line(doc);
        w.Line("/// <remarks>Sends the transaction; the hash. Nethereum estimates the gas first, so a revert throws before anything is sent.</remarks>");
        w.Open($"public virtual {Task}<string> {f.RequestName}({positional.TrimEnd(' ', ',')})");
        Build();
        w.Line($"return {f.RequestName}({m});");
        w.Close();
        w.Line();
        w.Line(doc);
        w.Line("/// <remarks>Sends the transaction and waits for its receipt (check its Status: a transaction mined as failed does not throw).</remarks>");
        w.Line($"public virtual {Task}<{Receipt}> {f.RequestAndWaitName}({msg} {m}, {Ct} cancellationToken = default) =>");
        w.Line($"    TranslateRevertsAsync(() => ContractHandler.SendRequestAndWaitForReceiptAsync({m}, cancellationToken));");
        w.Line();
        w.Line(doc);
        w.Line("/// <remarks>Sends the transaction and waits for its receipt (check its Status: a transaction mined as failed does not throw).</remarks>");
        w.Open($"public virtual {Task}<{Receipt}> {f.RequestAndWaitName}({positional}{Ct} cancellationToken = default)");
        Build();
        w.Line($"return {f.RequestAndWaitName}({m}, cancellationToken);");
        w.Close();
        w.Line();
        w.Line($"/// <summary>Estimates the gas of <c>{Naming.Xml(f.Item.Signature)}</c> (a revert is a typed ContractRevertException).</summary>");
        w.Line($"public virtual {Task}<{HexBig}> {f.EstimateName}({msg} {m}) =>");
        w.Line($"    TranslateRevertsAsync(() => ContractHandler.EstimateGasAsync({m}));");
    }

    // ---- per-contract model: names decided once, before any text is written ---------------------------------------------

    internal sealed record InputModel(AbiParam Param, string Property, string Argument, TypeRef Type);

    internal sealed record FunctionModel(AbiItem Item, string ClassName, string OutputClass, string QueryName, string SimulateName, string RequestName,
        string RequestAndWaitName, string EstimateName, string MessageArgument, IReadOnlyList<InputModel> Inputs, IReadOnlyList<InputModel> Outputs);

    internal sealed record EventModel(AbiItem Item, string ClassName, IReadOnlyList<InputModel> Fields);

    internal sealed record ErrorModel(AbiItem Item, string ClassName, IReadOnlyList<InputModel> Fields);

    internal sealed class ContractModel(ContractArtifact artifact, IReadOnlyList<AbiItem> items, string name, IReadOnlyList<ContractArtifact> mergedFrom)
    {
        private static readonly string[] MessageMembers = MembersOf(typeof(Nethereum.Contracts.FunctionMessage));
        private static readonly string[] DeploymentMembers = MembersOf(typeof(Nethereum.Contracts.ContractDeploymentMessage));
        private static readonly string[] ServiceMembers = MembersOf(typeof(Nethereum.Web3.ContractWeb3ServiceBase));

        public ContractArtifact Artifact { get; } = artifact;

        public IReadOnlyList<AbiItem> Items { get; } = items;

        public IReadOnlyList<ContractArtifact> MergedFrom { get; } = mergedFrom;

        /// <summary>The contract's name in C# (namespace and class prefix).</summary>
        public string Name { get; } = name;

        public string ServiceClass => Name + "Service";

        public string DeploymentClass => Name + "Deployment";

        /// <summary>NatSpec notices of the contract and of the merged ones (the contract's own first).</summary>
        public IReadOnlyDictionary<string, string> Notices { get; } = CombineNotices(artifact, mergedFrom);

        public bool Deployable => Artifact.Bytecode is not null && !Artifact.NeedsLinking;

        public List<InputModel> Constructor { get; } = [];

        public List<FunctionModel> Functions { get; } = [];

        public List<EventModel> Events { get; } = [];

        public List<ErrorModel> Errors { get; } = [];

        public string DefinitionNs(string root) => $"global::{root}.{Name}.ContractDefinition";

        private static Dictionary<string, string> CombineNotices(ContractArtifact artifact, IReadOnlyList<ContractArtifact> others)
        {
            var notices = new Dictionary<string, string>(artifact.Notices, StringComparer.Ordinal);
            foreach (var pair in others.SelectMany(o => o.Notices).Where(p => p.Key != "contract"))
            {
                notices.TryAdd(pair.Key, pair.Value);
            }

            return notices;
        }

        private static string[] MembersOf(Type type) =>
            type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy)
                .Select(m => m.Name).Where(n => !n.Contains('.', StringComparison.Ordinal) && !n.Contains('<', StringComparison.Ordinal))
                .Concat(ObjectMembers).Distinct(StringComparer.Ordinal).ToArray();

        public void Resolve(BindingsGenerator generator)
        {
            // One namespace: the deployment, function messages, output DTOs, event and error DTOs share it.
            var types = new NameScope([DeploymentClass, .. ReservedTypeNames]);
            if (Deployable && Items.FirstOrDefault(i => i.Kind == "constructor") is { } ctor)
            {
                Constructor.AddRange(Inputs(generator, ctor.Inputs, $"{Name}Constructor", [.. DeploymentMembers, DeploymentClass, "BYTECODE"], []));
            }

            var serviceMembers = new NameScope([.. ServiceMembers, .. ServiceBaseMembers, ServiceClass, "GetAllFunctionTypes", "GetAllEventTypes", "GetAllErrorTypes"]);
            var functions = Items.Where(i => i.Kind == "function").ToArray();
            var overloadIndex = functions.GroupBy(f => f.Name)
                .SelectMany(g => g.OrderBy(f => f.Inputs.Count).ThenBy(f => f.Signature, StringComparer.Ordinal).Select((f, i) => (f, i)))
                .ToDictionary(x => x.f, x => x.i);
            foreach (AbiItem f in functions)
            {
                string baseName = Naming.Pascal(f.Name) is { Length: > 0 } p && SyntaxFacts.IsValidIdentifier(p) ? p : "Function";
                if (overloadIndex[f] > 0)
                {
                    baseName += overloadIndex[f] + 1; // overloads: quorumNumerator() → QuorumNumerator, quorumNumerator(uint256) → QuorumNumerator2
                }

                string className = types.Claim(baseName + "Function");
                string message = Naming.Camel(className);
                var inputs = Inputs(generator, f.Inputs, Name + baseName, [.. MessageMembers, className], ["blockParameter", "cancellationToken", message]);
                var outputTypes = f.Outputs.Select(o => TypeRef.Of(o, t => generator.StructOf(t, Name + baseName + Naming.Pascal(o.Name) + "Result"))).ToArray();
                bool dto = f.Outputs.Count > 1 || outputTypes.Any(t => t.ContainsTuple);
                string outputClass = dto ? types.Claim(baseName + "OutputDTO") : "";
                var outputScope = new NameScope([.. ObjectMembers, outputClass]);
                var outputs = f.Outputs.Select((o, i) => new InputModel(o, outputScope.Claim(Naming.Pascal(o.Name), $"ReturnValue{i + 1}"), "", outputTypes[i])).ToArray();
                string query = f.IsReadOnly ? serviceMembers.Claim(baseName + "QueryAsync") : "";
                string simulate = f.IsReadOnly || f.Outputs.Count == 0 ? "" : serviceMembers.Claim(baseName + "SimulateAsync");
                string request = f.IsReadOnly ? "" : serviceMembers.Claim(baseName + "RequestAsync");
                string wait = f.IsReadOnly ? "" : serviceMembers.Claim(baseName + "RequestAndWaitForReceiptAsync");
                string estimate = f.IsReadOnly ? "" : serviceMembers.Claim(baseName + "EstimateGasAsync");
                Functions.Add(new FunctionModel(f, className, outputClass, query, simulate, request, wait, estimate, message, inputs, outputs));
            }

            foreach (AbiItem e in Items.Where(i => i.Kind == "event"))
            {
                if (e.Anonymous)
                {
                    throw new FormatException($"{Artifact.ArtifactPath}: event {e.Signature} is anonymous; Nethereum's event DTOs find events by topic 0, which it lacks.");
                }

                if (e.Inputs.FirstOrDefault(p => p.Indexed && p.BaseType == "tuple") is { } tuple)
                {
                    throw new FormatException($"{Artifact.ArtifactPath}: event {e.Signature} indexes the struct input '{tuple.Name}'; Nethereum's event DTOs can neither "
                        + "describe its signature with a hash-typed property nor decode its topic into the struct.");
                }

                string className = types.Claim(Naming.Pascal(e.Name) + "EventDTO");
                var scope = new NameScope([.. ObjectMembers, className]);
                var fields = e.Inputs.Select((p, i) => new InputModel(p, scope.Claim(Naming.Pascal(p.Name), $"Arg{i}"), "",
                    p.Indexed && p.IsHashedWhenIndexed ? new IndexedHashRef()
                        : TypeRef.Of(p, t => generator.StructOf(t, Name + Naming.Pascal(e.Name) + Naming.Pascal(p.Name))))).ToArray();
                Events.Add(new EventModel(e, className, fields));
            }

            foreach (AbiItem e in Items.Where(i => i.Kind == "error"))
            {
                string className = types.Claim(Naming.Pascal(e.Name) + "Error");
                Errors.Add(new ErrorModel(e, className, Inputs(generator, e.Inputs, Name + Naming.Pascal(e.Name), [.. ObjectMembers, className], [])));
            }
        }

        private static InputModel[] Inputs(BindingsGenerator generator, IReadOnlyList<AbiParam> ps, string context, string[] reservedProperties, string[] reservedArguments)
        {
            var properties = new NameScope(reservedProperties);
            var arguments = new NameScope(reservedArguments);
            return ps.Select((p, i) => new InputModel(p, properties.Claim(Naming.Pascal(p.Name), $"Arg{i}"),
                Naming.Escape(arguments.Claim(Naming.Camel(p.Name), $"arg{i}")),
                TypeRef.Of(p, t => generator.StructOf(t, context + Naming.Pascal(p.Name))))).ToArray();
        }
    }
}
