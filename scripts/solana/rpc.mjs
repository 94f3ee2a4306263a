// The JSON-RPC methods of the local Solana node, with the real RPC's parameters, result shapes and error codes
// (https://solana.com/docs/rpc), over a LocalChain (chain.mjs). Localnet-only methods start with `localnet_`.
import { getBase58Decoder, getBase58Encoder, getCompiledTransactionMessageDecoder, getPublicKeyFromAddress, isAddress, verifySignature } from '@solana/kit';
import { BLOCKHASH_WINDOW, RpcError, STATUS_CACHE_SLOTS, decodeTransaction } from './chain.mjs';
import { transactionErrorMessage, transactionErrorJson } from './errors.mjs';
import { FailedTransactionMetadata } from 'litesvm';

export const API_VERSION = '2.2.0';
export const PACKET_DATA_SIZE = 1232;
const b58 = getBase58Decoder(); // bytes -> text
const b58bytes = getBase58Encoder(); // text -> bytes
const U64_MAX = 2n ** 64n - 1n;

const invalid = (what) => new RpcError(-32602, `Invalid params: ${what}`);

// ---- parameter checks (each names the parameter and what is wrong) ----
function pubkeyParam(params, i, name) {
  const v = params[i];
  if (typeof v !== 'string' || !isAddress(v)) throw invalid(`${name} (parameter ${i}) must be a base58 public key of 32 bytes, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}
function configParam(params, i) {
  const v = params[i];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`the configuration (parameter ${i}) must be an object`);
  return v;
}
const COMMITMENTS = ['processed', 'confirmed', 'finalized', 'recent', 'single', 'singleGossip', 'root', 'max'];
function commitmentOf(config, name = 'commitment') {
  const c = config[name];
  if (c === undefined) return 'finalized';
  if (!COMMITMENTS.includes(c)) throw invalid(`${name} must be processed, confirmed or finalized, got ${JSON.stringify(c)}`);
  return c;
}
function u64Param(v, name, { min = 0n, max = U64_MAX } = {}) {
  let n;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'bigint') n = v;
  else if (typeof v === 'string' && /^\d{1,20}$/.test(v)) n = BigInt(v);
  else throw invalid(`${name} must be an unsigned integer, got ${JSON.stringify(v)}`);
  if (n < min || n > max) throw invalid(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
function boolOf(config, name, dflt) {
  const v = config[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalid(`${name} must be true or false`);
  return v;
}
function encodedBytes(text, encoding, name) {
  if (typeof text !== 'string') throw invalid(`${name} must be a string`);
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalid(`${name} is not valid base64`);
    return new Uint8Array(Buffer.from(text, 'base64'));
  }
  if (encoding === 'base58') {
    try { return new Uint8Array(b58bytes.encode(text)); } catch { throw invalid(`${name} is not valid base58`); }
  }
  throw invalid(`encoding must be base58 or base64, got ${JSON.stringify(encoding)}`);
}
function sliceOf(config) {
  const s = config.dataSlice;
  if (s === undefined) return null;
  if (typeof s !== 'object' || s === null) throw invalid('dataSlice must be { offset, length }');
  return { offset: Number(u64Param(s.offset, 'dataSlice.offset', { max: 10n ** 8n })), length: Number(u64Param(s.length, 'dataSlice.length', { max: 10n ** 8n })) };
}
const ACCOUNT_ENCODINGS = ['base64', 'base58', 'jsonParsed', 'binary'];
function accountEncodingOf(config) {
  const e = config.encoding ?? 'binary';
  if (!ACCOUNT_ENCODINGS.includes(e)) throw invalid(`encoding must be base58, base64 or jsonParsed (base64+zstd is not supported here), got ${JSON.stringify(e)}`);
  return e;
}
function checkMinContextSlot(chain, config) {
  if (config.minContextSlot === undefined) return;
  const min = u64Param(config.minContextSlot, 'minContextSlot');
  if (min > chain.slot) throw new RpcError(-32016, 'Minimum context slot has not been reached', { contextSlot: chain.slot });
}

// ---- result shapes ----
const context = (chain) => ({ slot: chain.slot, apiVersion: API_VERSION });
const withContext = (chain, value) => ({ context: context(chain), value });

function encodeAccount(account, encoding, slice) {
  if (!account.exists) return null;
  let data = account.data;
  if (slice) data = data.subarray(slice.offset, slice.offset + slice.length);
  const encoded = encoding === 'base58' ? [b58.decode(data), 'base58'] : encoding === 'binary' ? b58.decode(data)
    : [Buffer.from(data).toString('base64'), 'base64']; // jsonParsed falls back to base64, as the node does for unparsed data
  return { data: encoded, executable: account.executable, lamports: account.lamports, owner: account.programAddress, rentEpoch: U64_MAX,
    space: account.data.length };
}

function statusOf(chain, record) {
  return { slot: record.slot, confirmations: null, err: record.err, status: record.err ? { Err: record.err } : { Ok: null },
    confirmationStatus: 'finalized' };
}

function transactionJson(record, encoding) {
  if (encoding === 'base64') return [Buffer.from(record.wire).toString('base64'), 'base64'];
  if (encoding === 'base58') return [b58.decode(record.wire), 'base58'];
  const m = record.message;
  const message = {
    accountKeys: m.staticAccounts,
    header: { numRequiredSignatures: m.header.numSignerAccounts, numReadonlySignedAccounts: m.header.numReadonlySignerAccounts,
      numReadonlyUnsignedAccounts: m.header.numReadonlyNonSignerAccounts },
    recentBlockhash: m.lifetimeToken,
    instructions: m.instructions.map((ix) => ({ programIdIndex: ix.programAddressIndex, accounts: ix.accountIndices ?? [],
      data: b58.decode(ix.data ?? new Uint8Array()), stackHeight: null })),
  };
  if (record.version !== 'legacy') message.addressTableLookups = (m.addressTableLookups ?? []).map((l) => ({ accountKey: l.lookupTableAddress,
    writableIndexes: l.writableIndexes ?? l.writableIndices ?? [], readonlyIndexes: l.readonlyIndexes ?? l.readonlyIndices ?? [] }));
  return { signatures: record.signatures, message };
}

function metaJson(record) {
  return {
    err: record.err, status: record.err ? { Err: record.err } : { Ok: null }, fee: record.fee, preBalances: record.preBalances,
    postBalances: record.postBalances, innerInstructions: record.innerInstructions, logMessages: record.logs,
    preTokenBalances: record.preTokenBalances, postTokenBalances: record.postTokenBalances, rewards: [],
    loadedAddresses: { writable: [], readonly: [] }, computeUnitsConsumed: record.unitsConsumed,
    ...(record.returnData ? { returnData: record.returnData } : {}),
  };
}

async function verifySignatures(decoded) {
  const signers = decoded.message.staticAccounts.slice(0, decoded.message.header.numSignerAccounts);
  const sigs = Object.values(decoded.tx.signatures);
  if (sigs.length !== signers.length) return false;
  for (let i = 0; i < signers.length; i++) {
    if (!sigs[i]) return false;
    const key = await getPublicKeyFromAddress(signers[i]);
    if (!(await verifySignature(key, sigs[i], decoded.tx.messageBytes))) return false;
  }
  return true;
}

function wireParam(params, config, method) {
  const encoding = config.encoding ?? 'base58';
  if (encoding !== 'base58' && encoding !== 'base64') throw invalid(`encoding must be base58 or base64, got ${JSON.stringify(encoding)}`);
  const wire = encodedBytes(params[0], encoding, `the transaction (parameter 0 of ${method})`);
  if (wire.length > PACKET_DATA_SIZE) throw invalid(`${encoding} encoded transaction too large: ${wire.length} bytes (max: ${PACKET_DATA_SIZE})`);
  return wire;
}

function simulationValue(result, { accounts = null, replacementBlockhash } = {}) {
  const failed = result instanceof FailedTransactionMetadata;
  const meta = failed ? result.meta() : result.meta();
  const rd = meta.returnData(), data = rd.data();
  return {
    err: failed ? transactionErrorJson(result.err()) : null, logs: meta.logs(), accounts, unitsConsumed: meta.computeUnitsConsumed(),
    returnData: data && data.length ? { programId: b58.decode(rd.programId()), data: [Buffer.from(data).toString('base64'), 'base64'] } : null,
    innerInstructions: null, ...(replacementBlockhash ? { replacementBlockhash } : {}),
  };
}

const preflightFailure = (value) => new RpcError(-32002, `Transaction simulation failed: ${transactionErrorMessage(value.err)}`,
  { accounts: null, err: value.err, innerInstructions: null, logs: value.logs, replacementBlockhash: null, returnData: value.returnData,
    unitsConsumed: value.unitsConsumed });
const emptyFailure = (err) => ({ err, logs: [], accounts: null, unitsConsumed: 0, returnData: null, innerInstructions: null });

/** The methods: name -> async (params, server) -> result. */
export function methods(chain, server) {
  return {
    getHealth: () => 'ok',
    getVersion: () => ({ 'solana-core': `${API_VERSION}-litesvm`, 'feature-set': 0 }),
    getSlot: (p) => { const c = configParam(p, 0); commitmentOf(c); checkMinContextSlot(chain, c); return chain.slot; },
    getBlockHeight: (p) => { const c = configParam(p, 0); commitmentOf(c); checkMinContextSlot(chain, c); return chain.blockHeight; },
    getGenesisHash: () => server.genesisHash,
    getEpochInfo: (p) => {
      const c = configParam(p, 0); commitmentOf(c);
      const schedule = chain.svm.getEpochSchedule(), slot = chain.slot;
      const slotsInEpoch = schedule.slotsPerEpoch, epoch = slot / slotsInEpoch;
      return { absoluteSlot: slot, blockHeight: chain.blockHeight, epoch, slotIndex: slot - epoch * slotsInEpoch, slotsInEpoch,
        transactionCount: chain.transactionCount };
    },
    getLatestBlockhash: (p) => {
      const c = configParam(p, 0); commitmentOf(c); checkMinContextSlot(chain, c);
      const latest = chain.latest;
      return withContext(chain, { blockhash: latest.blockhash, lastValidBlockHeight: chain.lastValidBlockHeight(latest) });
    },
    isBlockhashValid: (p) => {
      if (typeof p[0] !== 'string' || !isAddress(p[0])) throw invalid('blockhash (parameter 0) must be a base58 hash of 32 bytes');
      commitmentOf(configParam(p, 1));
      return withContext(chain, chain.blockhashEntry(p[0]) !== null);
    },
    getMinimumBalanceForRentExemption: (p) => {
      const size = u64Param(p[0], 'the data size (parameter 0)', { max: 10n * 1024n * 1024n });
      commitmentOf(configParam(p, 1));
      return chain.svm.minimumBalanceForRentExemption(size);
    },
    getFeeForMessage: (p) => {
      const c = configParam(p, 1); commitmentOf(c);
      const bytes = encodedBytes(p[0], 'base64', 'the message (parameter 0)');
      let message;
      try { message = getCompiledTransactionMessageDecoder().decode(bytes); } catch { throw invalid('the message (parameter 0) is not a valid transaction message'); }
      return withContext(chain, chain.blockhashEntry(message.lifetimeToken) ? chain.feeFor(message) : null);
    },
    getBalance: (p) => {
      const key = pubkeyParam(p, 0, 'the account'); const c = configParam(p, 1); commitmentOf(c); checkMinContextSlot(chain, c);
      return withContext(chain, chain.svm.getBalance(key) ?? 0n);
    },
    getAccountInfo: (p) => {
      const key = pubkeyParam(p, 0, 'the account'); const c = configParam(p, 1); commitmentOf(c); checkMinContextSlot(chain, c);
      return withContext(chain, encodeAccount(chain.svm.getAccount(key), accountEncodingOf(c), sliceOf(c)));
    },
    getMultipleAccounts: (p) => {
      if (!Array.isArray(p[0])) throw invalid('the accounts (parameter 0) must be an array of public keys');
      if (p[0].length > 100) throw invalid(`too many accounts: ${p[0].length} (at most 100)`);
      const keys = p[0].map((_, i) => pubkeyParam(p[0], i, 'an account'));
      const c = configParam(p, 1); commitmentOf(c); checkMinContextSlot(chain, c);
      const encoding = accountEncodingOf(c), slice = sliceOf(c);
      return withContext(chain, keys.map((k) => encodeAccount(chain.svm.getAccount(k), encoding, slice)));
    },
    getProgramAccounts: (p) => {
      const program = pubkeyParam(p, 0, 'the program');
      const c = configParam(p, 1); commitmentOf(c); checkMinContextSlot(chain, c);
      const encoding = accountEncodingOf(c), slice = sliceOf(c);
      const filters = (c.filters ?? []).map((f, i) => filterOf(f, i));
      if (filters.length > 4) throw invalid('too many filters (at most 4)');
      const matches = chain.svm.getProgramAccounts(program).filter((a) => filters.every((f) => f(a.data)))
        .sort((x, y) => (x.address < y.address ? -1 : 1))
        .map((a) => ({ pubkey: a.address, account: encodeAccount({ ...a, exists: true }, encoding, slice) }));
      return c.withContext ? withContext(chain, matches) : matches;
    },
    getTokenAccountBalance: (p) => {
      const key = pubkeyParam(p, 0, 'the token account'); commitmentOf(configParam(p, 1));
      if (!chain.svm.getAccount(key).exists) throw new RpcError(-32602, 'Invalid param: could not find account');
      const balance = chain.tokenBalance(key);
      if (!balance) throw new RpcError(-32602, 'Invalid param: not a Token account');
      return withContext(chain, balance.uiTokenAmount);
    },
    requestAirdrop: async (p) => {
      const key = pubkeyParam(p, 0, 'the recipient');
      const amount = u64Param(p[1], 'the lamports (parameter 1)', { min: 1n, max: 10n ** 15n });
      commitmentOf(configParam(p, 2));
      const account = chain.svm.getAccount(key);
      if (account.exists && account.executable) throw invalid(`the recipient ${key} is a program (executable), which cannot receive an airdrop`);
      return chain.airdrop(key, amount);
    },
    sendTransaction: async (p) => {
      const c = configParam(p, 1);
      const wire = wireParam(p, c, 'sendTransaction');
      const skipPreflight = boolOf(c, 'skipPreflight', false);
      commitmentOf(c, 'preflightCommitment');
      if (c.maxRetries !== undefined) u64Param(c.maxRetries, 'maxRetries', { max: 2n ** 32n });
      checkMinContextSlot(chain, c);
      const decoded = decodeTransaction(wire);
      if (!(await verifySignatures(decoded))) throw new RpcError(-32003, 'Transaction signature verification failure');
      // from here on, synchronous: nothing runs between the checks and the execution
      if (chain.history.has(decoded.signature)) {
        if (skipPreflight) return decoded.signature;
        throw preflightFailure(emptyFailure('AlreadyProcessed'));
      }
      if (!chain.blockhashEntry(decoded.message.lifetimeToken)) {
        if (skipPreflight) return decoded.signature; // the real node takes it, and it never lands
        throw preflightFailure(emptyFailure('BlockhashNotFound'));
      }
      if (!skipPreflight) {
        const value = simulationValue(chain.simulate(decoded, { sigVerify: false }));
        if (value.err) throw preflightFailure(value);
      }
      chain.execute(decoded);
      return decoded.signature;
    },
    simulateTransaction: async (p) => {
      const c = configParam(p, 1);
      let decoded = decodeTransaction(wireParam(p, c, 'simulateTransaction'));
      const sigVerify = boolOf(c, 'sigVerify', false), replace = boolOf(c, 'replaceRecentBlockhash', false);
      if (sigVerify && replace) throw invalid('sigVerify may not be used with replaceRecentBlockhash');
      commitmentOf(c); checkMinContextSlot(chain, c);
      let addresses = null, accountEncoding = 'base64';
      if (c.accounts !== undefined) {
        if (typeof c.accounts !== 'object' || !Array.isArray(c.accounts?.addresses)) throw invalid('accounts must be { addresses: [...], encoding }');
        addresses = c.accounts.addresses.map((_, i) => pubkeyParam(c.accounts.addresses, i, 'accounts.addresses'));
        accountEncoding = accountEncodingOf(c.accounts);
      }
      if (sigVerify && !(await verifySignatures(decoded))) throw new RpcError(-32003, 'Transaction signature verification failure');
      let replacementBlockhash;
      if (replace) {
        decoded = chain.withLatestBlockhash(decoded);
        replacementBlockhash = { blockhash: chain.latest.blockhash, lastValidBlockHeight: chain.lastValidBlockHeight(chain.latest) };
      } else if (!chain.blockhashEntry(decoded.message.lifetimeToken)) {
        return withContext(chain, emptyFailure('BlockhashNotFound'));
      }
      const result = chain.simulate(decoded, { sigVerify: false });
      let accounts = null;
      if (addresses && !(result instanceof FailedTransactionMetadata)) {
        const post = new Map(result.postAccounts().map((a) => [b58.decode(a.address), a.account()]));
        accounts = addresses.map((key) => {
          const a = post.get(key);
          if (!a) return encodeAccount(chain.svm.getAccount(key), accountEncoding, null);
          return encodeAccount({ exists: true, data: a.data(), executable: a.executable(), lamports: a.lamports(), programAddress: b58.decode(a.owner()) },
            accountEncoding, null);
        });
      }
      return withContext(chain, simulationValue(result, { accounts, replacementBlockhash }));
    },
    getSignatureStatuses: (p) => {
      if (!Array.isArray(p[0])) throw invalid('the signatures (parameter 0) must be an array of base58 signatures');
      if (p[0].length > 256) throw invalid(`too many signatures: ${p[0].length} (at most 256)`);
      p[0].forEach((s, i) => signatureParam(s, `signature ${i}`));
      const search = boolOf(configParam(p, 1), 'searchTransactionHistory', false);
      return withContext(chain, p[0].map((s) => {
        const record = chain.history.get(s);
        if (!record || (!search && chain.slot - record.slot > BigInt(STATUS_CACHE_SLOTS))) return null;
        return statusOf(chain, record);
      }));
    },
    getTransaction: (p) => {
      const sig = signatureParam(p[0], 'the signature (parameter 0)');
      const c = typeof p[1] === 'string' ? { encoding: p[1] } : configParam(p, 1);
      const commitment = commitmentOf(c);
      if (commitment === 'processed') throw invalid('Method does not support commitment below `confirmed`');
      const encoding = c.encoding ?? 'json';
      if (!['json', 'jsonParsed', 'base64', 'base58'].includes(encoding)) throw invalid(`encoding must be json, jsonParsed, base58 or base64, got ${JSON.stringify(encoding)}`);
      const max = c.maxSupportedTransactionVersion === undefined ? null : Number(u64Param(c.maxSupportedTransactionVersion, 'maxSupportedTransactionVersion', { max: 255n }));
      const record = chain.history.get(sig);
      if (!record) return null;
      if (record.version !== 'legacy' && (max === null || max < record.version)) {
        throw new RpcError(-32015, `Transaction version (${record.version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${record.version}`);
      }
      return { slot: record.slot, blockTime: record.blockTime, transaction: transactionJson(record, encoding), meta: metaJson(record),
        ...(max === null ? {} : { version: record.version }) };
    },
    getSignaturesForAddress: (p) => {
      const key = pubkeyParam(p, 0, 'the address');
      const c = configParam(p, 1);
      const limit = c.limit === undefined ? 1000 : Number(u64Param(c.limit, 'limit', { min: 1n, max: 1000n }));
      const before = c.before === undefined ? null : signatureParam(c.before, 'before');
      const until = c.until === undefined ? null : signatureParam(c.until, 'until');
      const commitment = commitmentOf(c);
      if (commitment === 'processed') throw invalid('Method does not support commitment below `confirmed`');
      const list = chain.byAddress.get(key) ?? [];
      const out = [];
      let i = list.length - 1;
      if (before) { const at = list.lastIndexOf(before); i = at < 0 ? -1 : at - 1; }
      for (; i >= 0 && out.length < limit; i--) {
        if (list[i] === until) break;
        const r = chain.history.get(list[i]);
        if (r) out.push({ signature: r.signature, slot: r.slot, err: r.err, memo: null, blockTime: r.blockTime, confirmationStatus: 'finalized' });
      }
      return out;
    },
    // ---- localnet-only ----
    localnet_warpTime: (p) => chain.warpTime(u64Param(p[0], 'seconds (parameter 0)', { min: 1n, max: 100n * 365n * 86400n })),
    localnet_fundAcc: (p) => chain.fundAcc(pubkeyParam(p, 0, 'the owner'), u64Param(p[1], 'the amount in base units (parameter 1)', { min: 1n })),
    localnet_advanceSlots: (p) => {
      const n = Number(u64Param(p[0], 'slots (parameter 0)', { min: 1n, max: 1000n }));
      for (let i = 0; i < n; i++) chain.advance();
      return chain.slot;
    },
    localnet_info: () => server.info(),
  };
}

function signatureParam(s, name) {
  let bytes = null;
  if (typeof s === 'string' && s.length <= 88) { try { bytes = b58bytes.encode(s); } catch { bytes = null; } }
  if (!bytes || bytes.length !== 64) throw invalid(`${name} must be a base58 signature of 64 bytes`);
  return s;
}

function filterOf(f, i) {
  if (typeof f !== 'object' || f === null) throw invalid(`filter ${i} must be { dataSize } or { memcmp }`);
  if (f.dataSize !== undefined) {
    const size = Number(u64Param(f.dataSize, `filters[${i}].dataSize`, { max: 10n * 1024n * 1024n }));
    return (data) => data.length === size;
  }
  if (f.memcmp !== undefined) {
    const m = f.memcmp;
    if (typeof m !== 'object' || m === null) throw invalid(`filters[${i}].memcmp must be { offset, bytes, encoding }`);
    const offset = Number(u64Param(m.offset, `filters[${i}].memcmp.offset`, { max: 10n * 1024n * 1024n }));
    const encoding = m.encoding ?? 'base58';
    const bytes = encodedBytes(m.bytes, encoding, `filters[${i}].memcmp.bytes`);
    if (bytes.length > 128) throw invalid(`filters[${i}].memcmp.bytes is longer than 128 bytes`);
    return (data) => data.length >= offset + bytes.length && bytes.every((b, k) => data[offset + k] === b);
  }
  if (f.tokenAccountState !== undefined) return (data) => data.length === 165 && data[108] === 1;
  throw invalid(`filter ${i} must be { dataSize } or { memcmp }`);
}

