using System.Text.Json.Nodes;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Tests.Oracles;

namespace AgentCluster.Solana.Tests.Core;

public class KeysTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("ac-keys-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Generated_keys_differ_sign_and_verify()
    {
        Account a = Account.Generate(), b = Account.Generate();
        Assert.That(a.PublicKey, Is.Not.EqualTo(b.PublicKey));
        byte[] message = "hello"u8.ToArray();
        byte[] signature = a.Sign(message);
        Assert.That(signature, Has.Length.EqualTo(64));
        Assert.That(a.Verify(message, signature), Is.True);
        Assert.That(Ed25519Signature.Verify(b.PublicKey, message, signature), Is.False);
        Assert.That(Ed25519Signature.Verify(a.PublicKey, "hellO"u8, signature), Is.False);
        Assert.That(Ed25519Signature.Verify(a.PublicKey, message, signature.AsSpan(0, 63)), Is.False);
        Assert.That(a.ToString(), Is.EqualTo(a.PublicKey.Key));
    }

    [Test]
    public void The_secret_key_is_seed_then_public_key_and_round_trips()
    {
        Account a = Account.Generate();
        byte[] secret = a.SecretKey;
        Assert.That(secret[..32], Is.EqualTo(a.Seed));
        Assert.That(secret[32..], Is.EqualTo(a.PublicKey.KeyBytes));
        Assert.That(Account.FromSecretKey(secret).PublicKey, Is.EqualTo(a.PublicKey));
        Assert.That(Account.FromSeed(a.Seed).PublicKey, Is.EqualTo(a.PublicKey));
    }

    [Test]
    public void Bad_secret_keys_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => Account.FromSeed(new byte[31]));
        Assert.That(e!.ParamName, Is.EqualTo("seed"));
        Assert.That(e.Message, Does.Contain("32 bytes; got 31"));
        e = Assert.Throws<ArgumentException>(() => Account.FromSecretKey(new byte[63]));
        Assert.That(e!.Message, Does.Contain("64 bytes"));
        byte[] mismatched = [.. Account.Generate().Seed, .. Account.Generate().PublicKey.KeyBytes];
        e = Assert.Throws<ArgumentException>(() => Account.FromSecretKey(mismatched));
        Assert.That(e!.Message, Does.Contain("is not the public key of its seed"));
    }

    [Test]
    public void Keypair_files_are_written_0600_and_read_back_by_us_and_by_kit()
    {
        var accounts = Enumerable.Range(0, 20).Select(i => Gen.AccountFrom(new Random(50_000 + i))).ToList();
        var requests = new List<JsonObject>();
        for (int i = 0; i < accounts.Count; i++)
        {
            string path = Path.Combine(_dir, $"id{i}.json");
            KeypairFile.Write(path, accounts[i]);
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }

            Assert.That(KeypairFile.Read(path).PublicKey, Is.EqualTo(accounts[i].PublicKey));
            requests.Add(new JsonObject { ["op"] = "keypairFile", ["path"] = path });
        }

        string[] answers = Kit.Run(requests);
        Assert.That(answers, Is.EqualTo(accounts.Select(a => a.PublicKey.Key).ToArray()));
    }

    [Test]
    public void Keypair_files_written_from_kits_keys_are_read_here()
    {
        var seeds = Enumerable.Range(0, 20).Select(i => new Gen(51_000 + i).Bytes(32)).ToList();
        var paths = seeds.Select((_, i) => Path.Combine(_dir, $"kit{i}.json")).ToList();
        string[] addresses = Kit.Run(seeds.Select((s, i) => new JsonObject { ["op"] = "writeKeypairFile", ["seed"] = Gen.Hex(s), ["path"] = paths[i] }).ToList());
        for (int i = 0; i < seeds.Count; i++)
        {
            Account read = KeypairFile.Read(paths[i]);
            Assert.That(read.PublicKey.Key, Is.EqualTo(addresses[i]), $"file {i}");
            Assert.That(read.Seed, Is.EqualTo(seeds[i]), $"file {i}");
        }
    }

    [Test]
    public void A_file_in_the_CLIs_format_with_whitespace_is_read()
    {
        Account a = Gen.AccountFrom(new Random(7));
        string path = Path.Combine(_dir, "cli.json");
        File.WriteAllText(path, "[ " + string.Join(",\n ", a.SecretKey) + " ]\n");
        Assert.That(KeypairFile.Read(path).PublicKey, Is.EqualTo(a.PublicKey));
    }

    [Test]
    public void Writing_over_an_existing_file_needs_overwrite_and_leaves_it_0600()
    {
        string path = Path.Combine(_dir, "id.json");
        File.WriteAllText(path, "old");
        Assert.That(() => KeypairFile.Write(path, Account.Generate()), Throws.InstanceOf<IOException>().With.Message.Contain("already exists"));
        Account a = Account.Generate();
        KeypairFile.Write(path, a, overwrite: true);
        Assert.That(KeypairFile.Read(path).PublicKey, Is.EqualTo(a.PublicKey));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public void A_missing_file_is_named()
    {
        string path = Path.Combine(_dir, "nope.json");
        var e = Assert.Throws<FileNotFoundException>(() => KeypairFile.Read(path));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("{\"a\":1}", "expected a JSON array")]
    [TestCase("[1,2,3]", "found 3")]
    public void Bad_files_are_refused_naming_the_file(string text, string why)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<KeypairFileException>(() => KeypairFile.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(why));
        Assert.That(e.FilePath, Is.EqualTo(path));
    }

    [Test]
    public void A_byte_out_of_range_or_mismatched_halves_are_refused_naming_the_file()
    {
        string path = Path.Combine(_dir, "bad.json");
        Account a = Account.Generate();
        int[] numbers = a.SecretKey.Select(b => (int)b).ToArray();
        numbers[5] = 256;
        File.WriteAllText(path, "[" + string.Join(',', numbers) + "]");
        Assert.That(() => KeypairFile.Read(path), Throws.TypeOf<KeypairFileException>().With.Message.Contain(path).And.Message.Contain("element 5 is 256"));

        byte[] secret = a.SecretKey;
        secret[40] ^= 1;
        File.WriteAllText(path, "[" + string.Join(',', secret) + "]");
        Assert.That(() => KeypairFile.Read(path), Throws.TypeOf<KeypairFileException>().With.Message.Contain(path).And.Message.Contain("not the public key of its seed"));
    }
}
