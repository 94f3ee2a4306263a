using System.Text.Json;
using System.Text.RegularExpressions;
using AgentCluster.Evm.Tests.Oracles;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;
using Nethereum.Signer;
using Nethereum.Web3.Accounts;

namespace AgentCluster.Evm.Tests.Keys;

/// <summary>
/// Web3 Secret Storage (v3 keystore) files between Nethereum (KeyStoreScryptService, KeyStorePbkdf2Service, KeyStoreService,
/// Account.LoadFromKeyStore) and cast, both ways; and the pinned gap of Nethereum's default scrypt parameters. Tests use
/// scrypt N=2^14 for speed (production files use 2^18 with r=8, p=1).
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class KeystoreDifferentialTests
{
    private static readonly ScryptParams Scrypt14 = new() { Dklen = 32, N = 1 << 14, R = 8, P = 1 };

    private static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ac-keystore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Password(RandomAbi rng, int i) => i switch
    {
        0 => "pässwörd 日本 €", // non-ASCII: both sides must use its UTF-8 bytes
        1 => "",
        _ => "pw-" + rng.Text(),
    };

    [Test]
    public void WrittenByNethereum_ScryptR8P1_AndPbkdf2_AreReadByCast()
    {
        var rng = RandomAbi.ForTest(60);
        string dir = NewDirectory();
        try
        {
            var cases = Enumerable.Range(0, 5).Select(i =>
            {
                EthECKey key = rng.Key(leadingZeroByte: i == 2);
                string password = Password(rng, i);
                byte[] keyBytes = RandomAbi.KeyHex(key).HexToByteArray();
                string json = i == 4
                    ? new KeyStorePbkdf2Service().EncryptAndGenerateKeyStoreAsJson(password, keyBytes, key.GetPublicAddress(),
                        new Pbkdf2Params { Dklen = 32, Count = 8192, Prf = "hmac-sha256" })
                    : new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, keyBytes, key.GetPublicAddress(), Scrypt14);
                string name = "nethereum" + i;
                File.WriteAllText(Path.Combine(dir, name), json);
                return (Key: key, Password: password, Name: name);
            }).ToArray();

            Differential.Diff.WithCast(cases.Select(c => new[] { "wallet", "address", "--keystore", Path.Combine(dir, c.Name), "--password", c.Password }).ToArray(),
                (i, cast) => cast == cases[i].Key.GetPublicAddress() ? null : $"cast reads address {cast}, expected {cases[i].Key.GetPublicAddress()}");
            Differential.Diff.WithCast(cases.Select(c => new[] { "wallet", "decrypt-keystore", c.Name, "--keystore-dir", dir, "--unsafe-password", c.Password }).ToArray(),
                (i, cast) => cast.EndsWith(" " + RandomAbi.KeyHex(cases[i].Key), StringComparison.Ordinal) ? null : $"cast decrypts: {cast}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void WrittenByCastImport_IsReadByNethereum()
    {
        var rng = RandomAbi.ForTest(61);
        string dir = NewDirectory();
        try
        {
            var cases = Enumerable.Range(0, 4).Select(i => (Key: rng.Key(leadingZeroByte: i == 3), Password: Password(rng, i), Name: "cast" + i)).ToArray();
            Differential.Diff.WithCast(
                cases.Select(c => new[] { "wallet", "import", c.Name, "--private-key", RandomAbi.KeyHex(c.Key), "--keystore-dir", dir, "--unsafe-password", c.Password }).ToArray(),
                (i, cast) =>
                {
                    var (key, password, name) = cases[i];
                    string json = File.ReadAllText(Path.Combine(dir, name));
                    string decrypted = new KeyStoreService().DecryptKeyStoreFromJson(password, json).ToHex(true);
                    if (decrypted != RandomAbi.KeyHex(key))
                    {
                        return $"Nethereum decrypts {decrypted}, expected {RandomAbi.KeyHex(key)}";
                    }

                    string address = Account.LoadFromKeyStore(json, password).Address;
                    return address == key.GetPublicAddress() ? null : $"Account.LoadFromKeyStore gives {address}";
                });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void WrittenByCastNew_IsReadByNethereum()
    {
        string dir = NewDirectory();
        try
        {
            string output = Cast.Run("wallet", "new", dir, "--unsafe-password", "new-pässword");
            string address = Regex.Match(output, "Address:\\s+(0x[0-9a-fA-F]{40})").Groups[1].Value;
            string file = Regex.Match(output, "keystore file: (\\S+)").Groups[1].Value;
            Assert.That(address, Is.Not.Empty, output);
            Assert.That(File.Exists(file), Is.True, output);
            string json = File.ReadAllText(file);
            using (var doc = JsonDocument.Parse(json))
            {
                JsonElement kdf = doc.RootElement.GetProperty("crypto").GetProperty("kdfparams");
                Assert.That((kdf.GetProperty("r").GetInt32(), kdf.GetProperty("p").GetInt32()), Is.EqualTo((8, 1)), "cast writes r=8, p=1");
            }

            byte[] key = new KeyStoreService().DecryptKeyStoreFromJson("new-pässword", json);
            Assert.That(key, Has.Length.EqualTo(32));
            Assert.That(new EthECKey(key, true).GetPublicAddress(), Is.EqualTo(address));
            Assert.That(Account.LoadFromKeyStore(json, "new-pässword").Address, Is.EqualTo(address));
            Assert.That(() => new KeyStoreService().DecryptKeyStoreFromJson("wrong", json), Throws.Exception, "a wrong password is refused");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, in NOTES.md): KeyStoreScryptService's default parameters are N=2^18, r=1, p=8. RFC 7914 requires
    /// N &lt; 2^(128*r/8), i.e. N &lt; 2^16 when r=1, so cast (and other RFC-strict readers) refuse such files; Nethereum reads
    /// its own. Always pass ScryptParams { N = 1 &lt;&lt; 18, R = 8, P = 1 } (the Web3 Secret Storage / geth standard). The
    /// control shows the rule: with r=1 and N=2^15 cast accepts. If this test fails, Nethereum changed its defaults.
    /// </summary>
    [Test]
    public void Gap_DefaultScryptParameters_AreRefusedByCast()
    {
        var rng = RandomAbi.ForTest(62);
        EthECKey key = rng.Key();
        byte[] keyBytes = RandomAbi.KeyHex(key).HexToByteArray();
        string dir = NewDirectory();
        try
        {
            string defaults = new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson("pw", keyBytes, key.GetPublicAddress());
            using (var doc = JsonDocument.Parse(defaults))
            {
                JsonElement kdf = doc.RootElement.GetProperty("crypto").GetProperty("kdfparams");
                Assert.That((kdf.GetProperty("n").GetInt32(), kdf.GetProperty("r").GetInt32(), kdf.GetProperty("p").GetInt32()), Is.EqualTo((1 << 18, 1, 8)),
                    "Nethereum's default scrypt parameters changed");
            }

            string control = new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson("pw", keyBytes, key.GetPublicAddress(),
                new ScryptParams { Dklen = 32, N = 1 << 15, R = 1, P = 8 });
            File.WriteAllText(Path.Combine(dir, "defaults"), defaults);
            File.WriteAllText(Path.Combine(dir, "control"), control);

            // (Nethereum reads its own r=1 files: checked on the control, decrypting the N=2^18 one would cost seconds.)
            Assert.That(new KeyStoreService().DecryptKeyStoreFromJson("pw", control), Is.EqualTo(keyBytes), "Nethereum reads its own r=1, p=8 file");
            var (exitCode, stdout, stderr) = Cast.TryRun("wallet", "address", "--keystore", Path.Combine(dir, "defaults"), "--password", "pw");
            Assert.That(exitCode, Is.Not.Zero, $"cast now accepts N=2^18, r=1 (stdout {stdout.Trim()})");
            Assert.That(stderr, Does.Contain("InvalidParams"), "cast refuses the scrypt parameters themselves");
            Assert.That(Cast.Run("wallet", "address", "--keystore", Path.Combine(dir, "control"), "--password", "pw"), Is.EqualTo(key.GetPublicAddress()),
                "control: r=1 with N=2^15 satisfies RFC 7914 and cast reads it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
