using System.Globalization;
using System.Text;
using Nethereum.ABI.Model;
using Nethereum.Util;

namespace AgentCluster.Cli.Evm;

/// <summary>A Solidity ABI type as written in a signature; <see cref="ToParameter"/> gives Nethereum's <see cref="Parameter"/> for it.</summary>
internal abstract record SolType
{
    /// <summary>The canonical name used in selectors: <c>uint256</c>, <c>(address,bytes)[]</c>.</summary>
    public abstract string Canonical { get; }

    public sealed override string ToString() => Canonical;
}

internal enum SolKind { UInt, Int, Address, Bool, FixedBytes, Bytes, String, Function }

/// <summary>An elementary type; <see cref="Size"/> is the bit width of uintN/intN and the byte count of bytesN.</summary>
internal sealed record SolElementary(SolKind Kind, int Size = 0) : SolType
{
    public override string Canonical => Kind switch
    {
        SolKind.UInt => "uint" + Size,
        SolKind.Int => "int" + Size,
        SolKind.FixedBytes => "bytes" + Size,
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary><c>T[]</c> (<see cref="Length"/> null) or <c>T[k]</c>.</summary>
internal sealed record SolArray(SolType Element, int? Length) : SolType
{
    public override string Canonical => Element.Canonical + (Length is { } n ? $"[{n.ToString(CultureInfo.InvariantCulture)}]" : "[]");
}

/// <summary>A tuple (struct); component names are kept for JSON objects but are not part of the canonical name.</summary>
internal sealed record SolTuple(IReadOnlyList<SolParameter> Components) : SolType
{
    public override string Canonical => "(" + string.Join(",", Components.Select(c => c.Type.Canonical)) + ")";
}

internal sealed record SolParameter(SolType Type, string? Name = null, bool Indexed = false)
{
    /// <summary>Nethereum's parameter for this type (<paramref name="order"/> is 1-based), tuple components set recursively.</summary>
    public Parameter ToParameter(int order)
    {
        // Nethereum names a tuple "tuple" (with array suffixes) and takes its components separately; it has no "function" type: bytes24.
        var suffix = new StringBuilder();
        SolType inner = Type;
        var dims = new List<string>();
        while (inner is SolArray array)
        {
            dims.Add(array.Length is { } n ? $"[{n.ToString(CultureInfo.InvariantCulture)}]" : "[]");
            inner = array.Element;
        }

        dims.Reverse();
        foreach (string dim in dims)
        {
            suffix.Append(dim);
        }

        string head = inner switch
        {
            SolTuple => "tuple",
            SolElementary { Kind: SolKind.Function } => "bytes24",
            _ => inner.Canonical,
        };
        var parameter = new Parameter(head + suffix, Name, order);
        if (inner is SolTuple tuple)
        {
            Nethereum.ABI.ABIType abiType = parameter.ABIType;
            while (abiType is Nethereum.ABI.ArrayType arrayType)
            {
                abiType = arrayType.ElementType;
            }

            ((Nethereum.ABI.TupleType)abiType).SetComponents(tuple.Components.Select((c, i) => c.ToParameter(i + 1)).ToArray());
        }

        return parameter;
    }
}

/// <summary>A parsed <c>[function|event|error] name(inputs) [modifiers] [returns] [(outputs)]</c>.</summary>
internal sealed record SolSignature(string Keyword, string Name, IReadOnlyList<SolParameter> Inputs, IReadOnlyList<SolParameter> Outputs)
{
    public string Canonical => Name + "(" + string.Join(",", Inputs.Select(p => p.Type.Canonical)) + ")";

    /// <summary>keccak256 of the canonical signature (Nethereum's Keccak): an event's topic 0; its first 4 bytes are the selector.</summary>
    public byte[] Hash => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(Canonical));

    public byte[] Selector => Hash[..4];
}

/// <summary>
/// Parses human-readable Solidity signatures into <see cref="SolType"/>s for Nethereum: <c>f(uint256,(address,bytes)[])</c>,
/// <c>function transfer(address to, uint amount) returns (bool)</c>, cast's <c>balanceOf(address)(uint256)</c>,
/// <c>event Transfer(address indexed from, ...)</c>, tuples as <c>(...)</c> or <c>tuple(...)</c>; data locations are ignored.
/// Nesting (tuples and array dimensions together) is bounded by <see cref="MaxDepth"/>, so hostile input gets an error,
/// never a stack overflow. (Nethereum's ABIStringSignatureDeserialiser was not used: it drops cast's "(outputs)", refuses named
/// tuple components, accepts uint257 and silently skips an unclosed signature.)
/// </summary>
internal sealed class SolSignatureParser
{
    /// <summary>
    /// The deepest nesting of tuples and array dimensions accepted (the parameter list counts as one level). Small on purpose:
    /// Nethereum's encoder and decoder take time exponential in the nesting of static tuples (about 1 s at 22 levels here),
    /// and real contracts stay far below it.
    /// </summary>
    public const int MaxDepth = 16;

    private static readonly HashSet<string> Ignored = ["memory", "calldata", "storage", "payable"];
    private static readonly HashSet<string> Modifiers = ["returns", "external", "public", "view", "pure", "payable", "nonpayable"];

    private readonly string _text;
    private int _pos;

    private SolSignatureParser(string text) => _text = text;

    /// <summary>Parses a parameter list: <c>(uint256,address)</c> or <c>uint256,address</c> (the outer parentheses are the list).</summary>
    /// <exception cref="FormatException">Says what is wrong and where.</exception>
    public static IReadOnlyList<SolParameter> ParseParameterList(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return [];
        }

        var parser = new SolSignatureParser(trimmed.StartsWith('(') && MatchingParen(trimmed) == trimmed.Length - 1 ? trimmed : "(" + trimmed + ")");
        var parameters = parser.ParseParameters(allowIndexed: false, depth: 0);
        parser.SkipSpace();
        parser.ExpectEnd();
        return parameters;
    }

    /// <summary>Parses a named signature; <paramref name="keyword"/> is what a leading keyword must be (function, event or error).</summary>
    /// <exception cref="FormatException">Says what is wrong and where.</exception>
    public static SolSignature ParseSignature(string text, string keyword)
    {
        var parser = new SolSignatureParser(text);
        parser.SkipSpace();
        string first = parser.ReadIdentifier("a name");
        string declared = "";
        string name = first;
        if (first is "function" or "event" or "error")
        {
            if (first != keyword && !(keyword == "function" && first == "error"))
            {
                throw new FormatException($"'{Shorten(text)}' declares a {first}, not a {keyword}.");
            }

            declared = first;
            parser.SkipSpace();
            name = parser.ReadIdentifier("a name");
        }

        parser.SkipSpace();
        var inputs = parser.ParseParameters(allowIndexed: keyword == "event", depth: 0);
        IReadOnlyList<SolParameter> outputs = [];
        while (true)
        {
            parser.SkipSpace();
            if (parser.AtEnd)
            {
                break;
            }

            if (parser.Peek == '(')
            {
                outputs = parser.ParseParameters(allowIndexed: false, depth: 0);
                continue;
            }

            string word = parser.ReadIdentifier("'returns', a modifier or the end");
            if (!(Modifiers.Contains(word) || (word == "anonymous" && keyword == "event")))
            {
                throw new FormatException($"Unexpected '{word}' in signature '{Shorten(text)}'.");
            }
        }

        return new SolSignature(declared, name, inputs, outputs);
    }

    /// <summary>The index of the parenthesis closing the one at 0, or -1 (iterative: safe on any input).</summary>
    public static int MatchingParen(string text)
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

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    private List<SolParameter> ParseParameters(bool allowIndexed, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw TooDeep();
        }

        Expect('(');
        var parameters = new List<SolParameter>();
        SkipSpace();
        if (!AtEnd && Peek == ')')
        {
            _pos++;
            return parameters;
        }

        while (true)
        {
            SkipSpace();
            SolType type = ParseType(depth);
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
                    indexed = allowIndexed ? true : throw new FormatException($"'indexed' is only allowed in event parameters: '{Shorten(_text)}'.");
                }
                else if (Ignored.Contains(word))
                {
                    continue;
                }
                else if (name is null)
                {
                    name = word;
                }
                else
                {
                    throw new FormatException($"Parameter '{name}' in '{Shorten(_text)}' is followed by an unexpected '{word}'.");
                }
            }

            parameters.Add(new SolParameter(type, name, indexed));
            if (AtEnd)
            {
                throw new FormatException($"Signature '{Shorten(_text)}' is missing a closing ')'.");
            }

            if (Peek == ')')
            {
                _pos++;
                return parameters;
            }

            _pos++;
        }
    }

    /// <summary>A type at nesting <paramref name="depth"/> (the number of enclosing tuples and array dimensions).</summary>
    private SolType ParseType(int depth)
    {
        SolType type;
        int start = _pos;
        if (!AtEnd && Peek == '(')
        {
            type = new SolTuple(ParseParameters(allowIndexed: false, depth + 1));
        }
        else
        {
            string word = ReadIdentifier("a type");
            type = word == "tuple" && !AtEnd && Peek == '(' ? new SolTuple(ParseParameters(allowIndexed: false, depth + 1)) : Elementary(word, start);
        }

        while (!AtEnd && Peek == '[')
        {
            if (depth + 1 + Depth(type) >= MaxDepth)
            {
                throw TooDeep();
            }

            int open = _pos++;
            int close = _text.IndexOf(']', _pos);
            if (close < 0)
            {
                throw new FormatException($"Type in '{Shorten(_text)}' has a '[' at index {open} without a closing ']'.");
            }

            string length = _text[_pos..close];
            _pos = close + 1;
            if (length.Length == 0)
            {
                type = new SolArray(type, null);
            }
            else if (length.All(char.IsAsciiDigit) && int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            {
                type = new SolArray(type, n);
            }
            else
            {
                throw new FormatException($"Array length '{length}' in '{Shorten(_text)}' is not a positive integer.");
            }
        }

        return type;
    }

    /// <summary>How deeply a type nests (elementary 0).</summary>
    private static int Depth(SolType type)
    {
        int depth = 0;
        while (true)
        {
            switch (type)
            {
                case SolArray array:
                    depth++;
                    type = array.Element;
                    continue;
                case SolTuple tuple:
                    return depth + 1 + tuple.Components.Select(c => Depth(c.Type)).DefaultIfEmpty(0).Max();
                default:
                    return depth;
            }
        }
    }

    private FormatException TooDeep() =>
        new($"Signature '{Shorten(_text)}' nests tuples and arrays more than {MaxDepth} levels deep (at index {_pos}); the limit is {MaxDepth}.");

    private SolElementary Elementary(string word, int start)
    {
        switch (word)
        {
            case "address": return new SolElementary(SolKind.Address);
            case "bool": return new SolElementary(SolKind.Bool);
            case "string": return new SolElementary(SolKind.String);
            case "bytes": return new SolElementary(SolKind.Bytes);
            case "uint": return new SolElementary(SolKind.UInt, 256);
            case "int": return new SolElementary(SolKind.Int, 256);
            case "function": return new SolElementary(SolKind.Function);
        }

        foreach (var (prefix, kind) in new[] { ("uint", SolKind.UInt), ("int", SolKind.Int), ("bytes", SolKind.FixedBytes) })
        {
            if (word.StartsWith(prefix, StringComparison.Ordinal) && word.Length > prefix.Length && word[prefix.Length] != '0' &&
                word[prefix.Length..].All(char.IsAsciiDigit))
            {
                bool ok = int.TryParse(word.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int size);
                if (kind == SolKind.FixedBytes)
                {
                    return ok && size is >= 1 and <= 32 ? new SolElementary(kind, size) : throw new FormatException($"{word} is not a type: bytesN needs N between 1 and 32.");
                }

                return ok && size is >= 8 and <= 256 && size % 8 == 0
                    ? new SolElementary(kind, size)
                    : throw new FormatException($"{word} is not a type: {prefix}N needs N to be a multiple of 8 between 8 and 256.");
            }
        }

        if (word.StartsWith("fixed", StringComparison.Ordinal) || word.StartsWith("ufixed", StringComparison.Ordinal))
        {
            throw new FormatException($"Type '{word}' (fixed-point) is not supported: Solidity cannot use it either.");
        }

        throw new FormatException($"Unknown ABI type '{word}' at index {start} of '{Shorten(_text)}'.");
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
            throw new FormatException($"Expected {what} at index {start} of '{Shorten(_text)}', found {found}.");
        }

        return _text[start.._pos];
    }

    private void Expect(char c)
    {
        if (AtEnd || Peek != c)
        {
            string found = AtEnd ? "the end" : $"'{Peek}'";
            throw new FormatException($"Expected '{c}' at index {_pos} of '{Shorten(_text)}', found {found}.");
        }

        _pos++;
    }

    private void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new FormatException($"Unexpected '{Shorten(_text[_pos..])}' at index {_pos} of '{Shorten(_text)}'.");
        }
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Peek))
        {
            _pos++;
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
