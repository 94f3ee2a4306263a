using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Validation;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;

namespace AgentCluster.Cli.Evm;

/// <summary><c>agentcluster evm ...</c>: offline EVM tools in the manner of Foundry's cast, on Nethereum
/// (Keccak, ABI, transactions, EIP-712, signatures) and AgentCluster.Evm.Validation (strict input).</summary>
internal static class EvmCommands
{
    private const string JsonSources = "Give the JSON inline, '-' to read it from standard input, or '@path' to read a file.";
    private const string HexSources = "Give it inline, '-' to read it from standard input, or '@path' to read a file (surrounding whitespace is ignored).";

    public static Command Build(TextReader stdin) => new("evm", "Offline EVM tools: hashing, ABI, transactions, signatures, EIP-712.")
    {
        Keccak(),
        Selector(),
        AbiEncode(stdin),
        AbiDecode(stdin),
        SignTx(stdin),
        DecodeTx(stdin),
        TypedDataHash(stdin),
        SignTypedData(stdin),
        Recover(),
    };

    private static Command Keccak()
    {
        var data = new Argument<string>("data") { Description = "0x-prefixed hex is hashed as bytes; anything else as its UTF-8 text (cast's rule)." };
        var command = new Command("keccak", "Keccak-256 of bytes or text; prints the 32-byte hash as 0x-hex.") { data };
        command.SetAction(parse =>
        {
            string text = parse.GetRequiredValue(data);
            byte[] bytes = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? CliInput.Parse("<data>", () => EvmInput.ParseHex(text))
                : Encoding.UTF8.GetBytes(text);
            parse.InvocationConfiguration.Output.WriteLine(HexOf(Sha3Keccack.Current.CalculateHash(bytes)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Selector()
    {
        var signature = new Argument<string>("signature") { Description = "A function or error signature, e.g. 'transfer(address,uint256)' or 'function transfer(address to, uint amount)'." };
        var isEvent = new Option<bool>("--event") { Description = "Treat the signature as an event and print its 32-byte topic 0 instead." };
        var command = new Command("selector", "The 4-byte selector of a function or error (or an event's topic 0 with --event).") { signature, isEvent };
        command.SetAction(parse =>
        {
            string text = parse.GetRequiredValue(signature);
            bool asEvent = parse.GetValue(isEvent);
            SolSignature parsed = CliInput.Parse("<signature>", () => SolSignatureParser.ParseSignature(text, asEvent ? "event" : "function"));
            string result = HexOf(asEvent ? parsed.Hash : parsed.Selector);
            parse.InvocationConfiguration.Output.WriteLine(result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AbiEncode(TextReader stdin)
    {
        var signature = new Argument<string>("signature")
        {
            Description = "The parameter types: 'f(uint256,address)' (the name is ignored unless --calldata), '(uint256,address)' or 'uint256,address'.",
        };
        var arguments = new Argument<string>("args")
        {
            Description = "A JSON array with one value per parameter: integers as numbers or decimal/0x-hex strings, addresses and bytes as " +
                "0x-hex strings, bools as true/false, strings as strings, arrays and tuples as arrays (tuples with named components also as objects). " + JsonSources,
        };
        var calldata = new Option<bool>("--calldata") { Description = "Prefix the function's selector (needs a named function signature), like cast calldata." };
        var command = new Command("abi-encode", "ABI-encodes arguments; prints 0x-hex.") { signature, arguments, calldata };
        command.SetAction(parse =>
        {
            var (function, parameters) = ParseSignature("<signature>", parse.GetRequiredValue(signature));
            bool withSelector = parse.GetValue(calldata);
            if (withSelector && function is null)
            {
                throw new CliInputException("<signature>", "--calldata needs a function signature with a name, such as 'f(uint256)'.");
            }

            JsonElement json = CliInput.ParseJson("<args>", CliInput.ReadText("<args>", parse.GetRequiredValue(arguments), stdin));
            object[] values = CliInput.Parse("<args>", () => AbiJson.ToValues(parameters, json));
            byte[] encoded = CliInput.Parse("<args>", () => Encode(parameters, values));
            parse.InvocationConfiguration.Output.WriteLine(withSelector ? HexOf([.. function!.Selector, .. encoded]) : HexOf(encoded));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AbiDecode(TextReader stdin)
    {
        var types = new Argument<string>("types")
        {
            Description = "'(uint256,address)' or 'uint256,address'; or a function signature: 'f(uint256)(address)' decodes the outputs, " +
                "'f(uint256)' the inputs (without selector; with --calldata, after checking the selector).",
        };
        var data = new Argument<string>("data") { Description = "The ABI-encoded data as 0x-hex. " + HexSources };
        var calldata = new Option<bool>("--calldata") { Description = "The data is calldata: check and strip the function's selector, decode its inputs." };
        var command = new Command("abi-decode", "Decodes ABI data (refusing what Solidity's abi.decode refuses); prints a JSON array (integers as decimal strings, bytes as 0x-hex, addresses checksummed).")
        {
            types, data, calldata,
        };
        command.SetAction(parse =>
        {
            var (function, parameters) = ParseSignature("<types>", parse.GetRequiredValue(types));
            byte[] bytes = ReadHex("<data>", parse.GetRequiredValue(data), stdin);
            if (parse.GetValue(calldata))
            {
                if (function is null)
                {
                    throw new CliInputException("<types>", "--calldata needs a function signature with a name, such as 'f(uint256)'.");
                }

                if (bytes.Length < 4 || !bytes.AsSpan(0, 4).SequenceEqual(function.Selector))
                {
                    throw new CliInputException("<data>", $"Calldata does not start with the selector {HexOf(function.Selector)} of {function.Canonical} (it starts with {HexOf(bytes[..Math.Min(4, bytes.Length)])}).");
                }

                bytes = bytes[4..];
            }
            else if (function is { Outputs.Count: > 0 })
            {
                parameters = function.Outputs;
            }

            Parameter[] nethereum = ToParameters(parameters);
            List<ParameterOutput> outputs = CliInput.Parse("<data>", () =>
            {
                StrictAbi.EnsureClean(bytes, nethereum);
                return Decode(bytes, nethereum);
            });
            WriteJson(parse.InvocationConfiguration.Output, writer => AbiJson.WriteValues(writer, parameters, outputs));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SignTx(TextReader stdin)
    {
        var transaction = new Argument<string>("transaction")
        {
            Description = "The transaction as eth_signTransaction takes it: type, chainId, nonce, to, value, gas, maxFeePerGas, maxPriorityFeePerGas " +
                "or gasPrice, data, accessList (quantities as 0x-hex, decimal strings or numbers; from, if given, must match the key). " + JsonSources,
        };
        var privateKey = PrivateKeyOption();
        var command = new Command("sign-tx", "Signs a transaction offline; prints the raw signed transaction (for eth_sendRawTransaction) as 0x-hex.")
        {
            transaction, privateKey,
        };
        command.SetAction(parse =>
        {
            Signing key = ParseKey(parse.GetRequiredValue(privateKey));
            JsonElement json = CliInput.ParseJson("<transaction>", CliInput.ReadText("<transaction>", parse.GetRequiredValue(transaction), stdin));
            string? from = null;
            TransactionRequest tx = CliInput.Parse("<transaction>", () => TransactionJson.Parse(json, out from));
            string address = key.Address;
            if (from is { } sender && !string.Equals(sender, address, StringComparison.OrdinalIgnoreCase))
            {
                throw new CliInputException("<transaction>", $"from {sender} is not the address of --private-key ({address}).");
            }

            parse.InvocationConfiguration.Output.WriteLine(tx.Sign(key));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DecodeTx(TextReader stdin)
    {
        var raw = new Argument<string>("raw") { Description = "A raw signed transaction as 0x-hex (legacy, EIP-2930 or EIP-1559). " + HexSources };
        var command = new Command("decode-tx", "Decodes a raw signed transaction (refusing non-canonical encodings and high-s signatures); prints it as eth_getTransactionByHash JSON, with the recovered from and the hash.")
        {
            raw,
        };
        command.SetAction(parse =>
        {
            byte[] bytes = ReadHex("<raw>", parse.GetRequiredValue(raw), stdin);
            ISignedTransaction signed = CliInput.Parse("<raw>", () => TransactionJson.Decode(bytes));
            WriteJson(parse.InvocationConfiguration.Output, writer => TransactionJson.Write(writer, signed));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TypedDataHash(TextReader stdin)
    {
        var typedData = TypedDataArgument();
        var command = new Command("typed-data-hash", "The EIP-712 digest (keccak256(0x1901 || domainSeparator || hashStruct(message))) as 0x-hex.") { typedData };
        command.SetAction(parse =>
        {
            TypedDataRaw data = ParseTypedData(parse.GetRequiredValue(typedData), stdin);
            parse.InvocationConfiguration.Output.WriteLine(HexOf(CliInput.Parse("<typed-data>", () => TypedDataJson.Hash(data))));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SignTypedData(TextReader stdin)
    {
        var typedData = TypedDataArgument();
        var privateKey = PrivateKeyOption();
        var command = new Command("sign-typed-data", "Signs EIP-712 typed data as eth_signTypedData_v4 does; prints the 65-byte signature r||s||v (v = 27/28) as 0x-hex.")
        {
            typedData, privateKey,
        };
        command.SetAction(parse =>
        {
            Signing key = ParseKey(parse.GetRequiredValue(privateKey));
            TypedDataRaw data = ParseTypedData(parse.GetRequiredValue(typedData), stdin);
            byte[] digest = CliInput.Parse("<typed-data>", () => TypedDataJson.Hash(data));
            parse.InvocationConfiguration.Output.WriteLine(key.SignHash(digest));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Recover()
    {
        var hash = new Argument<string>("hash") { Description = "The signed 32-byte hash as 0x-hex (for EIP-712, the typed-data-hash)." };
        var signature = new Argument<string>("signature") { Description = "The 65-byte signature r||s||v as 0x-hex; v is 27/28 or 0/1." };
        var command = new Command("recover", "Recovers the signer of a hash; prints the checksummed address.") { hash, signature };
        command.SetAction(parse =>
        {
            byte[] digest = CliInput.Parse("<hash>", () => EvmInput.ParseHex(parse.GetRequiredValue(hash), 32, "a 32-byte hash"));
            byte[] bytes = CliInput.Parse("<signature>", () => EvmInput.ParseHex(parse.GetRequiredValue(signature), 65, "a signature r||s||v"));
            byte v = bytes[64] switch
            {
                0 or 1 => (byte)(bytes[64] + 27),
                27 or 28 => bytes[64],
                _ => throw new CliInputException("<signature>", $"Signature v must be 27 or 28 (or 0 or 1), got {bytes[64]}."),
            };
            EthECDSASignature parsed = EthECDSASignatureFactory.FromComponents(bytes[..32], bytes[32..64], v);
            string signer = CliInput.Parse("<signature>", () => Recover(parsed, digest));
            parse.InvocationConfiguration.Output.WriteLine(signer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> PrivateKeyOption() => new("--private-key")
    {
        Description = "The signing key: 32 bytes as hex (with or without 0x).",
        Required = true,
    };

    private static Argument<string> TypedDataArgument() => new("typed-data")
    {
        Description = "The EIP-712 JSON that eth_signTypedData_v4 takes: types, primaryType, domain, message. " + JsonSources,
    };

    /// <summary>Parses the key without ever echoing it: a malformed key in an error message would leak into logs.</summary>
    private static Signing ParseKey(string text)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        bool hex = digits.All(char.IsAsciiHexDigit);
        if (digits.Length != 64 || !hex)
        {
            throw new CliInputException("--private-key", $"expected 32 bytes as 64 hex digits (0x optional), got {digits.Length} character(s){(hex ? "" : " with non-hex ones")}.");
        }

        byte[] bytes = Convert.FromHexString(digits);
        var scalar = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        if (scalar.IsZero || scalar >= SignatureRules.CurveOrder)
        {
            throw new CliInputException("--private-key", "not a valid secp256k1 private key (it must be between 1 and the curve order n-1).");
        }

        return new Signing(bytes);
    }

    private static TypedDataRaw ParseTypedData(string value, TextReader stdin)
    {
        string json = CliInput.ReadText("<typed-data>", value, stdin);
        return CliInput.Parse("<typed-data>", () => TypedDataJson.Parse(json));
    }

    /// <summary>Hex from the argument, '-' (stdin) or '@path'; surrounding whitespace (a file's final newline) is ignored; 0x required.</summary>
    private static byte[] ReadHex(string argument, string value, TextReader stdin)
    {
        string text = CliInput.ReadText(argument, value, stdin).Trim();
        return CliInput.Parse(argument, () => EvmInput.ParseHex(text));
    }

    private static Parameter[] ToParameters(IReadOnlyList<SolParameter> parameters) => parameters.Select((p, i) => p.ToParameter(i + 1)).ToArray();

    /// <summary>Nethereum's ParametersEncoder; the values were checked by <see cref="AbiJson"/>, so a failure here is reported with Nethereum's words.</summary>
    internal static byte[] Encode(IReadOnlyList<SolParameter> parameters, object[] values)
    {
        try
        {
            return new ParametersEncoder().EncodeParameters(ToParameters(parameters), values);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"Nethereum could not encode the values: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static List<ParameterOutput> Decode(byte[] data, Parameter[] parameters)
    {
        try
        {
            return new ParameterDecoder().DecodeDefaultData(data, parameters);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"Nethereum could not decode the data: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static string Recover(EthECDSASignature signature, byte[] digest)
    {
        try
        {
            return AddressUtil.Current.ConvertToChecksumAddress(EthECKey.RecoverFromSignature(signature, digest).GetPublicAddress());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"No public key can be recovered from this signature and hash: {e.Message}", e);
        }
    }

    private static string HexOf(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>
    /// Parses a parameter list (<c>(a,b)</c> or <c>a,b</c>; outer parentheses are the list, so a single tuple parameter is
    /// <c>((a,b))</c>) or a named function signature, which also returns its <see cref="SolSignature"/>.
    /// </summary>
    internal static (SolSignature? Function, IReadOnlyList<SolParameter> Inputs) ParseSignature(string argument, string text)
    {
        string trimmed = text.Trim();
        int paren = trimmed.IndexOf('(', StringComparison.Ordinal);
        string head = paren < 0 ? trimmed : trimmed[..paren].Trim();
        bool isTypeList = paren <= 0 || head == "tuple" || head.Contains(',', StringComparison.Ordinal) || head.Contains('[', StringComparison.Ordinal);
        if (!isTypeList)
        {
            SolSignature function = CliInput.Parse(argument, () => SolSignatureParser.ParseSignature(trimmed, "function"));
            return (function, function.Inputs);
        }

        return (null, CliInput.Parse(argument, () => SolSignatureParser.ParseParameterList(trimmed)));
    }

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
