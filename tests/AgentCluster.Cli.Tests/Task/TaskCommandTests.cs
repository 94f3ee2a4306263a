using System.Numerics;
using System.Text.Json;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;

namespace AgentCluster.Cli.Tests.Tasks;

/// <summary><c>agentcluster task</c> against anvil: submit with a permit, status through the stages, list with filters and paging, refusals.</summary>
public sealed class TaskCommandTests : ChainTestBase
{
    private const int Requester = 2;
    private const int Worker = 4;
    private const int Poor = 3;
    private const int CommitteeOwner = 7;

    protected override async Task SetUpChainAsync()
    {
        await Suite.FundAsync(AnvilAccounts.Addresses[Requester], 100_000 * Acc);
        await Suite.FundAsync(AnvilAccounts.Addresses[Worker], 100_000 * Acc);
        await Suite.FundAsync(AnvilAccounts.Addresses[CommitteeOwner], 400_000 * Acc);
        // Ten reviewers, staked before any task exists (the committee draw reads stakes at the task's snapshot).
        await using AgentClusterClient members = await ClientAsync(CommitteeOwner);
        MarketParameters p = await members.Tasks.GetMarketParametersAsync();
        for (int i = 0; i < 10; i++)
        {
            AgentRegistration member = await members.Agents.RegisterAsync(AgentKey.Generate().Signer, "ipfs://member.json", 0, new byte[32]);
            await AttestAsync(members, member.AgentId);
            await members.Staking.StakeAsync(member.AgentId, p.MinStake);
        }
    }

    [Test]
    public async Task A_task_is_submitted_with_a_permit_and_followed_through_its_stages()
    {
        string spec = Path.Combine(Dir, "spec.md");
        File.WriteAllText(spec, "Summarise the attached paper in 200 words.\nCriteria: faithful, no invented claims.\n");
        byte[] specHash = Nethereum.Util.Sha3Keccack.Current.CalculateHash(File.ReadAllBytes(spec));
        await using AgentClusterClient requester = await ClientAsync(Requester);
        BigInteger minFee = await requester.Tasks.GetMinimumFeeAsync(100 * Acc, 10);
        BigInteger balance = await requester.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Requester]);
        BigInteger nonce = await NonceAsync(Requester);

        CliResult submitted = Run(Requester, "task", "submit", "--bounty", "100", "--spec-file", spec, "--capabilities", "1", "--deadline", "+2d", "--json");
        JsonElement s = Json(submitted);
        BigInteger id = BigInteger.Parse(s.GetProperty("taskId").GetString()!);
        Assert.That(s.GetProperty("requirementsHash").GetString(), Is.EqualTo(specHash.ToHex(true)), "the file's bytes, keccak-256");
        Assert.That((s.GetProperty("bounty").GetString(), s.GetProperty("fee").GetString()), Is.EqualTo(((100 * Acc).ToString(), minFee.ToString())));
        Assert.That(submitted.Stderr, Does.Contain("waiting for confirmation of 0x"));
        Assert.That(await NonceAsync(Requester), Is.EqualTo(nonce + 1), "one transaction: the permit replaces an approve");
        Assert.That(await requester.Contracts.Token.BalanceOfQueryAsync(AnvilAccounts.Addresses[Requester]), Is.EqualTo(balance - 100 * Acc - minFee));

        TaskInfo task = await requester.Tasks.GetAsync(id);
        Assert.That((task.Bounty, task.Capabilities, task.Requester), Is.EqualTo((100 * Acc, 1UL, AnvilAccounts.Addresses[Requester])));
        ulong now = await ChainTimeAsync();
        Assert.That(task.Deadline.ToUnixTimeSeconds(), Is.InRange((long)now + 2 * 86400 - 60, (long)now + 2 * 86400), "+2d from the chain's clock");

        string text = Ok(Run(null, "task", "status", id.ToString()));
        Assert.That(text, Does.Contain("stage      [Submitted] > Routed > Executed > Verifying > Settled").And.Contain("status     Bidding")
            .And.Contain("bounty     100 ACC, fee " + Chain.ChainInput.FormatAcc(minFee) + " ACC").And.Contain("executor   none yet")
            .And.Contain($"deadline   {Chain.ChainInput.Show(task.Deadline)}"));
        Assert.That(Ok(Run(null, "task", "list")), Does.Contain($"\n{id,-8} Submitted  Bidding      100 "), "open tasks by default");

        // An executor bids and is assigned after the bidding window: stage Routed, executor shown.
        await using AgentClusterClient worker = await ClientAsync(Worker);
        MarketParameters p = await worker.Tasks.GetMarketParametersAsync();
        AgentRegistration agent = await worker.Agents.RegisterAsync(AgentKey.Generate().Signer, "ipfs://worker.json", 1, new byte[32]);
        await AttestAsync(worker, agent.AgentId);
        await worker.Staking.StakeAsync(agent.AgentId, p.MinStake);
        await worker.Tasks.BidAsync(id, agent.AgentId, 80 * Acc);
        await WarpAsync(p.BiddingWindow + TimeSpan.FromSeconds(1));
        await worker.Tasks.AssignAsync(id);

        JsonElement status = Json(Run(null, "task", "status", id.ToString(), "--json"));
        Assert.That((status.GetProperty("stage").GetString(), status.GetProperty("status").GetString()), Is.EqualTo(("Routed", "Assigned")));
        Assert.That((status.GetProperty("executor").GetString(), status.GetProperty("price").GetString()), Is.EqualTo((agent.AgentId.ToString(), (80 * Acc).ToString())));
        Assert.That(status.GetProperty("deadline").GetString(), Is.EqualTo(task.Deadline.ToUnixTimeSeconds().ToString()));
        Assert.That(status.GetProperty("committee").GetArrayLength(), Is.EqualTo(0));
        Assert.That(Ok(Run(null, "task", "status", id.ToString())), Does.Contain("stage      Submitted > [Routed] >").And.Contain($"executor   agent {agent.AgentId} at 80 ACC"));

        Assert.That(Ok(Run(null, "task", "list", "--state", "open")), Does.Not.Contain($"\n{id,-8} "), "no longer open");

        JsonElement assigned = Json(Run(null, "task", "list", "--state", "assigned", "--requester", AnvilAccounts.Addresses[Requester], "--json"));
        Assert.That(assigned.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("taskId").GetString()), Does.Contain(id.ToString()));
        Assert.That(Ok(Run(null, "task", "list", "--state", "assigned", "--requester", AnvilAccounts.Addresses[Worker])),
            Is.EqualTo($"no assigned tasks of {AnvilAccounts.Addresses[Worker]}"));

        // The result is posted and a committee of 10 drawn by sortition (SDK keeper operations): stage Verifying, the members named.
        await worker.Tasks.PostResultAsync(id, new byte[32], "ipfs://result");
        Assert.That(Json(Run(null, "task", "status", id.ToString(), "--json")).GetProperty("stage").GetString(), Is.EqualTo("Executed"));
        for (int i = 0; i < 3; i++)
        {
            await Suite.Web3.Client.SendRequestAsync<string>("evm_mine"); // LocalRandomness: the seed is readable two blocks after the request
        }

        await using AgentClusterClient keeper = await ClientAsync(0);
        CommitteeDraw draw = await keeper.Tasks.DrawCommitteeBySortitionAsync(id);
        TaskInfo drawn = await keeper.Tasks.GetAsync(id);
        JsonElement verifying = Json(Run(null, "task", "status", id.ToString(), "--json"));
        Assert.That(verifying.GetProperty("stage").GetString(), Is.EqualTo("Verifying"));
        Assert.That(verifying.GetProperty("committee").EnumerateArray().Select(m => m.GetString()),
            Is.EquivalentTo(draw.Chosen.Select(c => c.AgentId.ToString())), "the members, from the MemberDrawn events");
        Assert.That(verifying.GetProperty("revealEndsAt").GetString(), Is.EqualTo(drawn.RevealEndsAt!.Value.ToUnixTimeSeconds().ToString()));
        Assert.That(Ok(Run(null, "task", "status", id.ToString())), Does.Contain("stage      Submitted > Routed > Executed > [Verifying] > Settled")
            .And.Contain($"committee  10/10 seated, 0 committed, 0 revealed, 0 approve: {string.Join(", ", draw.Chosen.Select(c => c.AgentId))}")
            .And.Contain($"review     draw until {Chain.ChainInput.Show(drawn.DrawClosesAt)}, commit until {Chain.ChainInput.Show(drawn.CommitEndsAt)}"));
    }

    [Test]
    public void List_pages_newest_first_and_says_where_to_continue()
    {
        string hash = "0x" + new string('a', 64);
        BigInteger first = BigInteger.Parse(Json(Run(Requester, "task", "submit", "--bounty", "1", "--spec-hash", hash, "--json")).GetProperty("taskId").GetString()!);
        BigInteger second = BigInteger.Parse(Json(Run(Requester, "task", "submit", "--bounty", "2.5", "--spec-hash", hash, "--json")).GetProperty("taskId").GetString()!);
        Assert.That(second, Is.EqualTo(first + 1));

        JsonElement page1 = Json(Run(null, "task", "list", "--state", "all", "--limit", "1", "--json"));
        Assert.That(page1.GetProperty("tasks")[0].GetProperty("taskId").GetString(), Is.EqualTo(second.ToString()));
        Assert.That(page1.GetProperty("tasks")[0].GetProperty("bounty").GetString(), Is.EqualTo((5 * Acc / 2).ToString()));
        Assert.That(page1.GetProperty("next").GetString(), Is.EqualTo(second.ToString()));
        JsonElement page2 = Json(Run(null, "task", "list", "--state", "all", "--limit", "1", "--before", second.ToString(), "--json"));
        Assert.That(page2.GetProperty("tasks")[0].GetProperty("taskId").GetString(), Is.EqualTo(first.ToString()));
        Assert.That(Ok(Run(null, "task", "list", "--state", "all", "--limit", "1")), Does.EndWith($"more: --before {second}"));
    }

    [TestCase(new[] { "--bounty", "-1" }, "--bounty: '-1' is negative; an amount of ACC is positive.")]
    [TestCase(new[] { "--bounty", "0" }, "--bounty: the amount is 0; give a positive amount of ACC.")]
    [TestCase(new[] { "--bounty", "ten" }, "--bounty: 'ten' is not an amount of ACC")]
    [TestCase(new[] { "--bounty", "1.0000000000000000001" }, "--bounty: '1.0000000000000000001' has 19 decimals; ACC has 18")]
    [TestCase(new[] { "--bounty", "10", "--fee", "x" }, "--fee: 'x' is not an amount of ACC")]
    [TestCase(new[] { "--bounty", "10", "--fee", "0" }, "Fee 0 is below the market's minimum fee")]
    [TestCase(new[] { "--bounty", "10", "--spec-hash", "0x1234" }, "--spec-hash: a hash is 32 bytes (0x and 64 hex digits), not 2.")]
    [TestCase(new[] { "--bounty", "10", "--spec-hash", "1234" }, "--spec-hash:")]
    [TestCase(new[] { "--bounty", "10" }, "--spec-hash: give the requirements as --spec-file <path> (hashed) or --spec-hash <0x...32 bytes>.")]
    [TestCase(new[] { "--bounty", "10", "--spec-hash", "0x", "--spec-file", "f" }, "--spec-hash: give --spec-hash or --spec-file, not both.")]
    [TestCase(new[] { "--bounty", "10", "--spec-file", "/nonexistent/spec.md" }, "--spec-file: cannot read '/nonexistent/spec.md'")]
    [TestCase(new[] { "--bounty", "10", "--deadline", "tomorrow" }, "--deadline: 'tomorrow' is not a time: give +<n>d, +<n>h or +<n>m from the chain's now, unix seconds, or an ISO-8601 time.")]
    [TestCase(new[] { "--bounty", "10", "--deadline", "+1m" }, "is out of range: it must fall after the bidding window")]
    [TestCase(new[] { "--bounty", "10", "--deadline", "+400d" }, "is out of range: it must fall after the bidding window")]
    [TestCase(new[] { "--bounty", "10", "--committee-size", "5" }, "--committee-size: 5 is out of range: 10..100.")]
    [TestCase(new[] { "--bounty", "10", "--committee-size", "ten" }, "--committee-size:")]
    [TestCase(new[] { "--bounty", "10", "--min-reputation", "-1" }, "--min-reputation: -1 is out of range: 0..1099511627775.")]
    [TestCase(new[] { "--bounty", "10", "--capabilities", "-1" }, "--capabilities: -1 is not a capability bitmask (0 .. 2^64-1).")]
    [TestCase(new[] { "--bounty", "1000000" }, "ACC wei, less than bounty + fee = 1050000000000000000000000.")]
    public async Task Submit_refuses_bad_input_before_anything_is_sent(string[] options, string message)
    {
        string[] hash = options.Contains("--spec-hash") || options.Contains("--spec-file") || message.StartsWith("--spec-hash: give the requirements") ? [] : ["--spec-hash", "0x" + new string('b', 64)];
        BigInteger nonce = await NonceAsync(Requester);
        CliResult result = Run(Requester, ["task", "submit", .. options, .. hash]);
        AssertRefused(result, message);
        Assert.That(result.Stderr, Does.StartWith("agentcluster task submit: "));
        Assert.That(await NonceAsync(Requester), Is.EqualTo(nonce), "nothing sent");
    }

    [TestCase(new[] { "status", "0" }, "<task-id>: 0 is not a task id (ids start at 1).")]
    [TestCase(new[] { "status", "abc" }, "<task-id>: 'abc' is not an integer (decimal digits, or 0x-hex).")]
    [TestCase(new[] { "status", "-3" }, "<task-id>: -3 is not a task id (ids start at 1).")]
    [TestCase(new[] { "status", "999999" }, "Task 999999 does not exist on this market.")]
    [TestCase(new[] { "list", "--state", "done" }, "--state: 'done' is not a state: use open, bidding, assigned, verifying, settled, accepted, rejected, refunded, inconclusive, all.")]
    [TestCase(new[] { "list", "--requester", "0x12" }, "--requester: Address '0x12' has 2 hex digits; an address is exactly 40 (20 bytes).")]
    [TestCase(new[] { "list", "--limit", "0" }, "--limit: 0 is out of range: 1..500.")]
    [TestCase(new[] { "list", "--limit", "501" }, "--limit: 501 is out of range: 1..500.")]
    [TestCase(new[] { "list", "--before", "x" }, "--before: 'x' is not an integer (decimal digits, or 0x-hex).")]
    public void Status_and_list_refuse_bad_input(string[] args, string message) =>
        AssertRefused(Run(null, ["task", .. args]), $"agentcluster task {args[0]}: {message}");

    [Test]
    public async Task A_requester_without_acc_or_a_key_is_refused_before_anything_is_sent()
    {
        BigInteger nonce = await NonceAsync(Poor);
        AssertRefused(Run(Poor, "task", "submit", "--bounty", "1", "--spec-hash", "0x" + new string('c', 64)),
            $"agentcluster task submit: The requester {AnvilAccounts.Addresses[Poor]} holds 0 ACC wei, less than bounty + fee");
        AssertRefused(Run(null, "task", "submit", "--bounty", "1", "--spec-hash", "0x" + new string('c', 64)),
            "agentcluster task submit: this command sends a transaction and needs a signer");
        Assert.That(await NonceAsync(Poor), Is.EqualTo(nonce));
    }
}
