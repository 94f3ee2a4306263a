using System.CommandLine;
using System.Numerics;
using AgentCluster.Cli.Chain;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Reputation;
using AgentCluster.Sdk.Staking;
using Nethereum.Hex.HexConvertors.Extensions;
using static AgentCluster.Cli.Chain.ChainInput;

namespace AgentCluster.Cli.Agent;

/// <summary>
/// <c>agentcluster agent</c>: register with bond, stake, unstake, withdraw, status. Amounts are ACC as decimal text; every value is checked
/// before connecting, and the SDK checks what is cheap on-chain (unknown agent, short balance) before anything is sent.
/// </summary>
internal static class AgentCommands
{
    public const string AgentKeyVariableDefault = "AGENTCLUSTER_AGENT_KEY";

    public static Command Build()
    {
        var connection = new ChainConnection();
        var agent = new Command("agent", "Agents: register with bond, stake, unstake, withdraw, status (amounts in ACC).");
        var solana = new SolanaChainCommands(connection);
        foreach (Command c in new[] { Register(connection), Stake(connection), Unstake(connection), Withdraw(connection), Status(connection) })
        {
            connection.AddTo(c);
            agent.Subcommands.Add(c);
        }

        // --chain solana: the same subcommands through the chain-neutral SDK (SolanaChainCommands); unstake and withdraw are EVM only so far.
        Command register = agent.Subcommands[0];
        var agentKeypair = new Option<string>("--agent-keypair") { Description = "--chain solana: the agent key's keypair file (Solana CLI format; written with a new key when it does not exist)." };
        register.Options.Add(agentKeypair);
        solana.Wrap(register, "agentcluster agent register", register.Opts("--capability-vector-hash", "--agent-key-env", "--agent-keystore", "--agent-password-env"),
            SolanaChainCommands.Register(register.Opt("--uri"), register.Opt("--capabilities"), agentKeypair), agentKeypair);
        solana.Wrap(agent.Subcommands[1], "agentcluster agent stake", [], SolanaChainCommands.Stake(agent.Subcommands[1].Arg(0), agent.Subcommands[1].Arg(1)));
        solana.Wrap(agent.Subcommands[2], "agentcluster agent unstake", [], null);
        solana.Wrap(agent.Subcommands[3], "agentcluster agent withdraw", [], null);
        solana.Wrap(agent.Subcommands[4], "agentcluster agent status", [], SolanaChainCommands.Status(agent.Subcommands[4].Arg(0)));
        return agent;
    }

    private static Argument<string> AgentArgument(string description = "The agent: its key's address (0x...) or its id in decimal.") =>
        new("agent") { Description = description };

    private static Command Register(ChainConnection connection)
    {
        var uri = new Option<string>("--uri") { Description = "URI of the agent's registration file (emitted with the registration).", Required = true };
        var capabilities = new Option<string>("--capabilities") { Description = "Capability bitmask, decimal or 0x-hex (default 0)." };
        var vectorHash = new Option<string>("--capability-vector-hash") { Description = "keccak-256 of the capability vector in the registration file, 0x and 64 hex digits (default: zero)." };
        var agentKeyEnv = new Option<string>("--agent-key-env") { Description = $"The environment variable holding the agent's own key (default {AgentKeyVariableDefault}); its address becomes the agent id. Never printed." };
        var agentKeystore = new Option<string>("--agent-keystore") { Description = "The agent key as an encrypted keystore file instead (password from --agent-password-env)." };
        var agentPasswordEnv = new Option<string>("--agent-password-env") { Description = "With --agent-keystore: the variable holding its password (default AGENTCLUSTER_AGENT_KEYSTORE_PASSWORD)." };
        var command = new Command("register", "Registers an agent owned by the signer: bond + fee in ACC are approved and pulled; the agent key signs its consent.")
        {
            uri, capabilities, vectorHash, agentKeyEnv, agentKeystore, agentPasswordEnv,
        };
        command.SetAction((parse, ct) =>
        {
            string agentUri = parse.GetRequiredValue(uri);
            ulong caps = parse.GetValue(capabilities) is { } c ? Capabilities(c, "--capabilities") : 0;
            byte[] hash = parse.GetValue(vectorHash) is { } h ? Hash32(h, "--capability-vector-hash") : new byte[32];
            if (string.IsNullOrWhiteSpace(agentUri))
            {
                throw new CliInputException("--uri", "the registration file's URI is empty.");
            }

            AgentKeySource key = AgentKeyFrom(parse, agentKeyEnv, agentKeystore, agentPasswordEnv);
            return connection.RunAsync(parse, "agentcluster agent register", async (client, output, json) =>
            {
                AgentKey agentKey = (await key.ResolveAsync(client.ChainId, ct).ConfigureAwait(false)).Key
                    ?? throw new CliInputException("--agent-key-env", "the agent key must be a local key.");
                RegistrationTerms terms = await client.Agents.GetTermsAsync(ct).ConfigureAwait(false);
                if (!json)
                {
                    parse.InvocationConfiguration.Error.WriteLine(
                        $"registering agent {agentKey.Address}: bond {FormatAcc(terms.Bond)} ACC + fee {FormatAcc(terms.RegistrationFee)} ACC (burned)");
                }

                AgentRegistration r = await client.Agents.RegisterAsync(agentKey.Signer, agentUri, caps, hash, ct).ConfigureAwait(false);
                ChainConnection.WriteResult(output, json,
                    $"registered agent {r.AgentId} (key {r.AgentKey}, owner {r.Owner}), bond {FormatAcc(r.Bond)} ACC, fee {FormatAcc(r.Fee)} ACC, in transaction {r.Receipt.TransactionHash}",
                    new
                    {
                        agentId = r.AgentId.ToString(), agentKey = r.AgentKey, owner = r.Owner, bond = r.Bond.ToString(), fee = r.Fee.ToString(),
                        approval = r.Approval?.TransactionHash, transaction = r.Receipt.TransactionHash,
                    });
                return ExitCodes.Success;
            }, ct, progress: true);
        });
        return command;
    }

    private static AgentKeySource AgentKeyFrom(ParseResult parse, Option<string> env, Option<string> keystore, Option<string> passwordEnv)
    {
        if (parse.GetValue(keystore) is { } path)
        {
            if (parse.GetValue(env) is not null)
            {
                throw new CliInputException("--agent-keystore", "give --agent-keystore or --agent-key-env, not both.");
            }

            if (!File.Exists(path))
            {
                throw new CliInputException("--agent-keystore", $"No keystore file at {path}.");
            }

            string variable = parse.GetValue(passwordEnv) ?? "AGENTCLUSTER_AGENT_KEYSTORE_PASSWORD";
            string password = Environment.GetEnvironmentVariable(variable)
                ?? throw new CliInputException("--agent-password-env", $"${variable} is not set: it must hold the agent keystore's password (never given on the command line).");
            return AgentKeySource.FromKeystore(path, password);
        }

        string name = parse.GetValue(env) ?? AgentKeyVariableDefault;
        string value = Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new CliInputException("--agent-key-env", $"${name} is not set or empty: it must hold the agent's own key (or give --agent-keystore).");
        ChainConnection.RequireKeyShape(value, name, "--agent-key-env");
        return AgentKeySource.FromEnvironment(name);
    }

    private static Command Stake(ChainConnection connection)
    {
        var who = AgentArgument();
        var amount = new Argument<string>("amount") { Description = "ACC to add, as decimal text: 1500, 0.5 (18 decimals at most)." };
        var command = new Command("stake", "Adds ACC to the stake of an agent the signer owns (the amount is approved, then pulled).") { who, amount };
        command.SetAction((parse, ct) =>
        {
            BigInteger id = AgentId(parse.GetRequiredValue(who), "<agent>");
            BigInteger wei = Acc(parse.GetRequiredValue(amount), "<amount>");
            return connection.RunAsync(parse, "agentcluster agent stake", async (client, output, json) =>
            {
                StakeDeposit d = await client.Staking.StakeAsync(id, wei, ct).ConfigureAwait(false);
                ChainConnection.WriteResult(output, json,
                    $"staked {FormatAcc(d.Amount)} ACC on agent {id}; stake now {FormatAcc(d.NewStake)} ACC (transaction {d.Receipt.TransactionHash})",
                    new { agentId = id.ToString(), amount = d.Amount.ToString(), stake = d.NewStake.ToString(), approval = d.Approval?.TransactionHash, transaction = d.Receipt.TransactionHash });
                return ExitCodes.Success;
            }, ct, progress: true);
        });
        return command;
    }

    private static Command Unstake(ChainConnection connection)
    {
        var who = AgentArgument();
        var amount = new Argument<string>("amount") { Description = "ACC to move from active stake to unbonding, as decimal text: 1500, 0.5." };
        var command = new Command("unstake", "Starts unbonding part of an agent's stake (owner only); it becomes withdrawable after the unbonding period.") { who, amount };
        command.SetAction((parse, ct) =>
        {
            BigInteger id = AgentId(parse.GetRequiredValue(who), "<agent>");
            BigInteger wei = Acc(parse.GetRequiredValue(amount), "<amount>");
            return connection.RunAsync(parse, "agentcluster agent unstake", async (client, output, json) =>
            {
                UnstakeRequest u = await client.Staking.RequestUnstakeAsync(id, wei, ct).ConfigureAwait(false);
                ChainConnection.WriteResult(output, json,
                    $"unstaking {FormatAcc(u.Amount)} ACC of agent {id}; {FormatAcc(u.TotalUnbonding)} ACC withdrawable from {Show(u.UnlocksAt)} (transaction {u.Receipt.TransactionHash})",
                    new { agentId = id.ToString(), amount = u.Amount.ToString(), unbonding = u.TotalUnbonding.ToString(), withdrawableAt = Unix(u.UnlocksAt), transaction = u.Receipt.TransactionHash });
                return ExitCodes.Success;
            }, ct, progress: true);
        });
        return command;
    }

    private static Command Withdraw(ChainConnection connection)
    {
        var who = AgentArgument();
        var command = new Command("withdraw", "Pays an agent's unbonded stake to its owner once the unbonding period is over.") { who };
        command.SetAction((parse, ct) =>
        {
            BigInteger id = AgentId(parse.GetRequiredValue(who), "<agent>");
            return connection.RunAsync(parse, "agentcluster agent withdraw", async (client, output, json) =>
            {
                StakeWithdrawal w = await client.Staking.WithdrawAsync(id, ct).ConfigureAwait(false);
                ChainConnection.WriteResult(output, json,
                    $"withdrew {FormatAcc(w.Amount)} ACC of agent {id} to {w.To} (transaction {w.Receipt.TransactionHash})",
                    new { agentId = id.ToString(), amount = w.Amount.ToString(), to = w.To, transaction = w.Receipt.TransactionHash });
                return ExitCodes.Success;
            }, ct, progress: true);
        });
        return command;
    }

    private static Command Status(ChainConnection connection)
    {
        var who = AgentArgument("The agent (key address or id); default: every agent the signer owns.");
        who.Arity = ArgumentArity.ZeroOrOne;
        var command = new Command("status", "An agent's registration, bond, stake, pending unstake, attestation and reputation.") { who };
        command.SetAction((parse, ct) =>
        {
            BigInteger? id = parse.GetValue(who) is { } text ? AgentId(text, "<agent>") : null;
            return connection.RunAsync(parse, "agentcluster agent status", async (client, output, json) =>
            {
                IReadOnlyList<BigInteger> ids;
                if (id is { } one)
                {
                    ids = [one];
                }
                else
                {
                    string me = client.Address ?? throw new CliInputException("<agent>",
                        $"give an agent, or a signer (${ChainConnection.KeyVariableDefault}, --private-key-env or --keystore) to list the agents it owns.");
                    ids = await client.Agents.FindByOwnerAsync(me, cancellationToken: ct).ConfigureAwait(false);
                }

                var rows = new List<AgentView>();
                foreach (BigInteger agentId in ids)
                {
                    rows.Add(await ReadAsync(client, agentId, ct).ConfigureAwait(false));
                }

                if (json)
                {
                    ChainConnection.WriteJson(output, id is null ? rows.Select(r => r.Json()).ToArray() : rows[0].Json());
                }
                else if (rows.Count == 0)
                {
                    output.WriteLine($"{client.Address} owns no agent");
                }
                else
                {
                    for (int i = 0; i < rows.Count; i++)
                    {
                        if (i > 0)
                        {
                            output.WriteLine();
                        }

                        rows[i].Write(output);
                    }
                }

                return ExitCodes.Success;
            }, ct);
        });
        return command;
    }

    private static async Task<AgentView> ReadAsync(AgentClusterClient client, BigInteger id, CancellationToken ct)
    {
        AgentInfo info = await client.Agents.GetAsync(id, ct).ConfigureAwait(false);
        BigInteger stake = await client.Staking.GetStakeAsync(id, ct).ConfigureAwait(false);
        PendingUnstake pending = await client.Staking.GetPendingUnstakeAsync(id, ct).ConfigureAwait(false);
        ReputationSummary reputation = await client.Reputation.GetAsync(id, ct).ConfigureAwait(false);
        return new AgentView(info, stake, pending, reputation);
    }

    private sealed record AgentView(AgentInfo Info, BigInteger Stake, PendingUnstake Pending, ReputationSummary Reputation)
    {
        public object Json() => new
        {
            agentId = Info.AgentId.ToString(), agentKey = Info.AgentKey, owner = Info.Owner, status = Info.Status.ToString(),
            capabilities = Info.Capabilities.ToString(), capabilityVectorHash = Info.CapabilityVectorHash.ToHex(true),
            bond = Info.Bond.ToString(), stake = Stake.ToString(), unbonding = Pending.Amount.ToString(), withdrawableAt = Unix(Pending.UnlocksAt),
            exitUnlocksAt = Unix(Info.ExitUnlocksAt),
            attestation = Info.Attestation.Nonce == 0 ? null : new
            {
                nonce = Info.Attestation.Nonce.ToString(), expiresAt = Unix(Info.Attestation.Expires), measurementHash = Info.Attestation.MeasurementHash.ToHex(true),
                cpuCores = Info.Attestation.CpuCores, gpuMemoryMb = Info.Attestation.GpuMemoryMb, tokensPerSecond = Info.Attestation.TokensPerSecond,
            },
            reputation = new
            {
                task = Reputation.Task.ToString(), validator = Reputation.Validator.ToString(), compute = Reputation.Compute.ToString(),
                social = Reputation.Social.ToString(), total = Reputation.Total.ToString(),
            },
        };

        public void Write(TextWriter o)
        {
            o.WriteLine($"agent        {Info.AgentId}");
            o.WriteLine($"key          {Info.AgentKey}");
            o.WriteLine($"owner        {Info.Owner}");
            o.WriteLine($"status       {Info.Status}{(Info.ExitUnlocksAt is { } u ? $" (bond unlocks {Show(u)})" : "")}");
            o.WriteLine($"capabilities 0x{Info.Capabilities:x}");
            o.WriteLine($"bond         {FormatAcc(Info.Bond)} ACC");
            o.WriteLine($"stake        {FormatAcc(Stake)} ACC");
            o.WriteLine(Pending.Amount == 0 ? "unbonding    none" : $"unbonding    {FormatAcc(Pending.Amount)} ACC, withdrawable from {Show(Pending.UnlocksAt)}");
            AgentAttestation a = Info.Attestation;
            o.WriteLine(a.Nonce == 0
                ? "attestation  none"
                : $"attestation  #{a.Nonce}, expires {Show(a.Expires)}; {a.CpuCores} cores, {a.GpuMemoryMb} MiB GPU, {a.TokensPerSecond} tokens/s");
            o.WriteLine($"reputation   task {Points(Reputation.Task)}, validator {Points(Reputation.Validator)}, compute {Points(Reputation.Compute)}, social {Points(Reputation.Social)}, total {Points(Reputation.Total)}");
        }
    }

    /// <summary>Reputation in points (18 decimals), exact.</summary>
    internal static string Points(BigInteger value) => FormatAcc(value);
}
