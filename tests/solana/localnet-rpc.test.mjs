// The local JSON-RPC server (scripts/solana-localnet) as @solana/kit sees it: one server for the file, each method's shape
// and values, kit-built and kit-signed transactions (legacy and v0), the program's errors through preflight, the
// localnet_ methods, and bad requests answered with the right JSON-RPC errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  AccountRole, address, appendTransactionMessageInstructions, createKeyPairSignerFromBytes, createTransactionMessage,
  generateKeyPairSigner, getBase58Decoder, getBase64EncodedWireTransaction, getBase64Decoder, getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction, getTransactionEncoder, isSolanaError, lamports, pipe,
  setTransactionMessageFeePayerSigner, setTransactionMessageLifetimeUsingBlockhash, signTransactionMessageWithSigners,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
} from '@solana/kit';
import { getMintDecoder, getTokenDecoder } from '@solana-program/token';
import { startLocalnet, waitFor } from './localnet-server.mjs';
import { ERRORS } from './helpers.mjs';
import { SYSTEM_PROGRAM, TOKEN_PROGRAM, concat, initializeInstruction, pdasOf, u64le } from '../../contracts/solana/tools/deploy.mjs';
import { ACC, TOTAL_SUPPLY } from './program.mjs';

let net, rpc, payer;
const b58 = getBase58Decoder();

before(async () => {
  net = await startLocalnet();
  rpc = net.rpc;
  payer = await generateKeyPairSigner();
  const sig = await rpc.requestAirdrop(payer.address, lamports(100_000_000_000n)).send();
  await confirmed(sig);
});
after(async () => { if (net) await net.stop(); });

const transfer = (from, to, amount) => ({ programAddress: SYSTEM_PROGRAM, data: concat(new Uint8Array([2, 0, 0, 0]), u64le(amount)),
  accounts: [{ address: from.address, role: AccountRole.WRITABLE_SIGNER, signer: from }, { address: to, role: AccountRole.WRITABLE }] });

async function signed(instructions, { version = 0, feePayer = payer, blockhash } = {}) {
  const latest = blockhash ? { blockhash, lastValidBlockHeight: 0n } : (await rpc.getLatestBlockhash().send()).value;
  return pipe(createTransactionMessage({ version }), (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m), (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => signTransactionMessageWithSigners(m));
}

async function confirmed(signature) {
  return waitFor(`status of ${signature}`, async () => (await rpc.getSignatureStatuses([signature]).send()).value[0]);
}

const raw = async (method, params) => (await net.post({ jsonrpc: '2.0', id: 1, method, params })).body;

test('the server prints its addresses and writes solana-localnet.json and the authority keypair (Solana CLI format)', async () => {
  assert.equal(net.lines.program, net.info.programId);
  assert.equal(net.lines.mint, net.info.mint);
  assert.equal(net.lines.config, net.info.config);
  assert.match(net.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual((await raw('localnet_info', [])).result, net.info);
  const pdas = await pdasOf(net.info.programId); // the addresses the program derives
  assert.equal(net.info.config, pdas.config);
  assert.equal(net.info.mint, pdas.mint);
  assert.deepEqual(net.info.vaultsByKind, pdas.vaults);
  assert.equal(net.info.vaults.team, pdas.vaults[5]);
  const bytes = JSON.parse(fs.readFileSync(net.info.authorityKeypairPath, 'utf8'));
  assert.equal(bytes.length, 64);
  const authority = await createKeyPairSignerFromBytes(new Uint8Array(bytes));
  assert.equal(authority.address, net.info.authority);
  // the program is deployed through the upgradeable loader and executable
  const program = await rpc.getAccountInfo(address(net.info.programId), { encoding: 'base64' }).send();
  assert.equal(program.value.executable, true);
  assert.equal(program.value.owner, 'BPFLoaderUpgradeab1e11111111111111111111111');
});

test('health, version, slot, block height and epoch info; slots advance on their own', async () => {
  assert.equal(await rpc.getHealth().send(), 'ok');
  assert.match((await rpc.getVersion().send())['solana-core'], /^\d+\.\d+\.\d+/);
  const slot = await rpc.getSlot().send();
  await waitFor('the next slot', async () => (await rpc.getSlot().send()) > slot);
  const epoch = await rpc.getEpochInfo().send();
  assert.ok(epoch.absoluteSlot > slot);
  assert.equal(epoch.absoluteSlot, epoch.epoch * epoch.slotsInEpoch + epoch.slotIndex);
  const height = await rpc.getBlockHeight().send();
  assert.ok(height > 0n && height <= epoch.absoluteSlot);
  const latest = await rpc.getLatestBlockhash().send();
  assert.equal(latest.value.lastValidBlockHeight >= height + 150n - 1n, true);
  assert.equal((await rpc.isBlockhashValid(latest.value.blockhash).send()).value, true);
});

test('an airdrop, then getBalance; the airdrop is a transaction with a status and a record', async () => {
  const who = await generateKeyPairSigner();
  const sig = await rpc.requestAirdrop(who.address, lamports(2_500_000_000n)).send();
  const status = await confirmed(sig);
  assert.equal(status.err, null);
  assert.equal(status.confirmationStatus, 'finalized');
  assert.equal((await rpc.getBalance(who.address).send()).value, 2_500_000_000n);
  const tx = await rpc.getTransaction(sig, { encoding: 'json' }).send();
  const i = tx.transaction.message.accountKeys.indexOf(who.address);
  assert.equal(tx.meta.preBalances[i], 0n);
  assert.equal(tx.meta.postBalances[i], 2_500_000_000n);
});

test('a kit-built, kit-signed v0 transaction: sent, confirmed, read back with its logs, CU, fee and balances', async () => {
  const to = (await generateKeyPairSigner()).address;
  const before = (await rpc.getBalance(payer.address).send()).value;
  const tx = await signed([transfer(payer, to, 1_000_000_000n)], { version: 0 });
  const sig = await rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send();
  assert.equal(sig, getSignatureFromTransaction(tx));
  assert.equal((await confirmed(sig)).err, null);
  const got = await rpc.getTransaction(sig, { encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
  assert.equal(got.version, 0);
  assert.deepEqual(got.transaction.signatures, [sig]);
  assert.equal(got.meta.err, null);
  assert.equal(got.meta.fee, 5000n);
  assert.ok(got.meta.logMessages.includes('Program 11111111111111111111111111111111 success'));
  assert.equal(got.meta.computeUnitsConsumed, 150n); // the System program's transfer costs 150 CU
  assert.equal(got.meta.preBalances[0] - got.meta.postBalances[0], 1_000_005_000n);
  assert.equal((await rpc.getBalance(payer.address).send()).value, before - 1_000_005_000n);
  assert.equal((await rpc.getBalance(to).send()).value, 1_000_000_000n);
  assert.equal(typeof got.blockTime, 'bigint');
  // base64: the very bytes sent
  const b64 = await rpc.getTransaction(sig, { encoding: 'base64', maxSupportedTransactionVersion: 0 }).send();
  assert.equal(b64.transaction[0], getBase64EncodedWireTransaction(tx));
  // a v0 transaction without maxSupportedTransactionVersion: -32015, as the real node
  const res = await raw('getTransaction', [sig, { encoding: 'json' }]);
  assert.equal(res.error.code, -32015);
  assert.match(res.error.message, /Transaction version \(0\) is not supported/);
});

test('a legacy transaction sent base58; a duplicate is AlreadyProcessed; the signature is listed for its addresses', async () => {
  const to = (await generateKeyPairSigner()).address;
  const tx = await signed([transfer(payer, to, 1_500_000_000n)], { version: 'legacy' });
  const wire58 = b58.decode(getTransactionEncoder().encode(tx));
  const sig = await rpc.sendTransaction(wire58, { encoding: 'base58' }).send();
  await confirmed(sig);
  const got = await rpc.getTransaction(sig, { encoding: 'json' }).send(); // legacy: no maxSupportedTransactionVersion needed
  assert.equal(got.version, undefined);
  assert.equal(got.transaction.message.accountKeys[1], to);
  const dup = await net.post({ jsonrpc: '2.0', id: 7, method: 'sendTransaction', params: [wire58, { encoding: 'base58' }] });
  assert.equal(dup.body.error.code, -32002);
  assert.equal(dup.body.error.data.err, 'AlreadyProcessed');
  const second = await signed([transfer(payer, to, 1_600_000_000n)], { version: 0 });
  const sig2 = await rpc.sendTransaction(getBase64EncodedWireTransaction(second), { encoding: 'base64' }).send();
  await confirmed(sig2);
  const listed = await rpc.getSignaturesForAddress(to).send();
  assert.deepEqual(listed.map((s) => s.signature), [sig2, sig]); // newest first
  assert.deepEqual((await rpc.getSignaturesForAddress(to, { limit: 1 }).send()).map((s) => s.signature), [sig2]);
  assert.deepEqual((await rpc.getSignaturesForAddress(to, { before: sig2 }).send()).map((s) => s.signature), [sig]);
});

test("a failing program instruction: the preflight error carries the program's Custom code and logs; skipPreflight lands it failed", async () => {
  const authority = await createKeyPairSignerFromBytes(new Uint8Array(JSON.parse(fs.readFileSync(net.info.authorityKeypairPath, 'utf8'))));
  await confirmed(await rpc.requestAirdrop(authority.address, lamports(1_000_000_000n)).send());
  const pdas = await pdasOf(net.info.programId);
  const again = initializeInstruction({ program: net.info.programId, programData: net.info.programData, pdas, authority });
  const tx = await signed([again], { feePayer: authority });
  const wire = getBase64EncodedWireTransaction(tx);
  const res = await net.post({ jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [wire, { encoding: 'base64' }] });
  assert.equal(res.body.error.code, -32002);
  assert.deepEqual(res.body.error.data.err, { InstructionError: [0, { Custom: ERRORS.ALREADY_INITIALIZED }] });
  assert.equal(res.body.error.message, `Transaction simulation failed: Error processing Instruction 0: custom program error: 0x${ERRORS.ALREADY_INITIALIZED.toString(16)}`);
  assert.equal(res.body.error.data.accounts, null);
  assert.ok(res.body.error.data.logs.some((l) => l.includes(`${net.info.programId} failed: custom program error`)));
  assert.ok(res.body.error.data.unitsConsumed > 0);
  // kit reads the same as a preflight failure
  const kitError = await rpc.sendTransaction(wire, { encoding: 'base64' }).send().then(() => null, (e) => e);
  assert.ok(isSolanaError(kitError, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE));
  // simulateTransaction says the same, without an error
  const sim = await rpc.simulateTransaction(wire, { encoding: 'base64' }).send();
  assert.deepEqual(sim.value.err, { InstructionError: [0n, { Custom: BigInt(ERRORS.ALREADY_INITIALIZED) }] });
  // skipPreflight: it lands, failed, fee charged
  const sig = await rpc.sendTransaction(wire, { encoding: 'base64', skipPreflight: true }).send();
  const status = await confirmed(sig);
  assert.deepEqual(status.err, { InstructionError: [0n, { Custom: BigInt(ERRORS.ALREADY_INITIALIZED) }] });
  const got = await rpc.getTransaction(sig, { maxSupportedTransactionVersion: 0 }).send();
  assert.deepEqual(got.meta.err, { InstructionError: [0n, { Custom: BigInt(ERRORS.ALREADY_INITIALIZED) }] });
  assert.equal(got.meta.fee, 5000n);
});

test('simulateTransaction: sigVerify refuses a bad signature (-32003), replaceRecentBlockhash revives a stale one, accounts after', async () => {
  const to = (await generateKeyPairSigner()).address;
  const tx = await signed([transfer(payer, to, 3_000_000_000n)]);
  const bytes = new Uint8Array(getTransactionEncoder().encode(tx));
  const forged = bytes.slice(); forged[10] ^= 0xff; // inside the first signature
  const b64 = (b) => Buffer.from(b).toString('base64');
  const bad = await raw('simulateTransaction', [b64(forged), { encoding: 'base64', sigVerify: true }]);
  assert.equal(bad.error.code, -32003);
  const ok = await rpc.simulateTransaction(b64(forged), { encoding: 'base64', sigVerify: false, accounts: { addresses: [to], encoding: 'base64' } }).send();
  assert.equal(ok.value.err, null);
  assert.equal(ok.value.accounts[0].lamports, 3_000_000_000n); // the account as it would be after
  assert.equal((await rpc.getBalance(to).send()).value, 0n); // and nothing changed
  const stale = await signed([transfer(payer, to, 1n)], { blockhash: 'CmpNeggWJ4JaWJeJ8YKN1Zypmk7uvQq3PECGUCAEMbky' });
  const staleWire = getBase64EncodedWireTransaction(stale);
  assert.equal((await rpc.simulateTransaction(staleWire, { encoding: 'base64' }).send()).value.err, 'BlockhashNotFound');
  const replaced = await rpc.simulateTransaction(staleWire, { encoding: 'base64', replaceRecentBlockhash: true }).send();
  assert.notEqual(replaced.value.err, 'BlockhashNotFound');
  assert.equal(typeof replaced.value.replacementBlockhash.blockhash, 'string');
  const both = await raw('simulateTransaction', [staleWire, { encoding: 'base64', replaceRecentBlockhash: true, sigVerify: true }]);
  assert.equal(both.error.code, -32602);
});

test('getSignatureStatuses looks 300 slots back unless searchTransactionHistory', async () => {
  const sig = await rpc.requestAirdrop((await generateKeyPairSigner()).address, lamports(1_000_000n)).send();
  await confirmed(sig);
  await raw('localnet_advanceSlots', [301]);
  assert.equal((await rpc.getSignatureStatuses([sig]).send()).value[0], null);
  assert.equal((await rpc.getSignatureStatuses([sig], { searchTransactionHistory: true }).send()).value[0].err, null);
});

test('an expired blockhash is refused (BlockhashNotFound) once 150 newer blocks exist', async () => {
  const tx = await signed([transfer(payer, (await generateKeyPairSigner()).address, 1_000_000_000n)]);
  const wire = getBase64EncodedWireTransaction(tx);
  assert.equal((await rpc.simulateTransaction(wire, { encoding: 'base64' }).send()).value.err, null); // valid now
  await raw('localnet_advanceSlots', [151]);
  assert.equal((await rpc.isBlockhashValid(getCompiledTransactionMessageDecoder().decode(tx.messageBytes).lifetimeToken).send()).value, false);
  const res = await raw('sendTransaction', [wire, { encoding: 'base64' }]);
  assert.equal(res.error.code, -32002);
  assert.equal(res.error.data.err, 'BlockhashNotFound');
  assert.equal(res.error.message, 'Transaction simulation failed: Blockhash not found');
  // skipPreflight: accepted as the real node does, and it never lands
  const sig = await rpc.sendTransaction(wire, { encoding: 'base64', skipPreflight: true }).send();
  assert.equal((await rpc.getSignatureStatuses([sig], { searchTransactionHistory: true }).send()).value[0], null);
});

test('accounts: getAccountInfo (base64, base58, dataSlice, missing), getMultipleAccounts, rent, fee for a message', async () => {
  const mint = await rpc.getAccountInfo(address(net.info.mint), { encoding: 'base64' }).send();
  assert.equal(mint.value.owner, TOKEN_PROGRAM);
  const mintData = Buffer.from(mint.value.data[0], 'base64');
  assert.equal(getMintDecoder().decode(mintData).supply, TOTAL_SUPPLY);
  const sliced = await rpc.getAccountInfo(address(net.info.mint), { encoding: 'base64', dataSlice: { offset: 36, length: 8 } }).send();
  assert.deepEqual(Buffer.from(sliced.value.data[0], 'base64'), mintData.subarray(36, 44));
  assert.equal(sliced.value.space, BigInt(mintData.length));
  const b58acc = await rpc.getAccountInfo(address(net.info.mint), { encoding: 'base58' }).send();
  assert.equal(b58acc.value.data[0], b58.decode(mintData));
  const missing = (await generateKeyPairSigner()).address;
  assert.equal((await rpc.getAccountInfo(missing, { encoding: 'base64' }).send()).value, null);
  const many = await rpc.getMultipleAccounts([address(net.info.config), missing], { encoding: 'base64' }).send();
  assert.equal(many.value[0].owner, net.info.programId);
  assert.equal(many.value[1], null);
  // rent: (128 + size) bytes x 3,480 lamports per byte-year x 2 years, the cluster's default Rent
  for (const size of [0n, 165n, 432n]) assert.equal(await rpc.getMinimumBalanceForRentExemption(size).send(), (128n + size) * 3480n * 2n);
  const tx = await signed([transfer(payer, missing, 1_000_000_000n)]);
  const message = getBase64Decoder().decode(tx.messageBytes);
  assert.equal((await rpc.getFeeForMessage(message).send()).value, 5000n);
});

test("getProgramAccounts: memcmp (base58 and base64) and dataSize find the program's config; withContext", async () => {
  const program = address(net.info.programId);
  const configDisc = b58.decode(new Uint8Array([1])); // AC_DISC_CONFIG at offset 0
  const found = await rpc.getProgramAccounts(program, { encoding: 'base64', filters: [{ dataSize: 432n }, { memcmp: { offset: 0n, bytes: configDisc, encoding: 'base58' } }] }).send();
  assert.deepEqual(found.map((a) => a.pubkey), [net.info.config]);
  const authorityBytes = Buffer.from(new Uint8Array(JSON.parse(fs.readFileSync(net.info.authorityKeypairPath, 'utf8'))).subarray(32)).toString('base64');
  const byAuthority = await rpc.getProgramAccounts(program, { encoding: 'base64', withContext: true,
    filters: [{ memcmp: { offset: 16n, bytes: authorityBytes, encoding: 'base64' } }] }).send();
  assert.ok(byAuthority.context.slot > 0n);
  assert.deepEqual(byAuthority.value.map((a) => a.pubkey), [net.info.config]);
  const none = await rpc.getProgramAccounts(program, { encoding: 'base64', filters: [{ memcmp: { offset: 0n, bytes: b58.decode(new Uint8Array([99])), encoding: 'base58' } }] }).send();
  assert.deepEqual(none, []);
  // the token accounts of the ACC mint: the eight vaults, holding the whole supply
  const vaults = await rpc.getProgramAccounts(TOKEN_PROGRAM, { encoding: 'base64', filters: [{ dataSize: 165n }, { memcmp: { offset: 0n, bytes: net.info.mint, encoding: 'base58' } }] }).send();
  assert.deepEqual(vaults.map((a) => a.pubkey).sort(), [...net.info.vaultsByKind].sort());
});

test('localnet_warpTime moves the Clock sysvar forward; SlotHashes is kept up to date, newest first', async () => {
  const clockOf = async () => {
    const clock = await rpc.getAccountInfo(address('SysvarC1ock11111111111111111111111111111111'), { encoding: 'base64' }).send();
    const d = Buffer.from(clock.value.data[0], 'base64');
    return { slot: d.readBigUInt64LE(0), unixTimestamp: d.readBigInt64LE(32) };
  };
  const before = await clockOf();
  const warped = (await raw('localnet_warpTime', [3600])).result;
  const after = await clockOf();
  assert.ok(after.unixTimestamp >= before.unixTimestamp + 3600n);
  assert.equal(BigInt(warped.unixTimestamp) <= after.unixTimestamp, true);
  assert.ok(after.slot > before.slot);
  const hashes = await rpc.getAccountInfo(address('SysvarS1otHashes111111111111111111111111111'), { encoding: 'base64' }).send();
  const d = Buffer.from(hashes.value.data[0], 'base64');
  const count = Number(d.readBigUInt64LE(0));
  assert.ok(count > 0 && count <= 512);
  const slot = await rpc.getSlot().send();
  const first = d.readBigUInt64LE(8), second = d.readBigUInt64LE(48);
  assert.ok(first < slot && first >= slot - 5n, `the newest entry ${first} is a recent slot below ${slot}`);
  if (count > 1) assert.equal(second, first - 1n);
});

test('localnet_fundAcc moves ACC from the team vault into the owner ATA; the supply is held exactly; too much is refused', async () => {
  const owner = (await generateKeyPairSigner()).address;
  const team = address(net.info.vaults.team);
  const teamBefore = BigInt((await rpc.getTokenAccountBalance(team).send()).value.amount);
  const res = (await raw('localnet_fundAcc', [owner, (25n * ACC).toString()])).result;
  const ata = address(res.tokenAccount);
  const balance = await rpc.getTokenAccountBalance(ata).send();
  assert.equal(balance.value.amount, (25n * ACC).toString());
  assert.equal(balance.value.decimals, 9);
  assert.equal(balance.value.uiAmountString, '25');
  assert.equal(BigInt((await rpc.getTokenAccountBalance(team).send()).value.amount), teamBefore - 25n * ACC);
  const account = await rpc.getAccountInfo(ata, { encoding: 'base64' }).send();
  const token = getTokenDecoder().decode(Buffer.from(account.value.data[0], 'base64'));
  assert.equal(token.owner, owner);
  assert.equal(token.mint, net.info.mint);
  // again: the same ATA grows
  await raw('localnet_fundAcc', [owner, 5]);
  assert.equal((await rpc.getTokenAccountBalance(ata).send()).value.amount, (25n * ACC + 5n).toString());
  // conservation: every ACC token account together holds the mint's supply
  const all = await rpc.getProgramAccounts(TOKEN_PROGRAM, { encoding: 'base64', filters: [{ dataSize: 165n }, { memcmp: { offset: 0n, bytes: net.info.mint, encoding: 'base58' } }] }).send();
  const held = all.reduce((sum, a) => sum + getTokenDecoder().decode(Buffer.from(a.account.data[0], 'base64')).amount, 0n);
  const mint = await rpc.getAccountInfo(address(net.info.mint), { encoding: 'base64' }).send();
  assert.equal(held, getMintDecoder().decode(Buffer.from(mint.value.data[0], 'base64')).supply);
  const tooMuch = await raw('localnet_fundAcc', [owner, (TOTAL_SUPPLY).toString()]);
  assert.equal(tooMuch.error.code, -32602);
  assert.match(tooMuch.error.message, /exceeds the team vault/);
  // a u64 written as a bare JSON number above 2^53 is read exactly
  const exact = await net.post(`{"jsonrpc":"2.0","id":1,"method":"localnet_fundAcc","params":["${owner}",12345678901234567891]}`);
  assert.match(exact.body.error.message, /amount 12345678901234567891 exceeds/);
});

test('bad requests get JSON-RPC errors and the server keeps answering', async () => {
  assert.equal((await net.post('{"jsonrpc":"2.0","id":1,"method":')).body.error.code, -32700);
  assert.equal((await raw('noSuchMethod', [])).error.code, -32601);
  const badKey = await raw('getBalance', ['not-a-key']);
  assert.equal(badKey.error.code, -32602);
  assert.match(badKey.error.message, /the account \(parameter 0\)/);
  const badCommitment = await raw('getSlot', [{ commitment: 'soon' }]);
  assert.equal(badCommitment.error.code, -32602);
  assert.match(badCommitment.error.message, /commitment/);
  assert.equal((await raw('sendTransaction', ['@@@', { encoding: 'base64' }])).error.code, -32602);
  assert.equal((await raw('sendTransaction', [Buffer.from('short').toString('base64'), { encoding: 'base64' }])).error.code, -32602);
  assert.equal((await net.post({ jsonrpc: '2.0', id: 1, method: 'getSlot', params: { a: 1 } })).body.error.code, -32602);
  const toProgram = await raw('requestAirdrop', [SYSTEM_PROGRAM, 1]);
  assert.equal(toProgram.error.code, -32602);
  assert.match(toProgram.error.message, /is a program/);
  assert.equal((await net.post({ id: 1, method: 'getSlot' })).body.error.code, -32600);
  assert.equal((await net.post([])).body.error.code, -32600);
  const batch = await net.post([{ jsonrpc: '2.0', id: 'a', method: 'getHealth' }, { jsonrpc: '2.0', id: 'b', method: 'nope' }]);
  assert.deepEqual(batch.body.map((r) => r.id), ['a', 'b']);
  assert.equal(batch.body[0].result, 'ok');
  assert.equal(batch.body[1].error.code, -32601);
  const long = await net.post(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'getHealth' })));
  assert.equal(long.body.error.code, -32600);
  const huge = await net.post(`[${'"x",'.repeat(300_000)}"x"]`);
  assert.equal(huge.status, 413);
  assert.equal(await rpc.getHealth().send(), 'ok');
});
