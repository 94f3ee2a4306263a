using AgentCluster.Sdk.Networks;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using Microsoft.Extensions.Options;

namespace AgentCluster.Keepers.Solana;

/// <summary>
/// Checks <see cref="SolanaKeeperOptions"/> when the host starts: every failure at once, one line each, naming the setting by its full key
/// (<c>AgentCluster:Keepers:Solana:RpcUrl: 'ftp://x' is not an http(s) URL.</c>), as <c>KeeperOptionsValidator</c> does for the EVM keepers.
/// </summary>
public sealed class SolanaKeeperOptionsValidator : IValidateOptions<SolanaKeeperOptions>
{
    private const string P = SolanaKeeperOptions.SectionName + ":";

    /// <summary>The accepted range of <see cref="SolanaKeeperOptions.PollInterval"/>.</summary>
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMinutes(10);

    /// <summary>The accepted range of <see cref="SolanaKeeperOptions.MaxActionsPerPass"/>.</summary>
    public const int MaxActionsPerPassLimit = 1000;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SolanaKeeperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RpcUrl))
        {
            failures.Add($"{P}RpcUrl: not set; give the Solana node's JSON-RPC URL (http or https).");
        }
        else if (!Uri.TryCreate(options.RpcUrl, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{P}RpcUrl: '{options.RpcUrl}' is not an http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.DeploymentPath))
        {
            failures.Add($"{P}DeploymentPath: not set; give the deployment file's path (solana-localnet.json or the same shape).");
        }
        else if (!File.Exists(options.DeploymentPath))
        {
            failures.Add($"{P}DeploymentPath: no file at '{options.DeploymentPath}'.");
        }
        else
        {
            try
            {
                SolanaDeployment deployment = SolanaDeployment.Load(options.DeploymentPath);
                if (deployment.Config is { } config && config != AgentClusterProgram.ConfigAddress(deployment.ProgramId))
                {
                    failures.Add($"{P}DeploymentPath: '{options.DeploymentPath}' has a 'config' ({config}) that is not the config PDA of program {deployment.ProgramId}.");
                }
            }
            catch (FormatException e)
            {
                failures.Add($"{P}DeploymentPath: {e.Message}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.KeypairPath))
        {
            failures.Add($"{P}KeypairPath: not set; give the keeper's Solana CLI keypair file.");
        }
        else if (!File.Exists(options.KeypairPath))
        {
            failures.Add($"{P}KeypairPath: no keypair file at '{options.KeypairPath}'.");
        }
        else
        {
            try
            {
                _ = KeypairFile.Read(options.KeypairPath);
            }
            catch (KeypairFileException e)
            {
                failures.Add($"{P}KeypairPath: {e.Message}");
            }
        }

        if (options.PollInterval < MinPollInterval || options.PollInterval > MaxPollInterval)
        {
            failures.Add($"{P}PollInterval: {options.PollInterval} is outside {MinPollInterval} .. {MaxPollInterval}.");
        }

        if (options.MaxActionsPerPass is < 1 or > MaxActionsPerPassLimit)
        {
            failures.Add($"{P}MaxActionsPerPass: {options.MaxActionsPerPass} is outside 1 .. {MaxActionsPerPassLimit}.");
        }

        if (options.MinBalanceSol < 0)
        {
            failures.Add($"{P}MinBalanceSol: {options.MinBalanceSol} is negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
