using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Evm.Signing;
using AgentCluster.Evm.Tests.Oracles;
using AgentCluster.Evm.Tests.Signing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Evm.Tests.Differential;

/// <summary>
/// secp256k1 signing as this project does it (<see cref="Secp256k1Signer"/>, NBitcoin.Secp256k1 with the key's 32 bytes) against
/// cast and viem: addresses, raw-hash signatures, EIP-191 personal messages, recovery; and against Nethereum's default
/// BouncyCastle path (EthECKey), byte for byte. Keys include those below 2^248 (first byte zero, first two bytes zero), 1 and n-1
/// (<see cref="TestKeys"/>). Nethereum's own process-wide fast path and its gap are pinned at the end.
/// </summary>
[Category("Differential")]
[Parallelizable(ParallelScope.Children)]
public class SigningDifferentialTests
{
    private static string Signature(EthECDSASignature signature) => EthECDSASignature.CreateStringSignature(signature).ToLowerInvariant();

    private static string CastMessageArgument(byte[] message) => message.ToHex(true); // cast reads a 0x-prefixed message as hex bytes

    [Test]
    public void Address_OfKeysIncludingLeadingZeroOnesAndEdges_MatchesCastWalletAddress()
    {
        var keys = TestKeys.Mix(RandomAbi.ForTest(20), 40);
        Diff.WithCast(keys.Select(k => new[] { "wallet", "address", "--private-key", TestKeys.Hex(k) }).ToArray(), (i, cast) =>
        {
            string ours = new Secp256k1Signer(keys[i]).Address;
            return ours == cast ? null : $"ours {ours}, cast {cast}";
        });
    }

    [Test]
    public void SignHash_RawHash_MatchesCastNoHash_AndRecovers()
    {
        var rng = RandomAbi.ForTest(21);
        var cases = TestKeys.Mix(rng, 60).Select(k => (Key: k, Hash: rng.Bytes(32))).ToArray();
        Diff.WithCast(cases.Select(c => new[] { "wallet", "sign", "--no-hash", "--private-key", TestKeys.Hex(c.Key), c.Hash.ToHex(true) }).ToArray(), (i, cast) =>
        {
            var signer = new Secp256k1Signer(cases[i].Key);
            string ours = Signature(signer.SignHash(cases[i].Hash));
            if (ours != cast)
            {
                return $"ours {ours}, cast {cast}";
            }

            string recovered = EthECKey.RecoverFromSignature(EthECDSASignatureFactory.ExtractECDSASignature(ours), cases[i].Hash).GetPublicAddress();
            return recovered == signer.Address ? null : $"the signature recovers {recovered}, not {signer.Address}";
        });
    }

    [Test]
    public void SignHash_RawHash_MatchesViem()
    {
        var rng = RandomAbi.ForTest(22);
        var cases = TestKeys.Mix(rng, 400).Select(k => (Key: k, Hash: rng.Bytes(32))).ToArray();
        Diff.WithViem(
            cases.Select(c => new JsonObject { ["op"] = "signHash", ["key"] = TestKeys.Hex(c.Key), ["hash"] = c.Hash.ToHex(true) }).ToArray(),
            cases.Select(c => Signature(new Secp256k1Signer(c.Key).SignHash(c.Hash))).ToArray());
    }

    [Test]
    public void SignPersonalMessage_Utf8AndRawBytes_MatchesCast_AndRecovers()
    {
        var rng = RandomAbi.ForTest(23);
        // Both kinds go to cast as 0x-hex (cast then signs those bytes): UTF-8 text, and raw bytes of random length.
        var cases = TestKeys.Mix(rng, 50).Select((k, i) => (Key: k, Message: i % 2 == 0 ? Encoding.UTF8.GetBytes("m" + rng.Text()) : rng.Bytes(rng.Next(1, 200)))).ToArray();
        var nethereum = new EthereumMessageSigner();
        Diff.WithCast(cases.Select(c => new[] { "wallet", "sign", "--private-key", TestKeys.Hex(c.Key), CastMessageArgument(c.Message) }).ToArray(), (i, cast) =>
        {
            var signer = new Secp256k1Signer(cases[i].Key);
            string ours = signer.SignPersonalMessage(cases[i].Message).ToLowerInvariant();
            if (ours != cast)
            {
                return $"ours {ours}, cast {cast}";
            }

            string recovered = nethereum.EcRecover(cases[i].Message, ours);
            return recovered == signer.Address ? null : $"the signature recovers {recovered}, not {signer.Address}";
        });
    }

    [Test]
    public void SignPersonalMessage_Utf8AndRawMessages_MatchViem()
    {
        var rng = RandomAbi.ForTest(25);
        var cases = TestKeys.Mix(rng, 300).Select((k, i) => (Key: k, Text: rng.Text(), Raw: i % 2 == 0 ? rng.Bytes(rng.Next(0, 300)) : null)).ToArray();
        Diff.WithViem(cases.Select(c =>
            {
                var request = new JsonObject { ["op"] = "signMessage", ["key"] = TestKeys.Hex(c.Key) };
                if (c.Raw is null)
                {
                    request["message"] = c.Text;
                }
                else
                {
                    request["raw"] = c.Raw.ToHex(true);
                }

                return request;
            }).ToArray(),
            cases.Select(c => new Secp256k1Signer(c.Key).SignPersonalMessage(c.Raw ?? Encoding.UTF8.GetBytes(c.Text)).ToLowerInvariant()).ToArray());
    }

    /// <summary>
    /// Secp256k1Signer against Nethereum's default path (EthECKey on BouncyCastle, correct for every key) on 300 keys: raw hash
    /// (V 27/28), y-parity, EIP-191, EIP-1559 and EIP-2930 transactions, addresses. NonParallelizable: the pinned gap tests below
    /// switch Nethereum's process-wide path, and this test must see the default.
    /// </summary>
    [Test]
    [NonParallelizable]
    public void SameBytesAsNethereumBouncyCastle_OnHundredsOfKeys()
    {
        Assert.That(EthECKey.SignRecoverable, Is.False, "Nethereum's default (BouncyCastle) path: nothing in this project switches it");
        var rng = RandomAbi.ForTest(26);
        var messageSigner = new EthereumMessageSigner();
        var differing = new List<string>();
        byte[][] keys = TestKeys.Mix(rng, 300);
        for (int i = 0; i < keys.Length; i++)
        {
            var signer = new Secp256k1Signer(keys[i]);
            var key = new EthECKey(keys[i], true);
            byte[] hash = rng.Bytes(32);
            byte[] message = rng.Bytes(rng.Next(0, 100));
            string to = rng.Address();
            var tx1559 = (Ours: new Transaction1559(8453, i, 1, 2, 21000, to, i, "0x", []), Theirs: new Transaction1559(8453, i, 1, 2, 21000, to, i, "0x", []));
            var access = new List<AccessListItem> { new(rng.Address(), [rng.Bytes(32)]) };
            var tx2930 = (Ours: new Transaction2930(1, i, 3, 50000, to, 0, "0x01", access), Theirs: new Transaction2930(1, i, 3, 50000, to, 0, "0x01", access));
            signer.Sign(tx1559.Ours);
            signer.Sign(tx2930.Ours);
            (string What, string Ours, string Theirs)[] pairs =
            [
                ("address", signer.Address, key.GetPublicAddress()),
                ("hash", Signature(signer.SignHash(hash)), Signature(key.SignAndCalculateV(hash))),
                ("y-parity", Signature(signer.SignHashYParity(hash)), Signature(key.SignAndCalculateYParityV(hash))),
                ("EIP-191", signer.SignPersonalMessage(message).ToLowerInvariant(), messageSigner.Sign(message, key).ToLowerInvariant()),
                ("EIP-1559", tx1559.Ours.GetRLPEncoded().ToHex(true), new Transaction1559Signer().SignTransaction(key, tx1559.Theirs).EnsureHexPrefix()),
                ("EIP-2930", tx2930.Ours.GetRLPEncoded().ToHex(true), new TypeTransactionSigner<Transaction2930>().SignTransaction(key, tx2930.Theirs).EnsureHexPrefix()),
            ];
            differing.AddRange(pairs.Where(p => p.Ours != p.Theirs).Select(p => $"key {TestKeys.Hex(keys[i])} {p.What}: ours {p.Ours}, BouncyCastle {p.Theirs}"));
        }

        Assert.That(differing, Is.Empty, $"{differing.Count} results differ (seed offset {RandomAbi.SeedOffset}):\n" + string.Join("\n", differing.Take(8)));
    }

    /// <summary>
    /// For the record: with Nethereum's own process-wide switch on (<c>EthECKey.SignRecoverable = true</c>, the same library),
    /// keys at or above 2^248 give the same bytes as Secp256k1Signer. Switched inside this test only and restored.
    /// </summary>
    [Test]
    [NonParallelizable] // flips Nethereum's process-wide EthECKey.SignRecoverable; nothing else runs meanwhile
    public void NethereumFastPath_OnKeysWithANonZeroFirstByte_GivesTheSameBytes()
    {
        var rng = RandomAbi.ForTest(29);
        var keys = Enumerable.Range(0, 100).Select(i => TestKeys.Random(rng, 0)).Where(k => k[0] != 0).ToArray();
        var hashes = keys.Select(_ => rng.Bytes(32)).ToArray();
        string[] ours = keys.Select((k, i) => Signature(new Secp256k1Signer(k).SignHash(hashes[i]))).ToArray();
        bool before = EthECKey.SignRecoverable;
        string[] fast;
        try
        {
            EthECKey.SignRecoverable = true;
            fast = keys.Select((k, i) => Signature(new EthECKey(k, true).SignAndCalculateV(hashes[i]))).ToArray();
        }
        finally
        {
            EthECKey.SignRecoverable = before;
        }

        Assert.That(fast, Is.EqualTo(ours));
    }

    /// <summary>
    /// GAP (Nethereum 6.1.0, found here): EthECKey.GetPrivateKeyAsBytes() drops leading zero bytes, and Nethereum's fast path
    /// (process-wide <c>EthECKey.SignRecoverable = true</c>) hands that to NBitcoin.Secp256k1, which wants exactly 32 bytes: every key
    /// below 2^248 (about 1 key in 256) cannot sign at all (ArgumentException "b32 should be of length 32") - raw hashes, EIP-191,
    /// EIP-712 and transactions alike. Nethereum's own GenerateKey never makes such keys; imported ones (keystores, environment,
    /// other wallets) can be. This project therefore signs with Secp256k1Signer and never turns the switch on; the same keys sign
    /// with it here. If this test fails, Nethereum fixed it: the switch is then safe to opt into.
    /// </summary>
    [Test]
    [NonParallelizable] // flips Nethereum's process-wide EthECKey.SignRecoverable; nothing else runs meanwhile
    public void Gap_NethereumFastPath_CannotSignWithAKeyThatHasALeadingZeroByte()
    {
        var rng = RandomAbi.ForTest(27);
        var messageSigner = new EthereumMessageSigner();
        var cases = Enumerable.Range(0, 20).Select(i => (Key: TestKeys.Random(rng, i % 2 == 0 ? 1 : 3), Hash: rng.Bytes(32))).ToArray();
        bool before = EthECKey.SignRecoverable;
        try
        {
            EthECKey.SignRecoverable = true;
            foreach (var (bytes, hash) in cases)
            {
                var key = new EthECKey(bytes, true);
                Assert.That(key.GetPrivateKeyAsBytes(), Has.Length.LessThan(32), "GetPrivateKeyAsBytes drops the leading zero byte");
                Assert.That(() => key.SignAndCalculateV(hash), Throws.ArgumentException.With.Message.Contains("b32 should be of length 32"));
                Assert.That(() => key.SignAndCalculateYParityV(hash), Throws.ArgumentException.With.Message.Contains("b32 should be of length 32"));
                Assert.That(() => messageSigner.EncodeUTF8AndSign("hello", key), Throws.ArgumentException.With.Message.Contains("b32 should be of length 32"));
                var tx = new Transaction1559(8453, 0, 1, 2, 21000, rng.Address(), 0, "0x", []);
                Assert.That(() => new Transaction1559Signer().SignTransaction(key, tx), Throws.ArgumentException.With.Message.Contains("b32 should be of length 32"));
                Assert.That(() => Nethereum.Signer.EIP712.Eip712TypedDataSigner.Current.SignTypedDataV4(Eip712.Eip712MailVectorTests.MailJson, key),
                    Throws.ArgumentException.With.Message.Contains("b32 should be of length 32"));
            }
        }
        finally
        {
            EthECKey.SignRecoverable = before;
        }

        // The same keys sign with Secp256k1Signer, as cast does.
        string[] ours = cases.Select(c => Signature(new Secp256k1Signer(c.Key).SignHash(c.Hash))).ToArray();
        Diff.WithCast(cases.Select(c => new[] { "wallet", "sign", "--no-hash", "--private-key", TestKeys.Hex(c.Key), c.Hash.ToHex(true) }).ToArray(),
            (i, cast) => ours[i] == cast ? null : $"ours {ours[i]}, cast {cast}");
    }
}
