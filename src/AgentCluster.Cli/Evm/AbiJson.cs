using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm.Validation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Util;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// ABI values as JSON, both ways, around Nethereum's encoder and decoder. In: integers as numbers, decimal or 0x-hex strings;
/// addresses, bytes and bytesN as 0x-hex strings; bools as true/false; strings as strings; arrays as arrays; tuples as arrays
/// (or objects by component name). Out: integers as decimal strings (exact beyond 2^53), addresses checksummed, bytes as 0x-hex,
/// tuples and arrays as arrays, so that what abi-decode prints, abi-encode takes back.
/// Values are checked here (range, lengths, checksums) so that errors name the value's position; Nethereum's own messages do not.
/// </summary>
internal static class AbiJson
{
    /// <summary>Converts a JSON array of arguments to the values Nethereum's <c>ParametersEncoder</c> takes for <paramref name="parameters"/>.</summary>
    /// <exception cref="FormatException">A value does not fit its type; the message gives its position, as in <c>[2][0]</c>.</exception>
    public static object[] ToValues(IReadOnlyList<SolParameter> parameters, JsonElement arguments)
    {
        if (arguments.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"expected a JSON array of {parameters.Count} argument(s), got {CliInput.Describe(arguments)}.");
        }

        int count = arguments.GetArrayLength();
        if (count != parameters.Count)
        {
            throw new FormatException($"({string.Join(",", parameters.Select(p => p.Type))}) takes {parameters.Count} argument(s), got {count}.");
        }

        return arguments.EnumerateArray().Select((argument, i) => ToValue(parameters[i].Type, argument, $"[{i}]")).ToArray();
    }

    public static object ToValue(SolType type, JsonElement element, string path)
    {
        switch (type)
        {
            case SolElementary { Kind: SolKind.UInt or SolKind.Int } integer:
                BigInteger value = CliInput.Integer(element, $"{path} ({type})");
                BigInteger min = integer.Kind == SolKind.UInt ? BigInteger.Zero : -(BigInteger.One << (integer.Size - 1));
                BigInteger max = integer.Kind == SolKind.UInt ? (BigInteger.One << integer.Size) - 1 : (BigInteger.One << (integer.Size - 1)) - 1;
                return value >= min && value <= max
                    ? value
                    : throw new FormatException($"{path} ({type}): {value} is out of range for {type} ({min}..{max}).");
            case SolElementary { Kind: SolKind.Address }:
                try
                {
                    return EvmInput.ParseAddress(String(element, path, type, "a 0x-hex address"));
                }
                catch (FormatException e) when (e.Message.StartsWith("Address", StringComparison.Ordinal) || e.Message.StartsWith("An address", StringComparison.Ordinal))
                {
                    throw new FormatException($"{path} (address): {e.Message}", e);
                }

            case SolElementary { Kind: SolKind.Bool }:
                return element.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new FormatException($"{path} (bool): expected true or false, got {CliInput.Describe(element)}."),
                };
            case SolElementary { Kind: SolKind.FixedBytes or SolKind.Bytes or SolKind.Function } bytesType:
                string hex = String(element, path, type, "a 0x-hex string");
                if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{path} ({type}): bytes are written as 0x-hex, got \"{hex}\".");
                }

                byte[] bytes;
                try
                {
                    bytes = EvmInput.ParseHex(hex);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{path} ({type}): {e.Message}", e);
                }

                int size = bytesType.Kind switch { SolKind.FixedBytes => bytesType.Size, SolKind.Function => 24, _ => -1 };
                return size < 0 || bytes.Length == size
                    ? bytes
                    : throw new FormatException($"{path} ({type}): {type} needs exactly {size} bytes, got {bytes.Length}.");
            case SolElementary { Kind: SolKind.String }:
                return String(element, path, type, "a string");
            case SolArray array:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{path} ({type}): expected an array, got {CliInput.Describe(element)}.");
                }

                if (array.Length is { } length && element.GetArrayLength() != length)
                {
                    throw new FormatException($"{path} ({type}): {type} needs exactly {length} element(s), got {element.GetArrayLength()}.");
                }

                return element.EnumerateArray().Select((item, i) => ToValue(array.Element, item, $"{path}[{i}]")).ToArray();
            case SolTuple tuple:
                return Tuple(tuple, element, path);
            default:
                throw new FormatException($"{path}: the type {type} is not supported.");
        }
    }

    /// <summary>Writes what Nethereum's <c>ParameterDecoder.DecodeDefaultData</c> returned as a JSON array.</summary>
    public static void WriteValues(Utf8JsonWriter writer, IReadOnlyList<SolParameter> parameters, IReadOnlyList<ParameterOutput> outputs)
    {
        writer.WriteStartArray();
        var ordered = outputs.OrderBy(o => o.Parameter.Order).ToArray();
        for (int i = 0; i < parameters.Count; i++)
        {
            WriteValue(writer, parameters[i].Type, ordered[i].Result);
        }

        writer.WriteEndArray();
    }

    public static void WriteValue(Utf8JsonWriter writer, SolType type, object? value)
    {
        switch (type, value)
        {
            case (SolElementary { Kind: SolKind.UInt or SolKind.Int }, BigInteger integer):
                writer.WriteStringValue(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case (SolElementary { Kind: SolKind.Address }, string address):
                writer.WriteStringValue(AddressUtil.Current.ConvertToChecksumAddress(address));
                break;
            case (SolElementary { Kind: SolKind.Bool }, bool flag):
                writer.WriteBooleanValue(flag);
                break;
            case (SolElementary { Kind: SolKind.FixedBytes or SolKind.Bytes or SolKind.Function }, byte[] bytes):
                writer.WriteStringValue("0x" + Convert.ToHexStringLower(bytes));
                break;
            case (SolElementary { Kind: SolKind.String }, string text):
                writer.WriteStringValue(text);
                break;
            case (SolArray array, IList items):
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, array.Element, item);
                }

                writer.WriteEndArray();
                break;
            case (SolTuple tuple, IEnumerable<ParameterOutput> components):
                WriteValues(writer, tuple.Components, components.ToArray());
                break;
            default:
                throw new InvalidOperationException($"Nethereum's decoder returned {value?.GetType().Name ?? "null"} for {type}.");
        }
    }

    private static object[] Tuple(SolTuple tuple, JsonElement element, string path)
    {
        IReadOnlyList<SolParameter> components = tuple.Components;
        if (element.ValueKind == JsonValueKind.Array)
        {
            int count = element.GetArrayLength();
            if (count != components.Count)
            {
                throw new FormatException($"{path} ({tuple}): a tuple of {components.Count} component(s), got an array of {count}.");
            }

            return element.EnumerateArray().Select((item, i) => ToValue(components[i].Type, item, $"{path}[{i}]")).ToArray();
        }

        if (element.ValueKind == JsonValueKind.Object && components.All(c => !string.IsNullOrEmpty(c.Name)))
        {
            var names = components.Select(c => c.Name!).ToHashSet(StringComparer.Ordinal);
            string? unknown = element.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !names.Contains(n));
            if (unknown is not null)
            {
                throw new FormatException($"{path} ({tuple}): no component is named '{unknown}' (components: {string.Join(", ", names)}).");
            }

            return components.Select(c => element.TryGetProperty(c.Name!, out JsonElement item)
                ? ToValue(c.Type, item, $"{path}.{c.Name}")
                : throw new FormatException($"{path} ({tuple}): component '{c.Name}' is missing.")).ToArray();
        }

        throw new FormatException($"{path} ({tuple}): expected an array of {components.Count} component(s), got {CliInput.Describe(element)}.");
    }

    private static string String(JsonElement element, string path, SolType type, string expected) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new FormatException($"{path} ({type}): expected {expected}, got {CliInput.Describe(element)}.");
}
