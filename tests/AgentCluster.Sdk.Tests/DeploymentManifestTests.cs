namespace AgentCluster.Sdk.Tests;

[TestFixture]
public sealed class DeploymentManifestTests
{
    private const string Valid = """
        {"chainId": 31337, "block": 1, "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
         "contracts": {"AccToken": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853", "Timelock": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}}
        """;

    [Test]
    public void A_valid_manifest_parses()
    {
        DeploymentManifest m = DeploymentManifest.Parse(Valid);
        Assert.That(m.ChainId, Is.EqualTo(31337UL));
        Assert.That(m.Block, Is.EqualTo(1UL));
        Assert.That(m.Deployer, Is.EqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        Assert.That(m.Contracts, Has.Count.EqualTo(2));
        Assert.That(m.AddressOf("Timelock"), Is.EqualTo("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    }

    [Test]
    public void An_unknown_contract_name_lists_the_known_ones()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => DeploymentManifest.Parse(Valid).AddressOf("Staking"))!;
        Assert.That(e.Message, Does.Contain("Staking").And.Contain("AccToken, Timelock"));
    }

    private static IEnumerable<TestCaseData> Bad()
    {
        yield return new TestCaseData("not json", "not JSON").SetName("not JSON");
        yield return new TestCaseData("[]", "expected a JSON object").SetName("array");
        yield return new TestCaseData(Valid.Replace("\"block\": 1,", "\"block\": 1, \"extra\": 2,"), "unknown field \"extra\"").SetName("unknown field");
        yield return new TestCaseData(Valid.Replace("\"block\": 1,", ""), "missing field \"block\"").SetName("missing block");
        yield return new TestCaseData(Valid.Replace("\"block\": 1,", "\"block\": 1, \"block\": 2,"), "\"block\" appears twice").SetName("duplicate field");
        yield return new TestCaseData(Valid.Replace("31337", "0"), "\"chainId\" must be at least 1").SetName("chain id 0");
        yield return new TestCaseData(Valid.Replace("\"block\": 1", "\"block\": -1"), "\"block\" must be a non-negative integer").SetName("negative block");
        yield return new TestCaseData(Valid.Replace("\"block\": 1", "\"block\": 1.5"), "\"block\" must be a non-negative integer").SetName("fractional block");
        yield return new TestCaseData(Valid.Replace("\"block\": 1", "\"block\": \"1\""), "\"block\" must be a non-negative integer").SetName("block as string");
        yield return new TestCaseData(Valid.Replace("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "not EIP-55 checksummed").SetName("bad checksum");
        yield return new TestCaseData(Valid.Replace("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226"), "\"deployer\" must be an address").SetName("short address");
        yield return new TestCaseData(Valid.Replace("0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x0000000000000000000000000000000000000000"), "\"contracts.Timelock\" is the zero address").SetName("zero address");
        yield return new TestCaseData(Valid.Replace("\"Timelock\"", "\"AccToken\""), "\"AccToken\" appears twice").SetName("duplicate contract");
        yield return new TestCaseData("""{"chainId": 1, "block": 1, "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "contracts": {}}""", "\"contracts\" is empty").SetName("no contracts");
        yield return new TestCaseData("""{"chainId": 1, "block": 1, "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "contracts": []}""", "\"contracts\" must be an object").SetName("contracts array");
    }

    [TestCaseSource(nameof(Bad))]
    public void A_bad_manifest_is_refused_with_a_clear_message(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DeploymentManifest.Parse(json))!;
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void A_missing_file_is_a_FormatException_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), "agentcluster-no-such-manifest.json");
        var e = Assert.Throws<FormatException>(() => DeploymentManifest.Load(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }
}
