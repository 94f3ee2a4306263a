using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using AgentCluster.Solana;
using AgentCluster.Solana.Programs;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// Where the AgentCluster program lives on a Solana cluster: its program id, its config and its ACC mint, read from a deployment file
/// (<c>solana-localnet.json</c> as <c>scripts/solana-localnet --dir</c> writes it, or any JSON object with the same fields).
/// </summary>
/// <param name="ProgramId">The program's id.</param>
/// <param name="Config">The config PDA (checked against the program id when read).</param>
/// <param name="Mint">The ACC mint, as the deployment recorded it (the config holds the same key).</param>
public sealed record SolanaDeployment(PublicKey ProgramId, PublicKey Config, PublicKey Mint)
{
    /// <summary>Reads and checks a deployment file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="FormatException">Not a deployment file; the message names the file and says what is wrong.</exception>
    public static SolanaDeployment Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Deployment file '{path}' does not exist.", path);
        }

        return TryRead(path, out SolanaDeployment? deployment, out string? problem) ? deployment : throw new FormatException($"Deployment file '{path}' {problem}");
    }

    /// <summary>Reads a deployment file; on failure <paramref name="problem"/> says what is wrong (a sentence fragment after the file's name).</summary>
    public static bool TryRead(string path, [NotNullWhen(true)] out SolanaDeployment? deployment, [NotNullWhen(false)] out string? problem)
    {
        deployment = null;
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "is not a JSON object.";
                return false;
            }

            PublicKey? Key(string name, out string? error)
            {
                error = null;
                if (!json.RootElement.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.String)
                {
                    error = $"has no '{name}' (a base58 address).";
                    return null;
                }

                try
                {
                    return new PublicKey(e.GetString()!);
                }
                catch (FormatException x)
                {
                    error = $"has a bad '{name}': {x.Message}";
                    return null;
                }
            }

            PublicKey? program = Key("programId", out string? e1), config = Key("config", out string? e2), mint = Key("mint", out string? e3);
            if (program is null || config is null || mint is null)
            {
                problem = e1 ?? e2 ?? e3 ?? "is incomplete.";
                return false;
            }

            if (config != AgentClusterProgram.ConfigAddress(program))
            {
                problem = $"has a 'config' ({config}) that is not the config PDA of program {program}.";
                return false;
            }

            deployment = new SolanaDeployment(program, config, mint);
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            problem = $"is not valid JSON: {e.Message}";
            return false;
        }
        catch (IOException e)
        {
            problem = $"cannot be read: {e.Message}";
            return false;
        }
    }
}
