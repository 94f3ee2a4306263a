using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentCluster.Evm.Crypto;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.Transactions;

namespace AgentCluster.Evm.Tests.Fixtures;

/// <summary>How to start anvil.</summary>
internal sealed record AnvilOptions
{
    /// <summary>Mine only on evm_mine (no automine, no interval).</summary>
    public bool NoMining { get; init; }

    /// <summary>Dump the chain to this file on a graceful stop and load it on restart.</summary>
    public string? StateFile { get; init; }

    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>
/// A real anvil on a free loopback port, started as a process (no Docker here). Stop and restart keep the port, and with a
/// <see cref="AnvilOptions.StateFile"/> the chain: a graceful stop (SIGTERM) dumps the state, the restart loads it. Waits are bounded.
/// </summary>
internal sealed class AnvilFixture : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly Lazy<string> Executable = new(Locate);

    private readonly AnvilOptions _options;
    private readonly List<string> _output = [];
    private Process? _process;

    private AnvilFixture(int port, AnvilOptions options)
    {
        Port = port;
        _options = options;
        RpcUrl = new Uri($"http://127.0.0.1:{port}/");
        Client = new EthRpcClient(RpcUrl, new EthRpcClientOptions { MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromSeconds(10) });
    }

    public int Port { get; }

    public Uri RpcUrl { get; }

    /// <summary>A client without retries, for test set-up and assertions.</summary>
    public EthRpcClient Client { get; }

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<AnvilFixture> StartAsync(AnvilOptions? options = null)
    {
        var anvil = new AnvilFixture(FreePort(), options ?? new AnvilOptions());
        await anvil.LaunchAsync().ConfigureAwait(false);
        return anvil;
    }

    /// <summary>A client with fast retries: rides out a restart of a few seconds.</summary>
    public EthRpcClient CreateResilientClient(IEthRpcTransport? transport = null) =>
        new(transport ?? new HttpEthRpcTransport(RpcUrl), new EthRpcClientOptions
        {
            MaxRetryAttempts = 12,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(800),
            AttemptTimeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>Stops anvil with SIGTERM (so it dumps its state), waiting at most 15 s before killing it.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        _ = Kill(process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            Assert.Fail($"anvil did not stop within 15 s of SIGTERM.\n{Output}");
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>Starts anvil again on the same port, from the dumped state when there is a state file.</summary>
    public Task RestartAsync() => LaunchAsync();

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    public Task<JsonElement> RequestAsync(string method, params object?[] parameters) => Client.RequestAsync(method, parameters);

    /// <summary>A fresh key with 1,000 ETH, so each test has its own nonces.</summary>
    public async Task<EthECKey> CreateFundedKeyAsync()
    {
        EthECKey key = EthECKey.GenerateKey();
        await RequestAsync("anvil_setBalance", key.Address.ToLowerHex(), "0x3635c9adc5dea00000").ConfigureAwait(false);
        return key;
    }

    /// <summary>Deploys creation bytecode from <paramref name="deployer"/> and returns the contract's address.</summary>
    public async Task<Address> DeployAsync(EthECKey deployer, string bytecodeHex)
    {
        ulong nonce = await Client.GetTransactionCountAsync(deployer.Address, BlockParameter.Pending).ConfigureAwait(false);
        ulong chainId = await Client.GetChainIdAsync().ConfigureAwait(false);
        var tx = new Eip1559Transaction
        {
            ChainId = chainId, Nonce = nonce, GasLimit = 3_000_000, MaxFeePerGas = 100_000_000_000UL, MaxPriorityFeePerGas = 1_000_000_000UL,
            Data = Hex.Decode(bytecodeHex),
        };
        Hash32 hash = await Client.SendRawTransactionAsync(tx.Sign(deployer)).ConfigureAwait(false);
        if (_options.NoMining)
        {
            await RequestAsync("evm_mine").ConfigureAwait(false);
        }

        TransactionReceipt receipt = await WaitForReceiptAsync(hash).ConfigureAwait(false);
        Assert.That(receipt.Succeeded, Is.True, "deployment reverted");
        return receipt.ContractAddress!.Value;
    }

    /// <summary>Polls for a receipt, at most 10 s.</summary>
    public async Task<TransactionReceipt> WaitForReceiptAsync(Hash32 hash)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await Client.GetTransactionReceiptAsync(hash).ConfigureAwait(false) is { } receipt)
            {
                return receipt;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        Assert.Fail($"No receipt for {hash} within 10 s.");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            process.Dispose();
            _process = null;
        }
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        if (_options.NoMining)
        {
            info.ArgumentList.Add("--no-mining");
        }

        if (_options.StateFile is { } stateFile)
        {
            if (File.Exists(stateFile))
            {
                info.ArgumentList.Add("--load-state");
                info.ArgumentList.Add(stateFile);
            }

            info.ArgumentList.Add("--dump-state");
            info.ArgumentList.Add(stateFile);
        }

        foreach (string arg in _options.ExtraArguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"anvil exited with code {process.ExitCode} while starting on port {Port}.\n{Output}");
            }

            try
            {
                await Client.GetChainIdAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (EthRpcResilience.IsTransient(e))
            {
                if (waited.Elapsed > ReadyTimeout)
                {
                    process.Kill(entireProcessTree: true);
                    Assert.Fail($"anvil did not answer on port {Port} within {ReadyTimeout.TotalSeconds} s.\n{Output}");
                }

                await Task.Delay(25).ConfigureAwait(false);
            }
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 400)
            {
                _output.RemoveRange(0, 200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("ANVIL");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "anvil");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("Foundry's anvil was not found under node_modules/.bin (run scripts/setup) and ANVIL is not set.");
        return null!;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
