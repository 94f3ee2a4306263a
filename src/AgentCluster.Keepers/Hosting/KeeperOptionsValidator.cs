using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Hosting;

/// <summary>
/// Checks <see cref="KeeperOptions"/> when the host starts; every failure names the setting by its configuration key
/// (<c>AgentCluster:Keepers:RpcUrl: 'ftp://x' is not an http(s) URL</c>). Secrets are never echoed, only the variables' names.
/// </summary>
public sealed class KeeperOptionsValidator : IValidateOptions<KeeperOptions>
{
    private const string P = KeeperOptions.SectionName + ":";

    /// <summary>The accepted range of <see cref="KeeperOptions.PollInterval"/>.</summary>
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RpcUrl))
        {
            failures.Add($"{P}RpcUrl: not set; give the chain's JSON-RPC URL (http or https).");
        }
        else if (!Uri.TryCreate(options.RpcUrl, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{P}RpcUrl: '{options.RpcUrl}' is not an http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.ManifestPath))
        {
            failures.Add($"{P}ManifestPath: not set; give the deployment manifest's path.");
        }
        else if (!File.Exists(options.ManifestPath))
        {
            failures.Add($"{P}ManifestPath: no file at '{options.ManifestPath}'.");
        }

        bool keystore = !string.IsNullOrWhiteSpace(options.KeystorePath);
        bool keyVariable = !string.IsNullOrWhiteSpace(options.PrivateKeyVariable);
        if (options.Key is not null)
        {
            if (keystore || keyVariable)
            {
                failures.Add($"{P}Key: a key source was set in code; do not set KeystorePath or PrivateKeyVariable as well.");
            }
        }
        else if (keystore && keyVariable)
        {
            failures.Add($"{P}KeystorePath: give KeystorePath or PrivateKeyVariable, not both.");
        }
        else if (!keystore && !keyVariable)
        {
            failures.Add($"{P}PrivateKeyVariable: no signer; set PrivateKeyVariable (an environment variable holding the key) or KeystorePath with KeystorePasswordVariable.");
        }
        else if (keystore)
        {
            if (!File.Exists(options.KeystorePath))
            {
                failures.Add($"{P}KeystorePath: no keystore file at '{options.KeystorePath}'.");
            }

            if (string.IsNullOrWhiteSpace(options.KeystorePasswordVariable))
            {
                failures.Add($"{P}KeystorePasswordVariable: not set; name the environment variable holding the keystore's password.");
            }
            else if (Environment.GetEnvironmentVariable(options.KeystorePasswordVariable) is null)
            {
                failures.Add($"{P}KeystorePasswordVariable: ${options.KeystorePasswordVariable} is not set in the environment.");
            }
        }
        else if (Environment.GetEnvironmentVariable(options.PrivateKeyVariable!) is not { Length: > 0 } key)
        {
            failures.Add($"{P}PrivateKeyVariable: ${options.PrivateKeyVariable} is not set or empty.");
        }
        else if (!System.Text.RegularExpressions.Regex.IsMatch(key.Trim(), "^(0x)?[0-9a-fA-F]{64}$"))
        {
            failures.Add($"{P}PrivateKeyVariable: ${options.PrivateKeyVariable} does not hold a private key (64 hex digits, {key.Trim().Length} characters given); it is not printed.");
        }

        if (options.JournalPath is not null && string.IsNullOrWhiteSpace(options.JournalPath))
        {
            failures.Add($"{P}JournalPath: empty; give the journal's file path or leave it unset.");
        }

        if (options.IndexDbPath is not null && string.IsNullOrWhiteSpace(options.IndexDbPath))
        {
            failures.Add($"{P}IndexDbPath: empty; give the index database's file path or leave it unset.");
        }

        if (options.PollInterval < MinPollInterval || options.PollInterval > MaxPollInterval)
        {
            failures.Add($"{P}PollInterval: {options.PollInterval} is outside {MinPollInterval} .. {MaxPollInterval}.");
        }

        if (options.MinBalanceFailureEth < 0)
        {
            failures.Add($"{P}MinBalanceFailureEth: {options.MinBalanceFailureEth} is negative.");
        }

        if (options.MinBalanceWarningEth < options.MinBalanceFailureEth)
        {
            failures.Add($"{P}MinBalanceWarningEth: {options.MinBalanceWarningEth} is below MinBalanceFailureEth ({options.MinBalanceFailureEth}); the warning must come first.");
        }

        if (options.HealthPort is < 1 or > 65535)
        {
            failures.Add($"{P}HealthPort: {options.HealthPort} is not a TCP port (1 .. 65535).");
        }

        if (options.RecentTasksWindow is < 1 or > 10_000)
        {
            failures.Add($"{P}RecentTasksWindow: {options.RecentTasksWindow} is outside 1 .. 10000.");
        }

        if (options.Duties is null)
        {
            failures.Add($"{P}Duties: missing.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string peer in options.Peers ?? [])
        {
            string p = peer?.Trim() ?? "";
            if (p.Length != 42 || !p.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !p[2..].All(Uri.IsHexDigit))
            {
                failures.Add($"{P}Peers: '{peer}' is not an address (0x and 40 hex digits).");
            }
            else if (!seen.Add(p))
            {
                failures.Add($"{P}Peers: {p} is listed twice.");
            }
        }

        if (options.Peers is { Count: > 0 } && options.TakeOverAfter < 2 * options.PollInterval)
        {
            failures.Add($"{P}TakeOverAfter: {options.TakeOverAfter} is under two poll intervals ({2 * options.PollInterval}); a healthy owner would be overtaken.");
        }

        if (options.MembersPerSettlement is < 1 or > 100)
        {
            failures.Add($"{P}MembersPerSettlement: {options.MembersPerSettlement} is outside 1 .. 100.");
        }

        if (options.FlushProtocolFeesEvery < TimeSpan.FromSeconds(1) || options.FlushProtocolFeesEvery > TimeSpan.FromDays(7))
        {
            failures.Add($"{P}FlushProtocolFeesEvery: {options.FlushProtocolFeesEvery} is outside 00:00:01 .. 7.00:00:00.");
        }

        if (options.MaxInFlight is < 1 or > 64)
        {
            failures.Add($"{P}MaxInFlight: {options.MaxInFlight} is outside 1 .. 64.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
