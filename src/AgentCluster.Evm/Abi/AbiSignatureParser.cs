using System.Globalization;

namespace AgentCluster.Evm.Abi;

/// <summary>
/// Parses human-readable signatures: <c>f(uint256,address)</c>, <c>function transfer(address to, uint256 amount) returns (bool)</c>,
/// <c>balanceOf(address)(uint256)</c>, <c>event Transfer(address indexed from, address indexed to, uint256 value)</c>,
/// tuples as <c>(...)</c> or <c>tuple(...)</c>, data locations (<c>memory</c>, <c>calldata</c>, <c>storage</c>) ignored.
/// </summary>
internal sealed class AbiSignatureParser
{
    private static readonly HashSet<string> DataLocations = ["memory", "calldata", "storage", "payable"];

    private readonly string _text;
    private int _pos;

    private AbiSignatureParser(string text) => _text = text;

    internal static void CheckBits(int bits, string prefix)
    {
        if (bits < 8 || bits > 256 || bits % 8 != 0)
        {
            throw new FormatException($"{prefix}{bits} is not a type: {prefix}N needs N to be a multiple of 8 between 8 and 256.");
        }
    }

    internal static AbiType ParseSingleType(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new AbiSignatureParser(text);
        parser.SkipSpace();
        AbiType type = parser.ParseType();
        parser.SkipSpace();
        parser.ExpectEnd();
        return type;
    }

    /// <summary>Parses a parameter list, with or without the surrounding parentheses: <c>(uint256,address)</c> or <c>uint256,address</c>.</summary>
    internal static IReadOnlyList<AbiParameter> ParseParameterList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return [];
        }

        var parser = new AbiSignatureParser(trimmed.StartsWith('(') && Matching(trimmed, 0) == trimmed.Length - 1 ? trimmed : "(" + trimmed + ")");
        var parameters = parser.ParseParameters(allowIndexed: false);
        parser.SkipSpace();
        parser.ExpectEnd();
        return parameters;
    }

    /// <summary>Parses <c>[keyword] name(params) [anonymous] [returns] [(outputs)]</c>.</summary>
    internal static (string Keyword, string Name, IReadOnlyList<AbiParameter> Inputs, IReadOnlyList<AbiParameter> Outputs, bool Anonymous) ParseSignature(string text, string expectedKeyword)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new AbiSignatureParser(text);
        parser.SkipSpace();
        string first = parser.ReadIdentifier("a name");
        string keyword = "";
        string name = first;
        if (first is "function" or "event" or "error")
        {
            if (first != expectedKeyword)
            {
                throw new FormatException($"'{Hex.Shorten(text)}' declares a {first}, not a {expectedKeyword}.");
            }

            keyword = first;
            parser.SkipSpace();
            name = parser.ReadIdentifier("a name");
        }

        parser.SkipSpace();
        var inputs = parser.ParseParameters(allowIndexed: expectedKeyword == "event");
        IReadOnlyList<AbiParameter> outputs = [];
        bool anonymous = false;
        while (true)
        {
            parser.SkipSpace();
            if (parser.AtEnd)
            {
                break;
            }

            if (parser.Peek == '(')
            {
                outputs = parser.ParseParameters(allowIndexed: false);
                continue;
            }

            string word = parser.ReadIdentifier("'returns', a modifier or the end");
            if (word == "anonymous" && expectedKeyword == "event")
            {
                anonymous = true;
            }
            else if (word is not ("returns" or "external" or "public" or "view" or "pure" or "payable" or "nonpayable"))
            {
                throw new FormatException($"Unexpected '{word}' in signature '{Hex.Shorten(text)}'.");
            }
        }

        return (keyword, name, inputs, outputs, anonymous);
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    private IReadOnlyList<AbiParameter> ParseParameters(bool allowIndexed)
    {
        Expect('(');
        var parameters = new List<AbiParameter>();
        SkipSpace();
        if (!AtEnd && Peek == ')')
        {
            _pos++;
            return parameters;
        }

        while (true)
        {
            SkipSpace();
            AbiType type = ParseType();
            bool indexed = false;
            string? name = null;
            while (true)
            {
                SkipSpace();
                if (AtEnd || Peek is ',' or ')')
                {
                    break;
                }

                string word = ReadIdentifier("a parameter name");
                if (word == "indexed")
                {
                    if (!allowIndexed)
                    {
                        throw new FormatException($"'indexed' is only allowed in event parameters: '{Hex.Shorten(_text)}'.");
                    }

                    indexed = true;
                }
                else if (DataLocations.Contains(word))
                {
                    continue;
                }
                else if (name is null)
                {
                    name = word;
                }
                else
                {
                    throw new FormatException($"Parameter '{name}' in '{Hex.Shorten(_text)}' is followed by an unexpected '{word}'.");
                }
            }

            parameters.Add(new AbiParameter(type, name, indexed));
            if (AtEnd)
            {
                throw new FormatException($"Signature '{Hex.Shorten(_text)}' is missing a closing ')'.");
            }

            if (Peek == ')')
            {
                _pos++;
                return parameters;
            }

            _pos++;
        }
    }

    private AbiType ParseType()
    {
        AbiType type;
        if (!AtEnd && Peek == '(')
        {
            type = new TupleType(ParseParameters(allowIndexed: false));
        }
        else
        {
            int start = _pos;
            string word = ReadIdentifier("a type");
            if (word == "tuple" && !AtEnd && Peek == '(')
            {
                type = new TupleType(ParseParameters(allowIndexed: false));
            }
            else
            {
                type = Elementary(word, start);
            }
        }

        while (!AtEnd && Peek == '[')
        {
            int start = _pos++;
            int close = _text.IndexOf(']', _pos);
            if (close < 0)
            {
                throw new FormatException($"Type in '{Hex.Shorten(_text)}' has a '[' at index {start} without a closing ']'.");
            }

            string length = _text[_pos..close];
            _pos = close + 1;
            if (length.Length == 0)
            {
                type = new ArrayType(type);
            }
            else if (length.All(char.IsAsciiDigit) && int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                type = new ArrayType(type, n);
            }
            else
            {
                throw new FormatException($"Array length '{length}' in '{Hex.Shorten(_text)}' is not a positive integer.");
            }
        }

        return type;
    }

    private AbiType Elementary(string word, int start)
    {
        switch (word)
        {
            case "address":
                return AbiType.Address;
            case "bool":
                return AbiType.Bool;
            case "string":
                return AbiType.String;
            case "bytes":
                return AbiType.Bytes;
            case "uint":
                return AbiType.UInt256;
            case "int":
                return AbiType.Int256;
            case "function":
                return new FixedBytesType(24);
        }

        if (TrySuffix(word, "uint", out int bits))
        {
            return new UIntType(bits);
        }

        if (TrySuffix(word, "int", out bits))
        {
            return new IntType(bits);
        }

        if (TrySuffix(word, "bytes", out int size))
        {
            return new FixedBytesType(size);
        }

        if (word.StartsWith("fixed", StringComparison.Ordinal) || word.StartsWith("ufixed", StringComparison.Ordinal))
        {
            throw new FormatException($"Type '{word}' (fixed-point) is not supported: Solidity cannot use it either.");
        }

        throw new FormatException($"Unknown ABI type '{word}' at index {start} of '{Hex.Shorten(_text)}'.");
    }

    private static bool TrySuffix(string word, string prefix, out int value)
    {
        value = 0;
        return word.StartsWith(prefix, StringComparison.Ordinal) && word.Length > prefix.Length && word[prefix.Length] != '0' &&
            word[prefix.Length..].All(char.IsAsciiDigit) &&
            int.TryParse(word.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private string ReadIdentifier(string what)
    {
        int start = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek is '_' or '$'))
        {
            _pos++;
        }

        if (start == _pos)
        {
            string found = AtEnd ? "the end" : $"'{Peek}'";
            throw new FormatException($"Expected {what} at index {start} of '{Hex.Shorten(_text)}', found {found}.");
        }

        return _text[start.._pos];
    }

    private void Expect(char c)
    {
        if (AtEnd || Peek != c)
        {
            string found = AtEnd ? "the end" : $"'{Peek}'";
            throw new FormatException($"Expected '{c}' at index {_pos} of '{Hex.Shorten(_text)}', found {found}.");
        }

        _pos++;
    }

    private void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new FormatException($"Unexpected '{_text[_pos..]}' at index {_pos} of '{Hex.Shorten(_text)}'.");
        }
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Peek))
        {
            _pos++;
        }
    }

    private static int Matching(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
