using AgentCluster.Solana.Keys;

namespace AgentCluster.Solana.Programs;

/// <summary>
/// The Ed25519 native program's instruction verifying one signature with everything in its own data: u8 count (1), u8 padding,
/// then the offsets (u16 each: signature, its instruction index, public key, its instruction index, message, message size, its
/// instruction index; 0xffff = this instruction), then the public key at 16, the signature at 48, the message at 112.
/// </summary>
public static class Ed25519Program
{
    /// <summary>The program id.</summary>
    public static PublicKey ProgramId => WellKnown.Ed25519Program;

    /// <summary>Where the public key starts in the data (after the 2-byte count and the 14 bytes of offsets).</summary>
    public const int PublicKeyOffset = 16;

    /// <summary>Where the signature starts.</summary>
    public const int SignatureOffset = PublicKeyOffset + 32;

    /// <summary>Where the message starts.</summary>
    public const int MessageOffset = SignatureOffset + 64;

    /// <summary>The instruction index that means "this instruction".</summary>
    public const ushort ThisInstruction = 0xffff;

    /// <summary>The instruction checking that <paramref name="signature"/> is <paramref name="publicKey"/>'s signature of <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentException">A signature that is not 64 bytes, or a message too long for the u16 offsets.</exception>
    public static TransactionInstruction VerifySignature(PublicKey publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signature.Length != Account.SignatureLength)
        {
            throw new ArgumentException($"An Ed25519 signature is {Account.SignatureLength} bytes; got {signature.Length}.", nameof(signature));
        }

        if (message.Length > ushort.MaxValue - MessageOffset)
        {
            throw new ArgumentException($"The message is {message.Length} bytes; the offsets are u16, so at most {ushort.MaxValue - MessageOffset}.", nameof(message));
        }

        byte[] data = new Data()
            .U8(1).U8(0)
            .U16(SignatureOffset).U16(ThisInstruction)
            .U16(PublicKeyOffset).U16(ThisInstruction)
            .U16(MessageOffset).U16((ushort)message.Length).U16(ThisInstruction)
            .Key(publicKey).Raw(signature).Raw(message)
            .ToArray();
        return new(ProgramId, [], data);
    }

    /// <summary>Signs <paramref name="message"/> with <paramref name="signer"/> and returns the instruction verifying it.</summary>
    public static TransactionInstruction VerifySignature(Account signer, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return VerifySignature(signer.PublicKey, message, signer.Sign(message));
    }
}
