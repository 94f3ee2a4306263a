using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AgentCluster.Packaging.Tests;

/// <summary>
/// Packs with scripts/pack into a temporary feed and checks what an agent developer gets: the packages' metadata, contents and
/// dependencies, the SDK README's first C# block compiling against the package, the samples passing against the packages outside
/// the checkout (so AgentCluster.Testing runs on its packaged deployment), and the CLI installed as a .NET tool.
/// Everything restores into a temporary packages folder: the machine's NuGet cache is read as a source, never written.
/// </summary>
[TestFixture]
[Category("Packaging")]
[NonParallelizable]
public sealed class PackagesTests
{
    private const string Version = "0.1.0";
    private static readonly string[] Libraries = ["AgentCluster.Evm", "AgentCluster.Evm.Bindings", "AgentCluster.Solana", "AgentCluster.Sdk", "AgentCluster.Testing"];
    private static readonly string[] Packages = [.. Libraries, "AgentCluster.Cli"];

    private string _root = null!;
    private string _work = null!;
    private string _feed = null!;
    private string _packagesFolder = null!;
    private string _nugetConfig = null!;
    private Dictionary<string, string> _environment = null!;

    [OneTimeSetUp]
    public async Task Pack()
    {
        _root = FindRoot();
        _work = Directory.CreateTempSubdirectory("agentcluster-packaging-").FullName;
        _feed = Path.Combine(_work, "feed");
        _packagesFolder = Path.Combine(_work, "packages");
        Processes.Result pack = await Processes.RunAsync(Path.Combine(_root, "scripts", "pack"), ["--output", _feed], _root, TimeSpan.FromMinutes(20));
        Assert.That(pack.ExitCode, Is.Zero, pack.Tail);
        foreach (string id in Packages)
        {
            Assert.That(pack.Output, Does.Contain(Path.Combine(_feed, $"{id}.{Version}.nupkg")), "scripts/pack prints the path of " + id);
        }

        _nugetConfig = Path.Combine(_work, "NuGet.config");
        WriteNuGetConfig(_nugetConfig, _feed);
        _environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _packagesFolder,
        };
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_work is not null && TestContext.CurrentContext.Result.FailCount == 0)
        {
            try
            {
                Directory.Delete(_work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Test]
    public void Every_package_has_its_id_version_license_readme_and_the_commit_it_was_built_from()
    {
        string head = Git("rev-parse", "HEAD");
        foreach (string id in Packages)
        {
            using ZipArchive nupkg = Open(id);
            XElement metadata = Nuspec(nupkg);
            Assert.That(Get(metadata, "id"), Is.EqualTo(id));
            Assert.That(Get(metadata, "version"), Is.EqualTo(Version));
            Assert.That(Get(metadata, "license"), Is.EqualTo("MIT"), id);
            Assert.That(Get(metadata, "description"), Is.Not.Empty, id);
            Assert.That(Get(metadata, "authors"), Is.Not.Empty, id);
            Assert.That(Get(metadata, "tags"), Does.Contain("agentcluster"), id);
            XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.That(repository.Attribute("type")?.Value, Is.EqualTo("git"), id);
            Assert.That(repository.Attribute("url")?.Value, Does.StartWith("https://"), id);
            Assert.That(repository.Attribute("commit")?.Value, Is.EqualTo(head), $"{id} is stamped with the commit it was packed from");
            string readme = Get(metadata, "readme");
            Assert.That(readme, Is.EqualTo("README.md"), id);
            Assert.That(Text(nupkg, readme), Does.Contain("AgentCluster"), id);
            Assert.That(File.Exists(Path.Combine(_feed, $"{id}.{Version}.snupkg")), Is.True, $"{id} has a symbols package");
        }
    }

    [Test]
    public void Project_references_became_dependencies_on_the_packages_of_the_same_version()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["AgentCluster.Evm"] = [],
            ["AgentCluster.Evm.Bindings"] = ["AgentCluster.Evm"],
            ["AgentCluster.Solana"] = [],
            ["AgentCluster.Sdk"] = ["AgentCluster.Evm", "AgentCluster.Evm.Bindings", "AgentCluster.Solana"],
            ["AgentCluster.Testing"] = ["AgentCluster.Sdk", "AgentCluster.Solana"],
        };
        foreach ((string id, string[] ours) in expected)
        {
            using ZipArchive nupkg = Open(id);
            var dependencies = Nuspec(nupkg).Descendants().Where(e => e.Name.LocalName == "dependency")
                .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
            Assert.That(dependencies.Keys.Where(k => k.StartsWith("AgentCluster.", StringComparison.Ordinal)), Is.EquivalentTo(ours), id);
            Assert.That(ours.Select(d => dependencies[d]), Is.All.EqualTo(Version), id);
        }

        using ZipArchive testing = Open("AgentCluster.Testing");
        Assert.That(Nuspec(testing).Descendants().Any(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "Testcontainers"), Is.True);
    }

    [Test]
    public void Libraries_carry_their_assembly_and_its_xml_documentation()
    {
        foreach (string id in Libraries)
        {
            using ZipArchive nupkg = Open(id);
            Assert.That(nupkg.GetEntry($"lib/net10.0/{id}.dll"), Is.Not.Null, id);
            XDocument docs = XDocument.Parse(Text(nupkg, $"lib/net10.0/{id}.xml"));
            Assert.That(docs.Root?.Element("assembly")?.Element("name")?.Value, Is.EqualTo(id));
            Assert.That(docs.Descendants("member").Count(), Is.GreaterThan(10), $"{id} documents its members");
        }

        // The generated bindings are compiled into the packed assembly (generated at build time, not checked in).
        string[] types = TypeNames(Bytes(Open("AgentCluster.Evm.Bindings"), "lib/net10.0/AgentCluster.Evm.Bindings.dll"));
        Assert.That(types, Is.SupersetOf(new[] { "AccTokenService", "AgentRegistryService", "StakingService", "TaskMarketService", "AgentClusterGovernorService" }));
    }

    [Test]
    public void The_testing_package_embeds_the_default_deployment_and_the_one_with_the_test_attestor()
    {
        byte[] dll = Bytes(Open("AgentCluster.Testing"), "lib/net10.0/AgentCluster.Testing.dll");
        var context = new AssemblyLoadContext("packaged-testing", isCollectible: true);
        try
        {
            using Stream? resource = context.LoadFromStream(new MemoryStream(dll)).GetManifestResourceStream("AgentCluster.Testing.PackagedDeployment.json.gz");
            Assert.That(resource, Is.Not.Null, "the embedded deployment");
            using var gzip = new GZipStream(resource!, CompressionMode.Decompress);
            using JsonDocument doc = JsonDocument.Parse(gzip);
            Assert.That(doc.RootElement.GetProperty("format").GetInt32(), Is.EqualTo(1));
            JsonElement[] deployments = [.. doc.RootElement.GetProperty("deployments").EnumerateArray()];
            Assert.That(deployments.Select(d => d.GetProperty("environment").GetRawText()),
                Is.EquivalentTo(new[] { "{}", "{\"AC_ATTESTORS\":\"0xa0Ee7A142d267C1f36714E4a8F75612F20a79720\"}" }));
            foreach (JsonElement d in deployments)
            {
                Assert.That(d.GetProperty("chainId").GetUInt64(), Is.EqualTo(31337));
                Assert.That(d.GetProperty("manifest").GetProperty("contracts").EnumerateObject().Select(p => p.Name),
                    Does.Contain("AgentRegistry").And.Contain("TaskMarket").And.Contain("AccToken"));
                Assert.That(d.GetProperty("state").GetString(), Does.StartWith("0x"));
                Assert.That(d.GetProperty("block").GetUInt64(), Is.GreaterThan(0));
            }
        }
        finally
        {
            context.Unload();
        }
    }

    [Test]
    public void The_cli_package_is_a_dotnet_tool_named_agentcluster()
    {
        using ZipArchive nupkg = Open("AgentCluster.Cli");
        Assert.That(Nuspec(nupkg).Descendants().Any(e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool"), Is.True);
        XElement command = XDocument.Parse(Text(nupkg, "tools/net10.0/any/DotnetToolSettings.xml")).Descendants("Command").Single();
        Assert.That(command.Attribute("Name")?.Value, Is.EqualTo("agentcluster"));
        Assert.That(command.Attribute("EntryPoint")?.Value, Is.EqualTo("agentcluster.dll"));
    }

    [Test]
    public async Task The_sdk_readmes_first_csharp_block_compiles_against_the_package()
    {
        using ZipArchive nupkg = Open("AgentCluster.Sdk");
        Match block = Regex.Match(Text(nupkg, "README.md"), "```csharp\\n(.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, Is.True, "the packed README has a ```csharp block");
        string code = block.Groups[1].Value;
        int userLines = code.Split('\n').Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("using ", StringComparison.Ordinal));
        Assert.That(userLines, Is.LessThan(40), "a worker agent in under 40 lines of user code");

        string project = Path.Combine(_work, "readme");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), code);
        await File.WriteAllTextAsync(Path.Combine(project, "Readme.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NoWarn>NU1603</NoWarn>
                <RestorePackagesPath>{_packagesFolder}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AgentCluster.Sdk" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.Copy(_nugetConfig, Path.Combine(project, "NuGet.config"));
        Processes.Result build = await Processes.RunAsync("dotnet", ["build", project, "-nologo", "-v:q"], project, TimeSpan.FromMinutes(6), Env());
        Assert.That(build.ExitCode, Is.Zero, build.Tail);
        Assert.That(File.Exists(Path.Combine(project, "bin", "Debug", "net10.0", "Readme.dll")), Is.True);
    }

    [Test]
    public async Task The_samples_pass_against_the_packages_outside_the_checkout()
    {
        string samples = Path.Combine(_work, "samples");
        CopyDirectory(Path.Combine(_root, "samples"), samples);
        File.Copy(_nugetConfig, Path.Combine(samples, "NuGet.config"), overwrite: true);
        var env = Env();
        env["ANVIL"] = Path.Combine(_root, "node_modules", ".bin", "anvil");
        env["AGENTCLUSTER_ROOT"] = null;
        env["AGENTCLUSTER_SUITE"] = null;
        env["AGENTCLUSTER_SUITE_SNAPSHOT"] = null;
        env["SAMPLES_EXPECT_PACKAGED"] = "1";
        Processes.Result test = await Processes.RunAsync("dotnet",
            ["test", Path.Combine(samples, "Samples.Tests"), "-nologo", $"-p:RestorePackagesPath={_packagesFolder}", "--logger", "console;verbosity=normal"],
            samples, TimeSpan.FromMinutes(8), env);
        await TestContext.Progress.WriteLineAsync(test.Tail);
        Assert.That(test.ExitCode, Is.Zero, test.Tail);
        Assert.That(test.Output, Does.Contain("Test Run Successful.").And.Match(@"Passed:\s+1\b"));
        Assert.That(test.Output, Does.Contain("from the package: True"));
    }

    [Test]
    public async Task The_cli_installs_as_a_dotnet_tool_from_the_feed_and_runs()
    {
        string tools = Path.Combine(_work, "tools");
        Processes.Result install = await Processes.RunAsync("dotnet",
            ["tool", "install", "--tool-path", tools, "--configfile", _nugetConfig, "AgentCluster.Cli", "--version", Version], _work, TimeSpan.FromMinutes(4), Env());
        Assert.That(install.ExitCode, Is.Zero, install.Tail);
        string agentcluster = Path.Combine(tools, OperatingSystem.IsWindows() ? "agentcluster.exe" : "agentcluster");

        Processes.Result version = await Processes.RunAsync(agentcluster, ["--version"], _work, TimeSpan.FromMinutes(1), Env());
        Assert.That(version.ExitCode, Is.Zero, version.Output);
        Assert.That(version.Output.Trim(), Does.StartWith(Version + "+" + Git("rev-parse", "HEAD")));

        Processes.Result keccak = await Processes.RunAsync(agentcluster, ["evm", "keccak", "hello"], _work, TimeSpan.FromMinutes(1), Env());
        Assert.That(keccak.ExitCode, Is.Zero, keccak.Output);
        // keccak256("hello"), as cast keccak hello prints it.
        Assert.That(keccak.Output.Trim(), Is.EqualTo("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"));
    }

    private Dictionary<string, string?> Env() => _environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);

    private ZipArchive Open(string id) => ZipFile.OpenRead(Path.Combine(_feed, $"{id}.{Version}.nupkg"));

    private static XElement Nuspec(ZipArchive nupkg)
    {
        ZipArchiveEntry entry = nupkg.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string Get(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    private static string Text(ZipArchive nupkg, string path)
    {
        ZipArchiveEntry entry = nupkg.GetEntry(path) ?? throw new AssertionException($"the package has no {path}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static byte[] Bytes(ZipArchive nupkg, string path)
    {
        using (nupkg)
        {
            ZipArchiveEntry entry = nupkg.GetEntry(path) ?? throw new AssertionException($"the package has no {path}");
            using Stream stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private static string[] TypeNames(byte[] assembly)
    {
        using var pe = new PEReader(new MemoryStream(assembly));
        MetadataReader reader = pe.GetMetadataReader();
        return [.. reader.TypeDefinitions.Select(h => reader.GetString(reader.GetTypeDefinition(h).Name))];
    }

    private string Git(params string[] arguments)
    {
        Processes.Result git = Processes.RunAsync("git", arguments, _root, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Assert.That(git.ExitCode, Is.Zero, git.Output);
        return git.Output.Trim();
    }

    /// <summary>The local feed for AgentCluster.*, and for the rest the machine's NuGet cache (read as a local feed, offline) and nuget.org.</summary>
    private static void WriteNuGetConfig(string path, string feed)
    {
        string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string? machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnv ? fromEnv : cache;
        bool useCache = Directory.Exists(machineCache);
        var config = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "agentcluster-local"), new XAttribute("value", feed)),
                useCache ? new XElement("add", new XAttribute("key", "machine-cache"), new XAttribute("value", machineCache)) : null,
                new XElement("add", new XAttribute("key", "nuget.org"), new XAttribute("value", "https://api.nuget.org/v3/index.json"), new XAttribute("protocolVersion", "3"))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "agentcluster-local"), new XElement("package", new XAttribute("pattern", "AgentCluster.*"))),
                useCache ? new XElement("packageSource", new XAttribute("key", "machine-cache"), new XElement("package", new XAttribute("pattern", "*"))) : null,
                new XElement("packageSource", new XAttribute("key", "nuget.org"), new XElement("package", new XAttribute("pattern", "*")))));
        new XDocument(config).Save(path);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string dir in Directory.EnumerateDirectories(from))
        {
            string name = Path.GetFileName(dir);
            if (name is not ("bin" or "obj"))
            {
                CopyDirectory(dir, Path.Combine(to, name));
            }
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "pack")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No scripts/pack above {AppContext.BaseDirectory}.");
    }
}
