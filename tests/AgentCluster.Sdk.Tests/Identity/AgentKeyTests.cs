using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk.Identity;
using Nethereum.Signer;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>AgentKey: generation, hex/account/environment import, keystore files both ways with cast, and secrecy of the key.</summary>
[Parallelizable(ParallelScope.Children)]
public class AgentKeyTests
{
    private static readonly KeystoreOptions Fast = new() { ScryptN = 1 << 14 };

    [Test]
    public void Generate_GivesDistinctValidKeys_WhoseAddressCastDerivesFromTheExportedKeystore()
    {
        AgentKey a = AgentKey.Generate();
        AgentKey b = AgentKey.Generate();
        Assert.That(a.Address, Is.Not.EqualTo(b.Address));
        Assert.That(a.Id, Is.EqualTo(AgentId.FromAddress(a.Address)));
        string dir = TestKeys.NewDirectory();
        try
        {
            string file = Path.Combine(dir, "generated.json");
            a.ExportKeystoreAsync(file, "pw", Fast).GetAwaiter().GetResult();
            Assert.That(CastCli.Run("wallet", "address", "--keystore", file, "--password", "pw"), Is.EqualTo(a.Address));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void FromPrivateKey_DerivesCastsAddress_WithOrWithout0x_IncludingKeysBelow2To248(bool leadingZero)
    {
        byte[] raw = TestKeys.Random(new Random(leadingZero ? 11 : 12), leadingZero);
        string hex = TestKeys.Hex(raw);
        string cast = CastCli.Run("wallet", "address", "--private-key", hex);
        Assert.That(AgentKey.FromPrivateKey(hex).Address, Is.EqualTo(cast));
        Assert.That(AgentKey.FromPrivateKey(hex[2..].ToUpperInvariant()).Address, Is.EqualTo(cast));
        Assert.That(AgentKey.FromPrivateKey(raw).Address, Is.EqualTo(cast));
    }

    [Test]
    public void LeadingZeroKey_ToAccount_AndBack_KeepsTheKey_AndSignsAsCast()
    {
        byte[] raw = TestKeys.Random(new Random(13), leadingZero: true);
        AgentKey key = AgentKey.FromPrivateKey(raw);
        Account account = key.ToAccount(31337);
        Assert.That(account.PrivateKey.TrimStart('0', 'x').Length, Is.LessThan(64), "precondition: Nethereum drops the leading zero");
        Assert.That(account.Address, Is.EqualTo(key.Address));
        Assert.That(account.ChainId, Is.EqualTo(new BigInteger(31337)));
        AgentKey back = AgentKey.FromAccount(account);
        Assert.That(back.Address, Is.EqualTo(key.Address));

        byte[] hash = new byte[32];
        new Random(14).NextBytes(hash);
        string ours = EthECDSASignature.CreateStringSignature(back.Signer.SignHash(hash)).ToLowerInvariant();
        string cast = CastCli.Run("wallet", "sign", "--no-hash", "--private-key", TestKeys.Hex(raw), "0x" + Convert.ToHexString(hash).ToLowerInvariant());
        Assert.That(ours, Is.EqualTo(cast));
    }

    private static readonly string NMinus1 = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";

    [TestCase("", "64 hex digits")]
    [TestCase("0x1234", "not 4 characters")]
    [TestCase("0x0000000000000000000000000000000000000000000000000000000000000000", "between 1 and the group order")]
    [TestCase("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "between 1 and the group order")]
    [TestCase("0xzz00000000000000000000000000000000000000000000000000000000000001", "not a hex digit")]
    public void FromPrivateKey_RefusesBadHex_WithAMessageThatDoesNotEchoIt(string hex, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => AgentKey.FromPrivateKey(hex))!;
        Assert.That(e.Message, Does.Contain(expected));
        if (hex.Length > 10)
        {
            Assert.That(e.Message, Does.Not.Contain(hex[2..]));
        }
    }

    [Test]
    public void FromPrivateKey_AcceptsTheExtremes_1_AndNMinus1_AsCastDoes()
    {
        string one = "0x" + new string('0', 63) + "1";
        Assert.That(AgentKey.FromPrivateKey(one).Address, Is.EqualTo(CastCli.Run("wallet", "address", "--private-key", one)));
        Assert.That(AgentKey.FromPrivateKey(NMinus1).Address, Is.EqualTo(CastCli.Run("wallet", "address", "--private-key", "0x" + NMinus1)));
    }

    [Test]
    public void ToString_AndToAccountRecord_NameTheAddressOnly()
    {
        byte[] raw = TestKeys.Random(new Random(16));
        string digits = Convert.ToHexString(raw).ToLowerInvariant();
        AgentKey key = AgentKey.FromPrivateKey(raw);
        Assert.That(key.ToString(), Is.EqualTo("AgentKey " + key.Address));
        Assert.That(key.ToString().ToLowerInvariant(), Does.Not.Contain(digits));
    }

    [Test]
    public void FromEnvironment_ReadsTheKey_AndSaysWhatIsWrong_WithoutEchoingTheValue()
    {
        string name = "AC_IDENT_TEST_" + Guid.NewGuid().ToString("N");
        byte[] raw = TestKeys.Random(new Random(17));
        try
        {
            Assert.That(() => AgentKey.FromEnvironment(name), Throws.InstanceOf<AgentKeyException>().With.Message.Contains(name).And.Message.Contains("not set"));

            Environment.SetEnvironmentVariable(name, "   ");
            Assert.That(() => AgentKey.FromEnvironment(name), Throws.InstanceOf<AgentKeyException>().With.Message.Contains("empty"));

            string secretLooking = "0x" + Convert.ToHexString(raw).ToLowerInvariant()[..60] + "zzzz";
            Environment.SetEnvironmentVariable(name, secretLooking);
            var e = Assert.Throws<AgentKeyException>(() => AgentKey.FromEnvironment(name))!;
            Assert.That(e.Message, Does.Contain(name).And.Contain("hex"));
            Assert.That(e.Message, Does.Not.Contain(secretLooking[2..40]));

            Environment.SetEnvironmentVariable(name, " " + TestKeys.Hex(raw) + "\n");
            Assert.That(AgentKey.FromEnvironment(name).Address, Is.EqualTo(CastCli.Run("wallet", "address", "--private-key", TestKeys.Hex(raw))));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ExportedKeystore_IsReadByCast_AndDecryptsToTheKey_WithR8P1_And0600(bool leadingZero)
    {
        byte[] raw = TestKeys.Random(new Random(leadingZero ? 18 : 19), leadingZero);
        AgentKey key = AgentKey.FromPrivateKey(raw);
        string dir = TestKeys.NewDirectory();
        try
        {
            string file = Path.Combine(dir, "agent.json");
            const string password = "pässwörd 日本";
            await key.ExportKeystoreAsync(file, password, Fast);

            Assert.That(CastCli.Run("wallet", "address", "--keystore", file, "--password", password), Is.EqualTo(key.Address));
            string decrypted = CastCli.Run("wallet", "decrypt-keystore", "agent.json", "--keystore-dir", dir, "--unsafe-password", password);
            Assert.That(decrypted, Does.EndWith(" " + TestKeys.Hex(raw)));

            using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
            {
                JsonElement kdf = doc.RootElement.GetProperty("crypto").GetProperty("kdfparams");
                Assert.That((kdf.GetProperty("n").GetInt32(), kdf.GetProperty("r").GetInt32(), kdf.GetProperty("p").GetInt32()), Is.EqualTo((1 << 14, 8, 1)));
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }

            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file is left behind");
            Assert.That((await AgentKey.LoadKeystoreAsync(file, password)).Address, Is.EqualTo(key.Address));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void DefaultKeystoreCost_Is2To18()
    {
        Assert.That(new KeystoreOptions().ScryptN, Is.EqualTo(1 << 18));
        using var doc = JsonDocument.Parse(AgentKey.Generate().ToKeystoreJson("pw"));
        JsonElement kdf = doc.RootElement.GetProperty("crypto").GetProperty("kdfparams");
        Assert.That((kdf.GetProperty("n").GetInt32(), kdf.GetProperty("r").GetInt32(), kdf.GetProperty("p").GetInt32()), Is.EqualTo((1 << 18, 8, 1)));
    }

    [Test]
    public async Task Export_RefusesToOverwrite_UnlessAsked()
    {
        AgentKey first = AgentKey.Generate();
        AgentKey second = AgentKey.Generate();
        string dir = TestKeys.NewDirectory();
        try
        {
            string file = Path.Combine(dir, "agent.json");
            await first.ExportKeystoreAsync(file, "pw", Fast);
            Assert.That(async () => await second.ExportKeystoreAsync(file, "pw", Fast), Throws.InstanceOf<IOException>().With.Message.Contains("already exists"));
            Assert.That((await AgentKey.LoadKeystoreAsync(file, "pw")).Address, Is.EqualTo(first.Address), "the first file is intact");

            await second.ExportKeystoreAsync(file, "pw", new KeystoreOptions { ScryptN = 1 << 14, Overwrite = true });
            Assert.That((await AgentKey.LoadKeystoreAsync(file, "pw")).Address, Is.EqualTo(second.Address));
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestCase(1000)]
    [TestCase(1 << 9)]
    [TestCase(1 << 21)]
    public void Export_RefusesABadScryptCost(int n)
    {
        Assert.That(() => AgentKey.Generate().ToKeystoreJson("pw", new KeystoreOptions { ScryptN = n }),
            Throws.ArgumentException.With.Message.Contains("power of two between 2^10 and 2^20"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task CastKeystore_IsReadByTheSdk_IncludingKeysBelow2To248(bool leadingZero)
    {
        byte[] raw = TestKeys.Random(new Random(leadingZero ? 20 : 21), leadingZero);
        string dir = TestKeys.NewDirectory();
        try
        {
            CastCli.Run("wallet", "import", "k", "--private-key", TestKeys.Hex(raw), "--keystore-dir", dir, "--unsafe-password", "cast-pw");
            AgentKey key = await AgentKey.LoadKeystoreAsync(Path.Combine(dir, "k"), "cast-pw");
            Assert.That(key.Address, Is.EqualTo(CastCli.Run("wallet", "address", "--private-key", TestKeys.Hex(raw))));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task Keystore_WrongPassword_MissingFile_AndNotAKeystore_AreTypedErrors()
    {
        string dir = TestKeys.NewDirectory();
        try
        {
            string file = Path.Combine(dir, "agent.json");
            await AgentKey.Generate().ExportKeystoreAsync(file, "right", Fast);
            var wrong = Assert.ThrowsAsync<WrongKeystorePasswordException>(async () => await AgentKey.LoadKeystoreAsync(file, "wrong"))!;
            Assert.That(wrong.Message, Does.Contain("password").And.Contain(file).And.Not.Contain("wrong\""));

            string missing = Path.Combine(dir, "missing.json");
            Assert.That(async () => await AgentKey.LoadKeystoreAsync(missing, "pw"), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(missing));

            string notKeystore = Path.Combine(dir, "not.json");
            await File.WriteAllTextAsync(notKeystore, "{\"hello\":1}");
            Assert.That(async () => await AgentKey.LoadKeystoreAsync(notKeystore, "pw"), Throws.InstanceOf<AgentKeyException>().With.Message.Contains("not a Web3 Secret Storage"));
            await File.WriteAllTextAsync(notKeystore, "not json");
            Assert.That(async () => await AgentKey.LoadKeystoreAsync(notKeystore, "pw"), Throws.InstanceOf<AgentKeyException>().With.Message.Contains("not valid JSON"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Keystore_WhoseDeclaredAddressIsNotItsKeys_IsRefused()
    {
        AgentKey key = AgentKey.Generate();
        string json = key.ToKeystoreJson("pw", Fast);
        string other = AgentKey.Generate().Address[2..].ToLowerInvariant();
        string forged = json.Replace(key.Address[2..].ToLowerInvariant(), other, StringComparison.Ordinal);
        Assert.That(forged, Is.Not.EqualTo(json), "precondition: the file declares its address");
        Assert.That(() => AgentKey.FromKeystoreJson(forged, "pw"), Throws.InstanceOf<AgentKeyException>().With.Message.Contains("declares address"));
    }
}
