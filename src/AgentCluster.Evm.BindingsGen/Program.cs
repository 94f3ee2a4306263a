using AgentCluster.Evm.BindingsGen;

// Build step of AgentCluster.Evm.Bindings (see its csproj): generates the typed contract bindings from Foundry artifacts.
//   AgentCluster.Evm.BindingsGen --artifacts out/ --output obj/.../ContractBindings/ [--source-prefix contracts/evm/] [--namespace N]
// Files whose text did not change are left alone (the compiler stays incremental); files of contracts that are gone are deleted.
string? artifacts = null, output = null, prefix = "contracts/evm/", ns = "AgentCluster.Evm.Bindings";
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--artifacts": artifacts = Value(); break;
        case "--output": output = Value(); break;
        case "--source-prefix": prefix = Value(); break;
        case "--namespace": ns = Value(); break;
        default:
            Console.Error.WriteLine($"AgentCluster.Evm.BindingsGen: unknown argument '{args[i]}' (known: --artifacts, --output, --source-prefix, --namespace)");
            return 2;
    }
}

if (artifacts is null || output is null)
{
    Console.Error.WriteLine("usage: AgentCluster.Evm.BindingsGen --artifacts <forge out/> --output <dir> [--source-prefix contracts/evm/] [--namespace N]");
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

    var files = new BindingsGenerator(ns).Generate(selected);
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
