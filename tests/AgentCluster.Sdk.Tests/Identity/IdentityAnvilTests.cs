using System.Numerics;
using AgentCluster.Evm;
using AgentCluster.Evm.Bindings.AgentRegistry;
using AgentCluster.Evm.Bindings.AgentRegistry.ContractDefinition;
using AgentCluster.Evm.Errors;
using AgentCluster.Evm.Rpc;
using AgentCluster.Evm.TransactionManagement;
using AgentCluster.Sdk.Identity;
using AgentCluster.Testing;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.Util;

namespace AgentCluster.Sdk.Tests.Identity;

/// <summary>
/// Identity against the deployed suite on anvil: AgentRegistry's key-binding digest and signature check accept what the SDK
/// signs, and every key source resolves to an account that AgentClusterWeb3 sends transactions with.
/// </summary>
[Category("Anvil")]
[NonParallelizable]
public class IdentityAnvilTests
{
    private AgentClusterSuite _suite = null!;
    private AgentRegistryService _registry = null!;
    private string _journals = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _suite = await AgentClusterSuite.StartAsync();
        _registry = new AgentRegistryService(_suite.Web3, _suite.Manifest.AddressOf("AgentRegistry"));
        _journals = TestKeys.NewDirectory();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _suite.DisposeAsync();
        Directory.Delete(_journals, true);
    }

    private async Task<BigInteger> ChainTimeAsync()
    {
        var block = await _suite.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest());
        return block.Timestamp.Value;
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task KeyBinding_IsTheRegistrysDigest_AndRegisterAcceptsTheSignature(bool leadingZero)
    {
        AgentKey key = AgentKey.FromPrivateKey(TestKeys.Random(new Random(leadingZero ? 900 : 901), leadingZero));
        var ownerWeb3 = await _suite.CreateWeb3Async(1);
        string owner = ownerWeb3.DurableTransactionManager.Address;
        BigInteger chainId = _suite.Node.ChainId;
        string registry = _registry.ContractAddress;
        BigInteger deadline = await ChainTimeAsync() + 3600;

        Assert.That((await _registry.AgentKeyBindingTypehashQueryAsync()).ToHex(true),
            Is.EqualTo(Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(AgentKeyBinding.TypeString)).ToHex(true)), "the type string is the contract's");
        var binding = new AgentKeyBinding { AgentKey = key.Address, Owner = owner, Nonce = 0, Deadline = deadline };
        Assert.That(binding.Digest(chainId, registry).ToHex(true),
            Is.EqualTo((await _registry.AgentKeyBindingDigestQueryAsync(key.Address, owner, 0, deadline)).ToHex(true)));
        Assert.That(await _registry.KeyNonceQueryAsync(key.Address), Is.EqualTo(BigInteger.Zero), "an unregistered key signs nonce 0");

        var asOwner = new AgentRegistryService(ownerWeb3, registry);
        var register = new RegisterFunction
        {
            AgentKey = key.Address, AgentURI = "ipfs://agent", Capabilities = 1, CapabilityVectorHash = new byte[32], Deadline = deadline,
            KeySignature = AgentKeyBinding.Sign(key, owner, deadline, chainId, registry),
        };
        // The signature passes; register then pulls bond + fee, which the owner has not approved: the ERC-20 error proves the key check passed.
        var passed = Assert.ThrowsAsync<ContractCustomErrorException<AgentCluster.Evm.Bindings.AccToken.ContractDefinition.ERC20InsufficientAllowanceError>>(
            async () => await asOwner.RegisterSimulateAsync(register))!;
        Assert.That(passed.Error.Spender, Is.EqualTo(registry).IgnoreCase, passed.Message);

        // Controls: the same key bound to another owner, and a passed deadline, are refused by the contract.
        register.KeySignature = AgentKeyBinding.Sign(key, _suite.Accounts[2].Address, deadline, chainId, registry);
        var wrongOwner = Assert.ThrowsAsync<ContractCustomErrorException<InvalidKeySignatureError>>(async () => await asOwner.RegisterSimulateAsync(register))!;
        Assert.That(wrongOwner.Error.Recovered, Is.Not.EqualTo(key.Address).IgnoreCase);
        register.KeySignature = AgentKeyBinding.Sign(key, owner, deadline, chainId + 1, registry);
        Assert.ThrowsAsync<ContractCustomErrorException<InvalidKeySignatureError>>(async () => await asOwner.RegisterSimulateAsync(register));
        BigInteger past = await ChainTimeAsync() - 1;
        register.Deadline = past;
        register.KeySignature = AgentKeyBinding.Sign(key, owner, past, chainId, registry);
        Assert.ThrowsAsync<ContractCustomErrorException<SignatureExpiredError>>(async () => await asOwner.RegisterSimulateAsync(register));
    }

    /// <summary>
    /// A whole registration through the generated services with the SDK's key-binding signature: ACC comes from the validators'
    /// pool (account 0 is its beneficiary on the suite; one day is vested by moving anvil's clock), the owner approves bond + fee,
    /// registers a key below 2^248, and the registry's agent id is the SDK's <see cref="AgentId"/>.
    /// </summary>
    [Test]
    public async Task Register_WithTheSdksKeySignature_GivesTheSdksAgentId()
    {
        AgentKey key = AgentKey.FromPrivateKey(TestKeys.Random(new Random(950), leadingZero: true));
        var ownerWeb3 = await _suite.CreateWeb3Async(3);
        string owner = ownerWeb3.DurableTransactionManager.Address;
        string registry = _registry.ContractAddress;
        BigInteger cost = await _registry.BondQueryAsync() + await _registry.RegistrationFeeQueryAsync();

        await _suite.FundAsync(owner, cost);
        string token = _suite.Manifest.AddressOf("AccToken");
        await new AgentCluster.Evm.Bindings.AccToken.AccTokenService(ownerWeb3, token).ApproveRequestAndWaitForReceiptAsync(registry, cost);

        BigInteger deadline = await ChainTimeAsync() + 600;
        var receipt = await new AgentRegistryService(ownerWeb3, registry).RegisterRequestAndWaitForReceiptAsync(new RegisterFunction
        {
            AgentKey = key.Address, AgentURI = "ipfs://agent", Capabilities = 1, CapabilityVectorHash = new byte[32], Deadline = deadline,
            KeySignature = AgentKeyBinding.Sign(key, owner, deadline, _suite.Node.ChainId, registry),
        });
        AgentRegisteredEventDTO registered = receipt.DecodeAllEvents<AgentRegisteredEventDTO>().Single().Event;
        Assert.That(registered.AgentId, Is.EqualTo(key.Id.Value), "the registry's id is the SDK's");
        Assert.That(registered.AgentKey, Is.EqualTo(key.Address).IgnoreCase);
        Assert.That(await _registry.OwnerOfQueryAsync(key.Id), Is.EqualTo(owner).IgnoreCase);
        Assert.That(await _registry.KeyNonceQueryAsync(key.Address), Is.EqualTo(BigInteger.One), "the key's binding nonce is spent");

        // An ACP message from the registered agent verifies against the registry; one from an unregistered key is NotRegistered.
        AgentMessageDomain domain = AgentMessageDomain.FromManifest(_suite.Manifest, () => DateTimeOffset.FromUnixTimeSeconds((long)deadline - 600));
        AgentMessage Message(AgentKey k) => new() { AgentId = k.Id, Deadline = (ulong)deadline, TaskId = 7, Compensation = 1, Nonce = 1 };
        AgentMessageVerification ok = await domain.VerifyRegisteredAsync(domain.Sign(key, Message(key)), _registry);
        Assert.That(ok.Status, Is.EqualTo(AgentMessageVerificationStatus.Valid), ok.Detail);
        AgentKey stranger = AgentKey.Generate();
        AgentMessageVerification unknown = await domain.VerifyRegisteredAsync(domain.Sign(stranger, Message(stranger)), _registry);
        Assert.That(unknown.Status, Is.EqualTo(AgentMessageVerificationStatus.NotRegistered));
        Assert.That(unknown.Detail, Does.Contain("not registered"));
    }

    [Test]
    public async Task AgentMessageDomain_FromTheManifest_IsThisChainAndRegistry()
    {
        AgentMessageDomain domain = AgentMessageDomain.FromManifest(_suite.Manifest);
        HexBigInteger chainId = await _suite.Web3.Eth.ChainId.SendRequestAsync();
        Assert.That(domain.ChainId, Is.EqualTo(chainId.Value));
        Assert.That(domain.VerifyingContract, Is.EqualTo(_registry.ContractAddress).IgnoreCase);
        Assert.That(await _suite.Web3.Eth.GetCode.SendRequestAsync(domain.VerifyingContract), Has.Length.GreaterThan(2), "a deployed contract");
    }

    public enum SourceKind { Keystore, Environment, PrivateKey, Account, ExternalSigner }

    [TestCase(SourceKind.Keystore, true)]
    [TestCase(SourceKind.Environment, false)]
    [TestCase(SourceKind.PrivateKey, true)]
    [TestCase(SourceKind.Account, true)]
    [TestCase(SourceKind.ExternalSigner, false)]
    public async Task EveryKeySource_ResolvesToAnAccountAgentClusterWeb3SendsWith(SourceKind kind, bool leadingZero)
    {
        byte[] raw = TestKeys.Random(new Random(1000 + (int)kind), leadingZero);
        AgentKey key = AgentKey.FromPrivateKey(raw);
        string variable = "AC_IDENT_ANVIL_" + Guid.NewGuid().ToString("N");
        string keystore = Path.Combine(_journals, Guid.NewGuid().ToString("N") + ".json");
        InProcessExternalSigner? external = null;
        AgentKeySource source;
        switch (kind)
        {
            case SourceKind.Keystore:
                await key.ExportKeystoreAsync(keystore, "pw", new KeystoreOptions { ScryptN = 1 << 14 });
                source = AgentKeySource.FromKeystore(keystore, "pw");
                break;
            case SourceKind.Environment:
                Environment.SetEnvironmentVariable(variable, TestKeys.Hex(raw));
                source = AgentKeySource.FromEnvironment(variable);
                break;
            case SourceKind.PrivateKey:
                source = AgentKeySource.FromPrivateKey(TestKeys.Hex(raw));
                break;
            case SourceKind.Account:
                source = AgentKeySource.FromAccount(new Nethereum.Web3.Accounts.Account(raw));
                break;
            default:
                external = new InProcessExternalSigner(new Nethereum.Signer.EthECKey(raw, true));
                source = AgentKeySource.FromExternalSigner(external);
                break;
        }

        Assert.That(source.ToString()!.ToLowerInvariant(), Does.Not.Contain(Convert.ToHexString(raw).ToLowerInvariant()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            ResolvedAgentAccount resolved = await source.ResolveAsync(_suite.Node.ChainId, timeout.Token);
            Assert.That(resolved.Address, Is.EqualTo(key.Address).IgnoreCase);
            Assert.That(resolved.ToString(), Does.Not.Contain(Convert.ToHexString(raw).ToLowerInvariant()));
            Assert.That(await _suite.Web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(key.Address, 1m), Is.Not.Null);

            IClient client = AgentClusterRpc.CreateClient(_suite.Node.RpcUrl);
            var options = new DurableTransactionManagerOptions { JournalPath = Path.Combine(_journals, kind + ".db"), ChainId = _suite.Node.ChainId };
            await using AgentClusterWeb3 web3 = resolved.IsLocal
                ? await AgentClusterWeb3.CreateAsync(client, resolved.Account!, options, cancellationToken: timeout.Token)
                : await AgentClusterWeb3.CreateAsync(client, resolved.ExternalAccount!, options, cancellationToken: timeout.Token);
            string recipient = _suite.Accounts[5].Address;
            var receipt = await web3.Eth.GetEtherTransferService().TransferEtherAndWaitForReceiptAsync(recipient, 0.01m, cancellationToken: timeout.Token);
            Assert.That(receipt.Status.Value, Is.EqualTo(BigInteger.One));
            Assert.That(receipt.From, Is.EqualTo(key.Address).IgnoreCase, "sent by the resolved key");
            if (external is not null)
            {
                Assert.That(external.Signatures, Is.GreaterThan(0), "the external signer signed");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public void KeySources_SayWhatIsWrong()
    {
        string missing = Path.Combine(_journals, "missing.json");
        Assert.That(async () => await AgentKeySource.FromKeystore(missing, "pw").ResolveAsync(1), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(missing));
        string variable = "AC_IDENT_MISSING_" + Guid.NewGuid().ToString("N");
        Assert.That(async () => await AgentKeySource.FromEnvironment(variable).ResolveAsync(1), Throws.InstanceOf<AgentKeyException>().With.Message.Contains(variable));
        Assert.That(() => AgentKeySource.FromPrivateKey("0x12"), Throws.ArgumentException);
        Assert.That(() => AgentKeySource.FromKeystore("", "pw"), Throws.ArgumentException);
    }
}
