using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Abi;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Eip712;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Cli.Evm;

/// <summary><c>agentcluster evm ...</c>: offline EVM tools in the manner of Foundry's cast, on AgentCluster.Evm.</summary>
internal static class EvmCommands
{
    private const string JsonSources = "Give the JSON inline, '-' to read it from standard input, or '@path' to read a file.";

    public static Command Build(TextReader stdin) => new("evm", "Offline EVM tools: hashing, ABI, transactions, signatures, EIP-712.")
    {
        Keccak(),
        Selector(),
        AbiEncode(stdin),
        AbiDecode(),
        SignTx(stdin),
        DecodeTx(),
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
                ? CliInput.Parse("<data>", () => Hex.Decode(text))
                : Encoding.UTF8.GetBytes(text);
            parse.InvocationConfiguration.Output.WriteLine(AgentCluster.Evm.Keccak.Hash(bytes).ToString());
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
            string result = parse.GetValue(isEvent)
                ? CliInput.Parse("<signature>", () => AbiEvent.Parse(text).Topic0.ToString())
                : CliInput.Parse("<signature>", () => AbiFunction.Parse(text).SelectorHex);
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
            object?[] values = CliInput.Parse("<args>", () => AbiJson.ToValues(parameters, json));
            byte[] encoded = CliInput.Parse("<args>", () => AbiEncoder.Encode(parameters.Select(p => p.Type).ToArray(), values));
            parse.InvocationConfiguration.Output.WriteLine(withSelector ? Hex.Encode([.. function!.Selector, .. encoded]) : Hex.Encode(encoded));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AbiDecode()
    {
        var types = new Argument<string>("types")
        {
            Description = "'(uint256,address)' or 'uint256,address'; or a function signature: 'f(uint256)(address)' decodes the outputs, " +
                "'f(uint256)' the inputs (without selector; with --calldata, after checking the selector).",
        };
        var data = new Argument<string>("data") { Description = "The ABI-encoded data as 0x-hex." };
        var calldata = new Option<bool>("--calldata") { Description = "The data is calldata: check and strip the function's selector, decode its inputs." };
        var command = new Command("abi-decode", "Decodes ABI data; prints a JSON array (integers as decimal strings, bytes as 0x-hex, addresses checksummed).")
        {
            types, data, calldata,
        };
        command.SetAction(parse =>
        {
            var (function, parameters) = ParseSignature("<types>", parse.GetRequiredValue(types));
            byte[] bytes = CliInput.Parse("<data>", () => Hex.Decode(parse.GetRequiredValue(data)));
            object?[] values;
            if (parse.GetValue(calldata))
            {
                if (function is null)
                {
                    throw new CliInputException("<types>", "--calldata needs a function signature with a name, such as 'f(uint256)'.");
                }

                values = CliInput.Parse("<data>", () => function.DecodeCall(bytes));
            }
            else
            {
                if (function is { Outputs.Count: > 0 })
                {
                    parameters = function.Outputs;
                }

                values = CliInput.Parse("<data>", () => AbiDecoder.Decode(parameters.Select(p => p.Type).ToArray(), bytes));
            }

            WriteJson(parse.InvocationConfiguration.Output, writer => AbiJson.WriteValues(writer, parameters.Select(p => p.Type).ToArray(), values));
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
            EthECKey key = ParseKey(parse.GetRequiredValue(privateKey));
            JsonElement json = CliInput.ParseJson("<transaction>", CliInput.ReadText("<transaction>", parse.GetRequiredValue(transaction), stdin));
            Address? from = null;
            Transaction tx = CliInput.Parse("<transaction>", () => TransactionJson.Parse(json, out from));
            if (from is { } sender && sender != key.Address)
            {
                throw new CliInputException("<transaction>", $"from {sender} is not the address of --private-key ({key.Address}).");
            }

            parse.InvocationConfiguration.Output.WriteLine(tx.Sign(key).RawHex);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DecodeTx()
    {
        var raw = new Argument<string>("raw") { Description = "A raw signed transaction as 0x-hex (legacy, EIP-2930 or EIP-1559)." };
        var command = new Command("decode-tx", "Decodes a raw signed transaction; prints it as eth_getTransactionByHash JSON, with the recovered from and the hash.")
        {
            raw,
        };
        command.SetAction(parse =>
        {
            string text = parse.GetRequiredValue(raw);
            SignedTransaction signed = CliInput.Parse("<raw>", () =>
            {
                SignedTransaction decoded = SignedTransaction.Parse(text);
                decoded.RecoverSender();
                return decoded;
            });
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
            TypedData data = ParseTypedData(parse.GetRequiredValue(typedData), stdin);
            parse.InvocationConfiguration.Output.WriteLine(CliInput.Parse("<typed-data>", () => Eip712TypedDataEncoder.Hash(data)).ToString());
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
            EthECKey key = ParseKey(parse.GetRequiredValue(privateKey));
            TypedData data = ParseTypedData(parse.GetRequiredValue(typedData), stdin);
            parse.InvocationConfiguration.Output.WriteLine(CliInput.Parse("<typed-data>", () => Eip712TypedDataSigner.SignTypedData(data, key)).ToHex());
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
            Hash32 digest = CliInput.Parse("<hash>", () => Hash32.Parse(parse.GetRequiredValue(hash)));
            EthECDSASignature parsed = CliInput.Parse("<signature>", () => EthECDSASignature.Parse(parse.GetRequiredValue(signature)));
            Address signer = CliInput.Parse("<signature>", () => EthECKey.RecoverAddress(digest, parsed));
            parse.InvocationConfiguration.Output.WriteLine(signer.ToChecksumString());
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
    private static EthECKey ParseKey(string text)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length != 64 || !Hex.IsValid(digits))
        {
            throw new CliInputException("--private-key", $"expected 32 bytes as 64 hex digits (0x optional), got {digits.Length} character(s){(Hex.IsValid(digits) || digits.Length % 2 != 0 ? "" : " with non-hex ones")}.");
        }

        try
        {
            return new EthECKey(Hex.Decode(digits));
        }
        catch (ArgumentException)
        {
            throw new CliInputException("--private-key", "not a valid secp256k1 private key (it must be between 1 and the curve order n-1).");
        }
    }

    private static TypedData ParseTypedData(string value, TextReader stdin)
    {
        string json = CliInput.ReadText("<typed-data>", value, stdin);
        return CliInput.Parse("<typed-data>", () => TypedData.Parse(json));
    }

    /// <summary>
    /// Parses a parameter list (<c>(a,b)</c> or <c>a,b</c>; outer parentheses are the list, so a single tuple parameter is
    /// <c>((a,b))</c>) or a named function signature, which also returns its <see cref="AbiFunction"/>.
    /// </summary>
    internal static (AbiFunction? Function, IReadOnlyList<AbiParameter> Inputs) ParseSignature(string argument, string text)
    {
        string trimmed = text.Trim();
        int paren = trimmed.IndexOf('(', StringComparison.Ordinal);
        string head = paren < 0 ? trimmed : trimmed[..paren].Trim();
        bool isTypeList = paren <= 0 || head == "tuple" || head.Contains(',', StringComparison.Ordinal) || head.Contains('[', StringComparison.Ordinal);
        if (!isTypeList)
        {
            AbiFunction function = CliInput.Parse(argument, () => AbiFunction.Parse(trimmed));
            return (function, function.Inputs);
        }

        if (trimmed.Length == 0)
        {
            return (null, []);
        }

        string list = trimmed.StartsWith('(') && MatchingParen(trimmed) == trimmed.Length - 1 ? trimmed : "(" + trimmed + ")";
        AbiType type = CliInput.Parse(argument, () => AbiType.Parse(list));
        return (null, ((TupleType)type).Components);
    }

    private static int MatchingParen(string text)
    {
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
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
