using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace AgentCluster.Cli;

/// <summary>Turns argument text into values, reporting failures as <see cref="CliInputException"/>s that name the argument.</summary>
internal static class CliInput
{
    /// <summary>Runs <paramref name="parse"/>; a format, argument, overflow or JSON error becomes a <see cref="CliInputException"/> for <paramref name="argument"/>.</summary>
    public static T Parse<T>(string argument, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or JsonException)
        {
            throw new CliInputException(argument, Message(e), e);
        }
    }

    /// <summary>The exception's message without the "(Parameter 'x')" and "Actual value was" lines .NET appends for argument exceptions.</summary>
    private static string Message(Exception e)
    {
        if (e is not ArgumentException { ParamName: { } name })
        {
            return e.Message;
        }

        string message = e.Message.Split('\n')[0];
        string suffix = $" (Parameter '{name}')";
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    /// <summary>The text of an argument that may also come from standard input (<c>-</c>) or a file (<c>@path</c>).</summary>
    public static string ReadText(string argument, string value, TextReader stdin)
    {
        if (value == "-")
        {
            return stdin.ReadToEnd();
        }

        if (value.StartsWith('@'))
        {
            string path = value[1..];
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CliInputException(argument, $"cannot read '{path}': {e.Message}", e);
            }
        }

        return value;
    }

    /// <summary>Parses JSON text (the whole argument), naming the argument when it is not valid JSON.</summary>
    public static JsonElement ParseJson(string argument, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliInputException(argument, $"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// An integer given as a JSON number, a decimal string (optionally negative) or a 0x-hex string.
    /// Fractions and exponents are refused: JSON numbers past 2^53 are not exact in most producers, so big values belong in strings.
    /// </summary>
    /// <exception cref="FormatException">Anything else; the message starts with <paramref name="path"/>.</exception>
    public static BigInteger Integer(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                if (BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger number))
                {
                    return number;
                }

                throw new FormatException($"{path}: {raw} is not an integer; write integers as digits (use a decimal string for large values).");
            case JsonValueKind.String:
                return Integer(element.GetString()!, path);
            default:
                throw new FormatException($"{path}: expected an integer (number, decimal string or 0x-hex string), got {Describe(element)}.");
        }
    }

    /// <summary>An integer from text: decimal (optionally negative) or 0x-hex.</summary>
    public static BigInteger Integer(string text, string path)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return AgentCluster.Evm.Validation.EvmInput.ParseQuantity(text);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}: {e.Message}", e);
            }
        }

        ReadOnlySpan<char> digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw new FormatException($"{path}: '{Shorten(text)}' is not an integer (decimal digits, or 0x-hex).");
        }

        return BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        _ => "an object",
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
