using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentCluster.Evm.BindingsGen;

/// <summary>Solidity names to C# identifiers.</summary>
internal static class Naming
{
    /// <summary>
    /// <c>totalSupply</c> → <c>TotalSupply</c>, <c>DOMAIN_SEPARATOR</c> → <c>DomainSeparator</c>, <c>_owner</c>/<c>owner_</c> → <c>Owner</c>.
    /// </summary>
    public static string Pascal(string name)
    {
        string trimmed = name.Trim('_');
        if (trimmed.Length == 0)
        {
            return "";
        }

        if (!trimmed.Any(char.IsLower) && trimmed.Any(char.IsLetter))
        {
            var sb = new StringBuilder();
            foreach (string part in trimmed.Split('_', StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
            }

            return sb.ToString();
        }

        return char.ToUpperInvariant(trimmed[0]) + trimmed[1..];
    }

    public static string Camel(string name)
    {
        string pascal = Pascal(name);
        return pascal.Length == 0 ? "" : char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    /// <summary>A keyword gets C#'s <c>@</c> prefix (<c>@event</c>, <c>@operator</c>).</summary>
    public static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    public static string Xml(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).ReplaceLineEndings(" ");
}

/// <summary>Hands out distinct names within one scope: the first claim of a name gets it, later ones a numeric suffix.</summary>
internal sealed class NameScope(params string[] reserved)
{
    private readonly HashSet<string> _taken = new(reserved, StringComparer.Ordinal);

    public string Claim(string preferred, string fallback = "Value")
    {
        string name = preferred.Length == 0 || !SyntaxFacts.IsValidIdentifier(preferred.TrimStart('@')) ? fallback : preferred;
        if (_taken.Add(name))
        {
            return name;
        }

        for (int i = 2; ; i++)
        {
            if (_taken.Add(name + i))
            {
                return name + i;
            }
        }
    }
}

/// <summary>An indenting text writer for generated C#.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _text.ToString();
}
