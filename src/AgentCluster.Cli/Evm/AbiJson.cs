using System.Globalization;
using System.Numerics;
using System.Text.Json;
using AgentCluster.Evm;
using AgentCluster.Evm.Abi;

namespace AgentCluster.Cli.Evm;

/// <summary>
/// ABI values as JSON, both ways. In: integers as numbers, decimal or 0x-hex strings; addresses, bytes and bytesN as
/// 0x-hex strings; bools as true/false; strings as strings; arrays as arrays; tuples as arrays (or objects by component name).
/// Out: integers as decimal strings (exact beyond 2^53), addresses checksummed, bytes as 0x-hex, tuples and arrays as arrays,
/// so that what abi-decode prints, abi-encode takes back.
/// </summary>
internal static class AbiJson
{
    /// <summary>Converts a JSON array of arguments to the values of <paramref name="parameters"/>.</summary>
    /// <exception cref="FormatException">A value does not fit its type; the message gives its position, as in <c>[2][0]</c>.</exception>
    public static object?[] ToValues(IReadOnlyList<AbiParameter> parameters, JsonElement arguments)
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

        var values = new object?[count];
        int i = 0;
        foreach (JsonElement argument in arguments.EnumerateArray())
        {
            values[i] = ToValue(parameters[i].Type, argument, $"[{i}]");
            i++;
        }

        return values;
    }

    public static object? ToValue(AbiType type, JsonElement element, string path)
    {
        switch (type)
        {
            case UIntType or IntType:
                return CliInput.Integer(element, $"{path} ({type})");
            case AddressType:
                string address = String(element, path, type, "a 0x-hex address");
                try
                {
                    return Address.Parse(address);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{path} (address): {e.Message}", e);
                }

            case BoolType:
                return element.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new FormatException($"{path} (bool): expected true or false, got {CliInput.Describe(element)}."),
                };
            case FixedBytesType or BytesType:
                string hex = String(element, path, type, "a 0x-hex string");
                if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{path} ({type}): bytes are written as 0x-hex, got \"{hex}\".");
                }

                try
                {
                    return Hex.Decode(hex);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{path} ({type}): {e.Message}", e);
                }

            case StringType:
                return String(element, path, type, "a string");
            case ArrayType array:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{path} ({type}): expected an array, got {CliInput.Describe(element)}.");
                }

                return element.EnumerateArray().Select((item, i) => ToValue(array.Element, item, $"{path}[{i}]")).ToArray();
            case TupleType tuple:
                return Tuple(tuple, element, path);
            default:
                throw new FormatException($"{path}: the type {type} is not supported.");
        }
    }

    /// <summary>Writes decoded values (what <see cref="AbiDecoder"/> returns) as a JSON array.</summary>
    public static void WriteValues(Utf8JsonWriter writer, IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        writer.WriteStartArray();
        for (int i = 0; i < types.Count; i++)
        {
            WriteValue(writer, types[i], values[i]);
        }

        writer.WriteEndArray();
    }

    public static void WriteValue(Utf8JsonWriter writer, AbiType type, object? value)
    {
        switch (type, value)
        {
            case (UIntType or IntType, BigInteger integer):
                writer.WriteStringValue(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case (AddressType, Address address):
                writer.WriteStringValue(address.ToChecksumString());
                break;
            case (BoolType, bool flag):
                writer.WriteBooleanValue(flag);
                break;
            case (FixedBytesType or BytesType, byte[] bytes):
                writer.WriteStringValue(Hex.Encode(bytes));
                break;
            case (StringType, string text):
                writer.WriteStringValue(text);
                break;
            case (ArrayType array, object?[] items):
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, array.Element, item);
                }

                writer.WriteEndArray();
                break;
            case (TupleType tuple, object?[] components):
                WriteValues(writer, tuple.Components.Select(c => c.Type).ToArray(), components);
                break;
            default:
                throw new InvalidOperationException($"The decoder returned {value?.GetType().Name ?? "null"} for {type}.");
        }
    }

    private static object?[] Tuple(TupleType tuple, JsonElement element, string path)
    {
        IReadOnlyList<AbiParameter> components = tuple.Components;
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

    private static string String(JsonElement element, string path, AbiType type, string expected) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new FormatException($"{path} ({type}): expected {expected}, got {CliInput.Describe(element)}.");
}
