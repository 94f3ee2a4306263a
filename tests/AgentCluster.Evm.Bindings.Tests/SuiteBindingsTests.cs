using System.Reflection;
using AgentCluster.Evm.BindingsGen;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Evm.Bindings.Tests;

/// <summary>
/// The bindings generated at build time from out/: one service per contract of contracts/evm with an ABI, and every generated
/// function, event and error type hashes to what solc (methodIdentifiers) and Nethereum's own ABI reader say.
/// </summary>
public sealed class SuiteBindingsTests
{
    private static readonly Assembly Bindings = typeof(SuiteContractService).Assembly;

    private static readonly Lazy<IReadOnlyList<ContractArtifact>> Artifacts = new(() =>
        BindingsGenerator.LoadArtifacts(OutDirectory(), "contracts/evm/").Where(a => a.Abi.GetArrayLength() > 0).ToArray());

    /// <summary>What the build passes as --merge (the csproj's ContractBindingsMerges).</summary>
    private static readonly Dictionary<string, string[]> Merges = new() { ["TaskMarket"] = ["ITaskMarket"] };

    [Test]
    public void EveryContractOfContractsEvmWithAnAbi_HasAService_AndInterfacesHaveNoDeployment()
    {
        var expected = Artifacts.Value.Select(a => $"AgentCluster.Evm.Bindings.{a.Name}.{a.Name}Service").ToArray();
        var generated = Bindings.GetTypes().Where(t => t.IsSubclassOf(typeof(SuiteContractService))).Select(t => t.FullName).ToArray();
        Assert.That(generated, Is.EquivalentTo(expected));
        Assert.That(expected, Does.Contain("AgentCluster.Evm.Bindings.AccToken.AccTokenService").And.Contain("AgentCluster.Evm.Bindings.ITaskMarket.ITaskMarketService"));

        foreach (ContractArtifact artifact in Artifacts.Value)
        {
            Type service = Service(artifact.Name);
            Type? deployment = Bindings.GetType($"AgentCluster.Evm.Bindings.{artifact.Name}.ContractDefinition.{artifact.Name}Deployment");
            bool hasCode = artifact.Bytecode is not null;
            Assert.That(deployment is not null, Is.EqualTo(hasCode), $"{artifact.Name}: a deployment message exactly when the artifact has creation bytecode");
            Assert.That(service.GetMethod("DeployContractAndWaitForReceiptAsync", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly) is not null,
                Is.EqualTo(hasCode), artifact.Name);
            if (deployment is not null)
            {
                Assert.That(deployment.GetField("BYTECODE")!.GetValue(null), Is.EqualTo(artifact.Bytecode), artifact.Name);
            }
        }
    }

    [Test]
    public void EveryFunctionMessage_HasSolcsSelector_AndEveryEventAndErrorNethereumsSignatureHash()
    {
        foreach (ContractArtifact artifact in Artifacts.Value)
        {
            var service = (ContractServiceBase)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(Service(artifact.Name));
            var sources = Merges.TryGetValue(artifact.Name, out string[]? merged) ? merged.Select(Artifact).Prepend(artifact).ToArray() : [artifact];

            var solc = sources.SelectMany(s => s.MethodIdentifiers.Values).Distinct().Order().ToArray();
            var ours = service.GetAllFunctionTypes().Select(t => ABITypedRegistry.GetFunctionABI(t).Sha3Signature).Order().ToArray();
            Assert.That(ours, Is.EqualTo(solc), $"{artifact.Name}: function selectors");

            var abis = sources.Select(s => ABIDeserialiserFactory.DeserialiseContractABI(s.Abi.GetRawText())).ToArray();
            var events = abis.SelectMany(a => a.Events).Select(e => e.Sha3Signature).Distinct().Order().ToArray();
            Assert.That(service.GetAllEventTypes().Select(t => ABITypedRegistry.GetEvent(t).Sha3Signature).Order(), Is.EqualTo(events), $"{artifact.Name}: event topics");
            var errors = abis.SelectMany(a => a.Errors).Select(e => e.Sha3Signature).Distinct().Order().ToArray();
            Assert.That(service.GetAllErrorTypes().Select(t => ABITypedRegistry.GetError(t).Sha3Signature).Order(), Is.EqualTo(errors), $"{artifact.Name}: error selectors");
        }
    }

    [Test]
    public void SuiteErrors_HasOneTypePerSelectorOfEveryContractsErrors()
    {
        var selectors = SuiteErrors.ErrorTypes.Select(t => ABITypedRegistry.GetError(t).Sha3Signature).ToArray();
        Assert.That(selectors, Is.Unique);
        var all = Artifacts.Value.SelectMany(a => ABIDeserialiserFactory.DeserialiseContractABI(a.Abi.GetRawText()).Errors).Select(e => e.Sha3Signature).Distinct();
        Assert.That(selectors, Is.EquivalentTo(all));
        Assert.That(SuiteErrors.ErrorTypes.Select(t => t.Name), Does.Contain("OwnableUnauthorizedAccountError").And.Contain("BurnShareTooHighError")
            .And.Contain("ERC20InsufficientAllowanceError"));
    }

    [Test]
    public void TaskMarketService_CarriesTheWholeAbiServedAtTheMarketAddress()
    {
        string[] Selectors(string contract) =>
            ((ContractServiceBase)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(Service(contract))).GetAllFunctionTypes()
                .Select(t => ABITypedRegistry.GetFunctionABI(t).Sha3Signature).ToArray();

        string[] market = Selectors("TaskMarket");
        Assert.That(market, Is.SupersetOf(Selectors("ITaskMarket")), "every function of the interface");
        Assert.That(market, Is.SupersetOf(Artifact("TaskMarket").MethodIdentifiers.Values), "every function of TaskMarket itself");
        var verification = Artifact("TaskVerification").MethodIdentifiers.Where(p => p.Key != "market()").Select(p => p.Value);
        Assert.That(market, Is.SupersetOf(verification), "every function TaskVerification serves through the market's fallback");
        Assert.That(Artifact("TaskMarket").MethodIdentifiers.Values, Is.Not.SupersetOf(Selectors("ITaskMarket")), "the artifact alone lacks the verification functions");
    }

    private static Type Service(string contract) => Bindings.GetType($"AgentCluster.Evm.Bindings.{contract}.{contract}Service", throwOnError: true)!;

    private static ContractArtifact Artifact(string name) => Artifacts.Value.Single(a => a.Name == name);

    internal static string OutDirectory()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "out")) && File.Exists(Path.Combine(dir.FullName, "foundry.toml")))
            {
                return Path.Combine(dir.FullName, "out");
            }
        }

        Assert.Fail("out/ not found next to foundry.toml above the test directory: run `forge build` in the repository root.");
        return null!;
    }
}
