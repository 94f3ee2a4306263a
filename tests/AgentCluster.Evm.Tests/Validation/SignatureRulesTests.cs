using System.Numerics;
using AgentCluster.Evm.Validation;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;

namespace AgentCluster.Evm.Tests.Validation;

[Parallelizable(ParallelScope.All)]
public class SignatureRulesTests
{
    // EIP-155's example transaction, signed by 0x4646...46.
    private const string Eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
    private const string Eip155Sender = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";

    [Test]
    public void EnsureLowS_AcceptsASignatureFromASigner()
    {
        ISignedTransaction tx = TransactionFactory.CreateTransaction(Eip155Raw);
        Assert.DoesNotThrow(() => SignatureRules.EnsureLowS(tx));
        var key = new EthECKey("0x4646464646464646464646464646464646464646464646464646464646464646");
        for (int i = 0; i < 20; i++)
        {
            EthECDSASignature signature = key.SignAndCalculateV(new Nethereum.Util.Sha3Keccack().CalculateHash(BitConverter.GetBytes(i)));
            Assert.DoesNotThrow(() => SignatureRules.EnsureLowS(signature));
        }
    }

    [Test]
    public void EnsureLowS_RefusesTheMalleatedTwinThatNethereumAccepts()
    {
        var legacy = (LegacyTransactionChainId)TransactionFactory.CreateTransaction(Eip155Raw);
        BigInteger s = new(legacy.Signature.S, isUnsigned: true, isBigEndian: true);
        byte[] highS = (SignatureRules.CurveOrder - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        int v = legacy.Signature.V[0] == 0x25 ? 0x26 : 0x25; // the other recovery id
        // The same fields as EIP-155's example (to, value, nonce, gasPrice, gas, data, chainId), with (r, n - s, other v).
        var twin = new LegacyTransactionChainId("0x3535353535353535353535353535353535353535", BigInteger.Pow(10, 18), 9, 20_000_000_000, 21000, "", 1,
            legacy.Signature.R, highS, [(byte)v]);
        ISignedTransaction decoded = TransactionFactory.CreateTransaction(twin.GetRLPEncoded());

        // Nethereum recovers the same sender from the twin (a different hash): that is why the rule is ours to enforce.
        Assert.That(decoded.GetSenderAddress(), Is.EqualTo(Eip155Sender));
        Assert.That(decoded.Hash.ToHex(), Is.Not.EqualTo(legacy.Hash.ToHex()));
        var e = Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(decoded));
        Assert.That(e!.Message, Does.Contain("EIP-2").And.Contain("upper half"));
    }

    [Test]
    public void EnsureLowS_RefusesZeroAndOutOfRangeComponents()
    {
        Assert.That(Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(BigInteger.Zero, BigInteger.One))!.Message, Does.Contain("r = 0x0"));
        Assert.That(Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(BigInteger.One, BigInteger.Zero))!.Message, Does.Contain("s = 0x0"));
        Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(SignatureRules.CurveOrder, BigInteger.One));
        Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(BigInteger.One, SignatureRules.CurveOrder));
        Assert.DoesNotThrow(() => SignatureRules.EnsureLowS(BigInteger.One, SignatureRules.HalfCurveOrder));
        Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(BigInteger.One, SignatureRules.HalfCurveOrder + 1));
    }

    [Test]
    public void EnsureLowS_RefusesAnUnsignedTransaction()
    {
        var unsigned = new Transaction1559(1, 0, 1, 1, 21000, "0x3535353535353535353535353535353535353535", 0, "", []);
        Assert.Throws<FormatException>(() => SignatureRules.EnsureLowS(unsigned));
    }
}
