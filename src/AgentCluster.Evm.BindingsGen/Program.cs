using AgentCluster.Evm.BindingsGen;

// Build step of AgentCluster.Evm.Bindings (see its csproj): generates the typed contract bindings from Foundry artifacts.
//   AgentCluster.Evm.BindingsGen --artifacts out/ --output obj/.../ContractBindings/ [--source-prefix contracts/evm/] [--namespace N]
//   [--merge TaskMarket=ITaskMarket]
// Files whose text did not change are left alone (the compiler stays incremental); files of contracts that are gone are deleted.
string? artifacts = null, output = null, prefix = "contracts/evm/", ns = "AgentCluster.Evm.Bindings";
var merges = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--artifacts": artifacts = Value(); break;
        case "--output": output = Value(); break;
        case "--source-prefix": prefix = Value(); break;
        case "--namespace": ns = Value(); break;
        case "--merge":
            // --merge TaskMarket=ITaskMarket[,Other]: TaskMarket's service also carries ITaskMarket's ABI (served at the same address).
            string merge = Value();
            int eq = merge.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == merge.Length - 1)
            {
                Console.Error.WriteLine($"AgentCluster.Evm.BindingsGen: --merge wants Contract=Other[,Other2], not '{merge}'");
                return 2;
            }

            merges[merge[..eq]] = merge[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            break;
        default:
            Console.Error.WriteLine($"AgentCluster.Evm.BindingsGen: unknown argument '{args[i]}' (known: --artifacts, --output, --source-prefix, --namespace, --merge)");
            return 2;
    }
}

if (artifacts is null || output is null)
{
    Console.Error.WriteLine("usage: AgentCluster.Evm.BindingsGen --artifacts <forge out/> --output <dir> [--source-prefix contracts/evm/] [--namespace N] [--merge Contract=Other,...]");
    return 2;
}

try
{
    var selected = BindingsGenerator.LoadArtifacts(artifacts, prefix);
    if (selected.Count == 0)
    {
        Console.Error.WriteLine($"error BINDGEN1: no artifact in {artifacts} comes from a source under {prefix}: run `forge build` in the repository root.");
        return 1;
    }

    var files = new BindingsGenerator(ns).Generate(selected, merges);
    Directory.CreateDirectory(output);
    var written = new HashSet<string>(StringComparer.Ordinal);
    int changed = 0;
    foreach (GeneratedFile file in files)
    {
        string path = Path.Combine(output, file.FileName);
        written.Add(Path.GetFullPath(path));
        if (!File.Exists(path) || File.ReadAllText(path) != file.Text)
        {
            File.WriteAllText(path, file.Text);
            changed++;
        }
    }

    foreach (string stale in Directory.EnumerateFiles(output, "*.g.cs").Where(f => !written.Contains(Path.GetFullPath(f))))
    {
        File.Delete(stale);
        changed++;
    }

    Console.WriteLine($"AgentCluster.Evm.BindingsGen: {files.Count - 2} contract binding(s) from {artifacts}, {changed} file(s) changed.");
    return 0;
}
catch (Exception e) when (e is FormatException or IOException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error BINDGEN2: {e.Message}");
    return 1;
}
