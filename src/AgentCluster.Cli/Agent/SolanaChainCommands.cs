using System.CommandLine;
using System.CommandLine.Invocation;
using System.Numerics;
using AgentCluster.Cli.Chain;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Networks;
using AgentCluster.Solana.Keys;
using AgentCluster.Solana.Programs;
using AgentCluster.Solana.Rpc;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;
using static AgentCluster.Cli.Chain.ChainInput;

namespace AgentCluster.Cli.Agent;

/// <summary>
/// <c>--chain solana</c> for <c>agent</c> and <c>task</c> (docs/cli.md, "On Solana"): the same subcommands run through the chain-neutral
/// SDK (<see cref="IAgentClusterNetwork"/>, connected by <see cref="AgentClusterNetwork.ConnectAsync"/>) with the Solana connection
/// options <c>--rpc-url</c>, <c>--deployment &lt;solana-localnet.json&gt;</c> and <c>--keypair &lt;file&gt;</c>. Each subcommand keeps its EVM
/// action for <c>--chain evm</c> (the default); options of the other chain are refused naming the option, before anything is sent.
/// </summary>
internal sealed class SolanaChainCommands
{
    public const string DeploymentVariable = "AGENTCLUSTER_SOLANA_DEPLOYMENT";
    public const string KeypairVariable = "AGENTCLUSTER_SOLANA_KEYPAIR";
    public const string RpcVariable = "AGENTCLUSTER_SOLANA_RPC_URL";
    private static readonly BigInteger UnitsToWei = BigInteger.Pow(10, 9); // Solana's ACC has 9 decimals, the CLI's amounts 18

    private readonly ChainConnection _connection;

    public SolanaChainCommands(ChainConnection connection) => _connection = connection;

    public Option<string> Chain { get; } = new("--chain") { Description = "The chain: evm (default) or solana (with --rpc-url, --deployment, --keypair)." };

    public Option<string> Deployment { get; } = new("--deployment") { Description = $"--chain solana: the deployment file (solana-localnet.json; default ${DeploymentVariable}, else .localnet/solana/solana-localnet.json)." };

    public Option<string> Keypair { get; } = new("--keypair") { Description = $"--chain solana: the signer's keypair file, Solana CLI format (default ${KeypairVariable}, else ~/.config/solana/id.json)." };

    /// <summary>
    /// Adds --chain, --deployment and --keypair to <paramref name="command"/> and puts <paramref name="solana"/> in front of its EVM action:
    /// with <c>--chain solana</c> the EVM-only options in <paramref name="evmOnly"/> (and the connection's) are refused, then the body runs
    /// on a connected Solana network; with <c>--chain evm</c> --deployment and --keypair are refused and the EVM action runs as before.
    /// </summary>
    public void Wrap(Command command, string where, IEnumerable<Option> evmOnly, Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>>? solana,
        params Option[] solanaOnly)
    {
        command.Options.Add(Chain);
        command.Options.Add(Deployment);
        command.Options.Add(Keypair);
        var evmAction = (AsynchronousCommandLineAction)command.Action!;
        Option[] evmOptions = [.. evmOnly, _connection.Manifest, _connection.KeyVariable, _connection.Keystore, _connection.PasswordVariable, _connection.Journal];
        command.SetAction(async (parse, ct) =>
        {
            string chain = (parse.GetValue(Chain) ?? "evm").Trim().ToLowerInvariant();
            TextWriter error = parse.InvocationConfiguration.Error;
            try
            {
                if (chain == "evm")
                {
                    if (new[] { Deployment, Keypair }.Concat(solanaOnly).Select(o => Given(parse, o)).FirstOrDefault(n => n is not null) is { } given)
                    {
                        throw new CliInputException(given, "is for --chain solana; this command runs on the EVM chain (--chain evm, the default).");
                    }

                    return await evmAction.InvokeAsync(parse, ct).ConfigureAwait(false);
                }

                if (chain != "solana")
                {
                    throw new CliInputException("--chain", $"must be evm or solana; got '{parse.GetValue(Chain)}'.");
                }

                if (evmOptions.Select(o => Given(parse, o)).FirstOrDefault(n => n is not null) is { } evmOption)
                {
                    throw new CliInputException(evmOption, "is an EVM option; with --chain solana give --rpc-url, --deployment and --keypair.");
                }

                if (solana is null)
                {
                    throw new CliInputException("--chain", $"{where[13..]} is not available on Solana: the chain-neutral SDK (IAgentClusterNetwork) has no such operation yet; use --chain evm.");
                }

                await using IAgentClusterNetwork net = await ConnectAsync(parse, ct).ConfigureAwait(false);
                return await solana(parse, net, parse.InvocationConfiguration.Output, parse.GetValue(_connection.Json), ct).ConfigureAwait(false);
            }
            catch (CliInputException e)
            {
                error.WriteLine($"{where}: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (Exception e) when (e is AgentClusterException or AgentClusterProgramException or SolanaRpcException or KeypairFileException or ArgumentException
                                           or InvalidOperationException or FormatException or TimeoutException)
            {
                error.WriteLine($"{where}: {e.Message.Split('\n')[0]}");
                return ExitCodes.BadInput;
            }
        });
    }

    private static string? Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false } ? option.Name : null;

    private async Task<IAgentClusterNetwork> ConnectAsync(ParseResult parse, CancellationToken ct)
    {
        string deployment = parse.GetValue(Deployment) ?? Environment.GetEnvironmentVariable(DeploymentVariable) ?? Path.Combine(".localnet", "solana", "solana-localnet.json");
        if (!File.Exists(deployment))
        {
            throw new CliInputException("--deployment", $"no deployment file at {deployment} (localnet up --chain solana writes <dir>/solana/solana-localnet.json).");
        }

        string keypair = parse.GetValue(Keypair) ?? Environment.GetEnvironmentVariable(KeypairVariable)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "solana", "id.json");
        if (!File.Exists(keypair))
        {
            throw new CliInputException("--keypair", $"no keypair file at {keypair} (a Solana CLI keypair: a JSON array of 64 bytes).");
        }

        string? rpc = parse.GetValue(_connection.RpcUrl) ?? Environment.GetEnvironmentVariable(RpcVariable);
        if (rpc is not null && (!Uri.TryCreate(rpc, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new CliInputException("--rpc-url", $"'{rpc}' is not an http(s) URL.");
        }

        return await AgentClusterNetwork.ConnectAsync(new AgentClusterNetworkOptions
        {
            Chain = "solana",
            Solana = new SolanaNetworkOptions { RpcUrl = rpc, DeploymentPath = deployment, KeypairPath = keypair },
        }, null, ct).ConfigureAwait(false);
    }

    /// <summary>ACC text (the CLI's form) as Solana base units (9 decimals): more decimals are refused naming the argument.</summary>
    public static BigInteger Units(string text, string argument, bool allowZero = false)
    {
        BigInteger wei = Acc(text, argument, allowZero);
        return wei % UnitsToWei == 0 ? wei / UnitsToWei : throw new CliInputException(argument, $"'{text}' has more than 9 decimals: ACC on Solana has 9.");
    }

    /// <summary>Solana base units as ACC text.</summary>
    public static string FormatUnits(BigInteger units) => FormatAcc(units * UnitsToWei);

    // ---- agent

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> Register(Option<string> uri, Option<string> capabilities, Option<string> agentKeypair) =>
        async (parse, net, output, json, ct) =>
        {
            string metadata = parse.GetRequiredValue(uri);
            if (string.IsNullOrWhiteSpace(metadata))
            {
                throw new CliInputException("--uri", "the registration file's URI is empty.");
            }

            ulong caps = parse.GetValue(capabilities) is { } c ? Capabilities(c, "--capabilities") : 0;
            string path = parse.GetValue(agentKeypair) ?? throw new CliInputException("--agent-keypair", "--chain solana needs the agent key's keypair file (written with a new key when it does not exist).");
            NetworkKey key;
            bool created = !File.Exists(path);
            if (created)
            {
                var fresh = (SolanaNetworkKey)net.Agents.NewKey();
                KeypairFile.Write(path, fresh.Account);
                key = fresh;
            }
            else
            {
                key = SolanaNetworkKey.FromKeypairFile(path);
            }

            AgentRef agent = await net.Agents.RegisterAsync(key, caps, metadata, ct).ConfigureAwait(false);
            ChainConnection.WriteResult(output, json,
                $"registered agent {agent} (owner {net.Account}) on {net.Name}{(created ? $"; its new key is in {path}" : "")}",
                new { chain = "solana", agent = agent.Value, agentKey = key.Address, owner = net.Account, keypair = path, created });
            return ExitCodes.Success;
        };

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> Stake(Argument<string> who, Argument<string> amount) =>
        async (parse, net, output, json, ct) =>
        {
            AgentRef agent = new(parse.GetRequiredValue(who).Trim());
            BigInteger units = Units(parse.GetRequiredValue(amount), "<amount>");
            BigInteger stake = await net.Staking.StakeAsync(agent, units, ct).ConfigureAwait(false);
            ChainConnection.WriteResult(output, json, $"staked {FormatUnits(units)} ACC on agent {agent}; stake now {FormatUnits(stake)} ACC",
                new { chain = "solana", agent = agent.Value, amount = units.ToString(), stake = stake.ToString() });
            return ExitCodes.Success;
        };

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> Status(Argument<string> who) =>
        async (parse, net, output, json, ct) =>
        {
            string? text = parse.GetValue(who);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliInputException("<agent>", "--chain solana needs the agent (its key, base58).");
            }

            NetworkAgent a = await net.Agents.GetAsync(new AgentRef(text.Trim()), ct).ConfigureAwait(false);
            ChainConnection.WriteResult(output, json,
                $"agent        {a.Agent}\nowner        {a.Owner}\nstatus       {a.Status}\ncapabilities 0x{a.Capabilities:x}\nstake        {FormatUnits(a.Stake)} ACC\nattested     {(a.AttestedUntil is { } t ? $"until {t:u}" : "never")}",
                new
                {
                    chain = "solana", agent = a.Agent.Value, agentKey = a.AgentKey, owner = a.Owner, status = a.Status.ToString(), capabilities = a.Capabilities.ToString(),
                    stake = a.Stake.ToString(), attestedUntil = a.AttestedUntil?.ToUnixTimeSeconds(), active = a.IsActive,
                });
            return ExitCodes.Success;
        };

    // ---- task

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> Submit(Option<string> bounty, Option<string> fee, Option<string> deadline,
        Option<string> specHash, Option<string> specFile, Option<string> capabilities, Option<string> committee) =>
        async (parse, net, output, json, ct) =>
        {
            BigInteger bountyUnits = Units(parse.GetRequiredValue(bounty), "--bounty");
            BigInteger? feeUnits = parse.GetValue(fee) is { } f ? Units(f, "--fee", allowZero: true) : null;
            string deadlineText = parse.GetValue(deadline) ?? "+1d";
            Time(deadlineText, "--deadline", DateTimeOffset.UnixEpoch);
            byte[] hash = (parse.GetValue(specHash), parse.GetValue(specFile)) switch
            {
                ({ } h, null) => Hash32(h, "--spec-hash"),
                (null, { } path) => File.Exists(path) ? Sha3Keccack.Current.CalculateHash(File.ReadAllBytes(path)) : throw new CliInputException("--spec-file", $"no file at {path}."),
                (null, null) => throw new CliInputException("--spec-hash", "give the requirements as --spec-file <path> (hashed) or --spec-hash <0x...32 bytes>."),
                _ => throw new CliInputException("--spec-hash", "give --spec-hash or --spec-file, not both."),
            };
            ulong caps = parse.GetValue(capabilities) is { } c ? Capabilities(c, "--capabilities") : 0;
            int? size = null;
            if (parse.GetValue(committee) is { } sizeText)
            {
                size = int.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
                       && n is >= SolanaNetwork.MinCommitteeSize and <= SolanaNetwork.MaxCommitteeSize
                    ? n
                    : throw new CliInputException("--committee-size", $"'{sizeText}' is out of range on Solana: {SolanaNetwork.MinCommitteeSize}..{SolanaNetwork.MaxCommitteeSize}.");
            }

            DateTimeOffset now = await net.ChainTimeAsync(ct).ConfigureAwait(false);
            TaskRef task = await net.Tasks.SubmitAsync(new NetworkTaskSubmission
            {
                RequirementsHash = hash, Capabilities = caps, Bounty = bountyUnits, Fee = feeUnits, Deadline = Time(deadlineText, "--deadline", now), CommitteeSize = size,
            }, ct).ConfigureAwait(false);
            NetworkTask t = await net.Tasks.GetAsync(task, ct).ConfigureAwait(false);
            ChainConnection.WriteResult(output, json, $"submitted task {task}: bounty {FormatUnits(t.Bounty)} ACC + fee {FormatUnits(t.Fee)} ACC escrowed",
                new { chain = "solana", task = task.Value, bounty = t.Bounty.ToString(), fee = t.Fee.ToString(), requirementsHash = hash.ToHex(true), committeeSize = t.CommitteeSize });
            return ExitCodes.Success;
        };

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> TaskStatus(Argument<string> id) =>
        async (parse, net, output, json, ct) =>
        {
            var task = new TaskRef(parse.GetRequiredValue(id).Trim());
            NetworkTask t = await net.Tasks.GetAsync(task, ct).ConfigureAwait(false);
            IReadOnlyList<AgentRef> committee = await net.Reviews.GetCommitteeAsync(task, ct).ConfigureAwait(false);
            ChainConnection.WriteResult(output, json,
                $"task         {t.Task}\nstage        {t.Stage}\nstatus       {t.Status}\nrequester    {t.Requester}\nbounty       {FormatUnits(t.Bounty)} ACC (fee {FormatUnits(t.Fee)} ACC)\n"
                + $"executor     {(t.Executor is { } e ? $"{e} at {FormatUnits(t.Price)} ACC" : "-")}\ncommittee    {committee.Count} of {t.CommitteeSize}\nbidding ends {t.BiddingEndsAt:u}\ndeadline     {t.Deadline:u}",
                new
                {
                    chain = "solana", task = t.Task.Value, stage = t.Stage?.ToString(), status = t.Status.ToString(), requester = t.Requester, bounty = t.Bounty.ToString(),
                    fee = t.Fee.ToString(), executor = t.Executor?.Value, price = t.Price.ToString(), committeeSize = t.CommitteeSize,
                    committee = committee.Select(m => m.Value), biddingEndsAt = t.BiddingEndsAt.ToUnixTimeSeconds(), deadline = t.Deadline.ToUnixTimeSeconds(),
                });
            return ExitCodes.Success;
        };

    public static Func<ParseResult, IAgentClusterNetwork, TextWriter, bool, CancellationToken, Task<int>> List(Option<string> state, Option<string> requester, Option<string> limit) =>
        async (parse, net, output, json, ct) =>
        {
            if ((parse.GetValue(state) ?? "open").Trim().ToLowerInvariant() != "open")
            {
                throw new CliInputException("--state", "on Solana only open tasks can be listed (the chain-neutral SDK finds open tasks); drop --state or give open.");
            }

            int max = parse.GetValue(limit) is { } l
                ? int.TryParse(l, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= Tasks.TaskCommands.MaxLimit
                    ? n
                    : throw new CliInputException("--limit", $"must be 1..{Tasks.TaskCommands.MaxLimit}; got '{l}'.")
                : 20;
            string? who = parse.GetValue(requester)?.Trim();
            IReadOnlyList<NetworkTask> open = await net.Tasks.FindOpenAsync(ulong.MaxValue, ct).ConfigureAwait(false);
            NetworkTask[] shown = [.. open.Where(t => who is null || t.Requester == who).Take(max)];
            ChainConnection.WriteResult(output, json,
                shown.Length == 0 ? "no open task" : string.Join('\n', shown.Select(t => $"{t.Task}  bounty {FormatUnits(t.Bounty)} ACC  capabilities 0x{t.Capabilities:x}  bidding ends {t.BiddingEndsAt:u}  requester {t.Requester}")),
                new
                {
                    chain = "solana",
                    tasks = shown.Select(t => new { task = t.Task.Value, status = t.Status.ToString(), requester = t.Requester, bounty = t.Bounty.ToString(), capabilities = t.Capabilities.ToString(), biddingEndsAt = t.BiddingEndsAt.ToUnixTimeSeconds() }),
                });
            return ExitCodes.Success;
        };
}

/// <summary>Finding a subcommand's own options and arguments by name, to give them to its Solana body.</summary>
internal static class CommandParts
{
    public static Option<string> Opt(this Command command, string name) => (Option<string>)command.Options.First(o => o.Name == name);

    public static Option[] Opts(this Command command, params string[] names) => [.. names.Select(n => command.Options.First(o => o.Name == n))];

    public static Argument<string> Arg(this Command command, int index = 0) => (Argument<string>)command.Arguments[index];
}
