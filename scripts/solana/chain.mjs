// The local chain behind the JSON-RPC server: a LiteSVM with the AgentCluster program deployed through the real
// upgradeable loader (contracts/solana/tools/deploy.mjs), plus what LiteSVM does not do by itself: slots that advance
// (a 400 ms timer and every executed transaction), the SlotHashes sysvar, a window of the last 150 blockhashes, a clock
// that follows the wall clock (plus localnet_warpTime), and a bounded history of executed transactions.
import crypto from 'node:crypto';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import {
  AccountRole, address, appendTransactionMessageInstructions, createKeyPairSignerFromPrivateKeyBytes, createTransactionMessage, generateKeyPairSigner,
  getAddressDecoder, getAddressEncoder, getBase58Decoder, getBase58Encoder, getCompiledTransactionMessageDecoder,
  getCompiledTransactionMessageEncoder, getProgramDerivedAddress, getTransactionDecoder, getTransactionEncoder, lamports, pipe,
  setTransactionMessageFeePayerSigner, setTransactionMessageLifetimeUsingBlockhash, signTransactionMessageWithSigners,
} from '@solana/kit';
import { getMintDecoder, getTokenDecoder, getTokenEncoder } from '@solana-program/token';
import {
  SYSTEM_PROGRAM, TOKEN_PROGRAM, VAULT_NAMES, concat, deployAgentClusterOn, u64le,
} from '../../contracts/solana/tools/deploy.mjs';
import { transactionErrorJson } from './errors.mjs';

export const SLOT_MS = 400;
export const BLOCKHASH_WINDOW = 150; // a blockhash is valid for 150 blocks, as on the real cluster
export const SLOT_HASHES_MAX = 512;
export const HISTORY_MAX = 100_000; // executed transactions kept for getTransaction & co (the oldest are dropped)
export const STATUS_CACHE_SLOTS = 300; // getSignatureStatuses without searchTransactionHistory looks this far back
export const LAMPORTS_PER_SIGNATURE = 5000n;
export const ATA_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
export const SLOT_HASHES = address('SysvarS1otHashes111111111111111111111111111');
export const TEAM_VAULT = 5;

const b58 = getBase58Decoder(); // bytes -> base58 text
const b58bytes = getBase58Encoder(); // base58 text -> bytes
const addressDecoder = getAddressDecoder();
const addressEncoder = getAddressEncoder();

/** A failure the RPC layer turns into a JSON-RPC error: code, message, data. */
export class RpcError extends Error {
  constructor(code, message, data = undefined) { super(message); this.code = code; this.data = data; }
}

/** A decoded wire transaction: its bytes, version, message and signatures. */
export function decodeTransaction(wire) {
  let tx, message;
  try {
    tx = getTransactionDecoder().decode(wire);
    message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
  } catch (e) {
    throw new RpcError(-32602, `invalid transaction: failed to deserialize the transaction (${e.message})`);
  }
  if (getTransactionEncoder().encode(tx).length !== wire.length) throw new RpcError(-32602, 'invalid transaction: trailing bytes after the transaction');
  const signatures = Object.values(tx.signatures).map((s) => (s ? b58.decode(s) : '1111111111111111111111111111111111111111111111111111111111111111'));
  return { wire, tx, message, version: message.version, signatures, signature: signatures[0] };
}

export class LocalChain {
  constructor() {
    this.svm = new LiteSVM();
    this.inner = this.svm.inner; // the native handle: it takes wire bytes as they came
    this.warpSeconds = 0n;
    this.blockhashes = []; // newest last: { blockhash, slot, height }
    this.slotHashes = []; // newest first: { slot, hash }
    this.history = new Map(); // signature -> record (insertion order = execution order)
    this.byAddress = new Map(); // address -> [signature, ...] oldest first
    this.transactionCount = 0;
    this.timer = null;
  }

  /** Deploys the program and runs genesis; the authority keypair signer becomes the upgrade and config authority. */
  async start({ authority, programKeys } = {}) {
    // the authority's seed is kept, so that --dir can write its keypair file as the Solana CLI does (seed, then public key)
    const seed = new Uint8Array(crypto.randomBytes(32));
    this.authority = authority ?? await createKeyPairSignerFromPrivateKeyBytes(seed);
    this.authoritySecret = concat(seed, addressEncoder.encode(this.authority.address));
    this.faucet = await generateKeyPairSigner();
    this.setLamports(this.faucet.address, 10n ** 18n); // airdrops come from here, as real System transfers
    this.setLamports(this.authority.address, 10n ** 15n);
    this.syncClock();
    const { program, programData, pdas } = await deployAgentClusterOn(this.svm, this.authority, { programKeys });
    Object.assign(this, { program, programData, pdas });
    this.inner.setBlockhashCheck(false); // the server checks the 150-blockhash window itself
    this.startSlot = this.svm.getClock().slot;
    this.advance();
    this.timer = setInterval(() => {
      try { this.advance(); } catch (e) { process.stderr.write(`solana-localnet: slot advance failed: ${e.stack}\n`); }
    }, SLOT_MS);
    this.timer.unref?.();
  }

  stop() { if (this.timer) clearInterval(this.timer); this.timer = null; }

  setLamports(addr, amount) {
    const current = this.svm.getAccount(addr);
    this.svm.setAccount({ address: addr, lamports: lamports(amount), data: current.exists ? current.data : new Uint8Array(),
      executable: current.exists ? current.executable : false, programAddress: current.exists ? current.programAddress : SYSTEM_PROGRAM,
      space: BigInt(current.exists ? current.data.length : 0) });
  }

  get slot() { return this.svm.getClock().slot; }
  get blockHeight() { return this.slot - this.startSlot; }
  get latest() { return this.blockhashes[this.blockhashes.length - 1]; }

  syncClock() {
    const clock = this.svm.getClock();
    clock.unixTimestamp = BigInt(Math.floor(Date.now() / 1000)) + this.warpSeconds;
    this.svm.setClock(clock);
  }

  /** The next slot: Clock.slot + 1, the clock's time, a new blockhash (the window keeps the last 150), SlotHashes. */
  advance() {
    const clock = this.svm.getClock();
    const previous = this.latest;
    if (previous) {
      this.slotHashes.unshift({ slot: previous.slot, hash: previous.hash });
      if (this.slotHashes.length > SLOT_HASHES_MAX) this.slotHashes.length = SLOT_HASHES_MAX;
      this.writeSlotHashes();
      clock.slot += 1n;
    }
    clock.unixTimestamp = BigInt(Math.floor(Date.now() / 1000)) + this.warpSeconds;
    this.svm.setClock(clock);
    this.svm.expireBlockhash();
    const blockhash = this.svm.latestBlockhash();
    // the slot's "bank hash" in SlotHashes: sha256(slot, blockhash); only the program's fix_seed reads it
    const hash = new Uint8Array(crypto.createHash('sha256').update(u64le(clock.slot)).update(b58bytes.encode(blockhash)).digest());
    this.blockhashes.push({ blockhash, slot: clock.slot, height: clock.slot - (this.startSlot ?? clock.slot), hash });
    if (this.blockhashes.length > BLOCKHASH_WINDOW + 1) this.blockhashes.shift();
  }

  /** Writes the SlotHashes sysvar account (newest first), laid out as the runtime does. */
  writeSlotHashes() {
    const data = new Uint8Array(20488);
    const view = new DataView(data.buffer);
    view.setBigUint64(0, BigInt(this.slotHashes.length), true);
    this.slotHashes.forEach(({ slot, hash }, i) => { view.setBigUint64(8 + 40 * i, slot, true); data.set(hash, 16 + 40 * i); });
    const current = this.svm.getAccount(SLOT_HASHES);
    this.svm.setAccount({ address: SLOT_HASHES, data, executable: false, lamports: current.lamports, programAddress: current.programAddress, space: 20488n });
  }

  /** The blockhash window entry of a blockhash, or null when it is not (or no longer) valid. */
  blockhashEntry(blockhash) {
    for (const entry of this.blockhashes) if (entry.blockhash === blockhash) return entry;
    return null;
  }

  lastValidBlockHeight(entry) { return entry.height + BigInt(BLOCKHASH_WINDOW); }

  /** Replaces a transaction's recent blockhash with the latest (simulateTransaction's replaceRecentBlockhash). */
  withLatestBlockhash(decoded) {
    const message = { ...decoded.message, lifetimeToken: this.latest.blockhash };
    const messageBytes = getCompiledTransactionMessageEncoder().encode(message);
    const wire = getTransactionEncoder().encode({ messageBytes, signatures: decoded.tx.signatures });
    return decodeTransaction(new Uint8Array(wire));
  }

  feeFor(message) { return LAMPORTS_PER_SIGNATURE * BigInt(message.header.numSignerAccounts); }

  /** The static account keys of a message (v0 lookups are not resolved: no address lookup tables on this localnet). */
  accountKeys(message) { return message.staticAccounts; }

  /** Token balances of a message's accounts (the RPC's pre/postTokenBalances). */
  tokenBalances(keys) {
    const out = [];
    keys.forEach((key, accountIndex) => {
      const b = this.tokenBalance(key);
      if (b) out.push({ accountIndex, mint: b.mint, owner: b.owner, programId: TOKEN_PROGRAM, uiTokenAmount: b.uiTokenAmount });
    });
    return out;
  }

  /** A token account's mint, owner and amount (uiTokenAmount as the RPC shows it), or null when it is none. */
  tokenBalance(key) {
    const account = this.svm.getAccount(key);
    if (!account.exists || account.programAddress !== TOKEN_PROGRAM || account.data.length !== 165) return null;
    const token = getTokenDecoder().decode(account.data);
    const mintAccount = this.svm.getAccount(token.mint);
    const decimals = mintAccount.exists ? getMintDecoder().decode(mintAccount.data).decimals : 0;
    return { mint: token.mint, owner: token.owner, uiTokenAmount: uiAmount(token.amount, decimals) };
  }

  /** Simulates (no state change); returns { result (LiteSVM), postAccounts }. sigVerify toggles signature checks. */
  simulate(decoded, { sigVerify = true } = {}) {
    const previous = this.inner.getSigverify();
    this.inner.setSigverify(sigVerify);
    try {
      return decoded.version === 'legacy' ? this.inner.simulateLegacyTransaction(decoded.wire) : this.inner.simulateVersionedTransaction(decoded.wire);
    } finally {
      this.inner.setSigverify(previous);
    }
  }

  /** Executes a transaction (already checked: blockhash, duplicate) and records it; the slot advances after it. */
  execute(decoded) {
    const keys = this.accountKeys(decoded.message);
    const preBalances = keys.map((k) => this.svm.getBalance(k) ?? 0n);
    const preTokenBalances = this.tokenBalances(keys);
    const slot = this.slot;
    const result = decoded.version === 'legacy' ? this.inner.sendLegacyTransaction(decoded.wire) : this.inner.sendVersionedTransaction(decoded.wire);
    const failed = result instanceof FailedTransactionMetadata;
    const meta = failed ? result.meta() : result;
    const err = failed ? transactionErrorJson(result.err()) : null;
    // a transaction that failed before execution (fee payer unable to pay, signature failure...) lands nowhere
    const landed = !failed || ['AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'InsufficientFundsForFee', 'InvalidAccountForFee',
      'AlreadyProcessed', 'BlockhashNotFound', 'SignatureFailure', 'SanitizeFailure', 'MissingSignatureForFee', 'InvalidAccountIndex',
      'UnsupportedVersion', 'TooManyAccountLocks', 'ProgramAccountNotFound'].indexOf(typeof err === 'string' ? err : '') < 0;
    if (!landed) return { landed, err, result };
    const returnData = meta.returnData();
    const record = {
      signature: decoded.signature, signatures: decoded.signatures, slot, blockTime: Number(this.svm.getClock().unixTimestamp),
      wire: decoded.wire, message: decoded.message, version: decoded.version, err,
      fee: this.feeFor(decoded.message), logs: meta.logs(), unitsConsumed: meta.computeUnitsConsumed(), preBalances,
      postBalances: keys.map((k) => this.svm.getBalance(k) ?? 0n), preTokenBalances, postTokenBalances: this.tokenBalances(keys),
      innerInstructions: innerInstructionsJson(meta.innerInstructions()), returnData: returnDataJson(returnData),
    };
    this.record(record, keys);
    this.advance();
    return { landed, err, result, record };
  }

  record(record, keys) {
    this.history.set(record.signature, record);
    this.transactionCount++;
    for (const key of new Set(keys)) {
      if (!this.byAddress.has(key)) this.byAddress.set(key, []);
      this.byAddress.get(key).push(record.signature);
    }
    if (this.history.size > HISTORY_MAX) {
      const [oldest, old] = this.history.entries().next().value;
      this.history.delete(oldest);
      for (const key of new Set(this.accountKeys(old.message))) {
        const list = this.byAddress.get(key);
        if (list?.[0] === oldest) list.shift();
        if (list?.length === 0) this.byAddress.delete(key);
      }
    }
  }

  /** An airdrop: a real System transfer from the faucet, signed here and executed like any transaction. */
  async airdrop(to, amount) {
    const instruction = { programAddress: SYSTEM_PROGRAM, data: concat(new Uint8Array([2, 0, 0, 0]), u64le(amount)),
      accounts: [{ address: this.faucet.address, role: AccountRole.WRITABLE_SIGNER, signer: this.faucet },
        { address: to, role: AccountRole.WRITABLE }] };
    const tx = await pipe(createTransactionMessage({ version: 'legacy' }),
      (m) => setTransactionMessageFeePayerSigner(this.faucet, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: this.latest.blockhash, lastValidBlockHeight: 0n }, m),
      (m) => appendTransactionMessageInstructions([instruction], m),
      (m) => signTransactionMessageWithSigners(m));
    const decoded = decodeTransaction(new Uint8Array(getTransactionEncoder().encode(tx)));
    const { err, landed } = this.execute(decoded);
    if (!landed || err) throw new RpcError(-32603, `airdrop failed: ${JSON.stringify(err)}`);
    return decoded.signature;
  }

  /** localnet_warpTime: moves the clock forward by `seconds` (it keeps following the wall clock from there). */
  warpTime(seconds) {
    this.warpSeconds += BigInt(seconds);
    this.advance();
    return { unixTimestamp: this.svm.getClock().unixTimestamp, slot: this.slot, warpedSeconds: this.warpSeconds };
  }

  /** localnet_fundAcc: moves `amount` ACC from the team vault into the owner's associated token account (created
   * if missing) by editing both token accounts; the supply stays held exactly. */
  async fundAcc(owner, amount) {
    const vault = this.pdas.vaults[TEAM_VAULT];
    const [ata] = await getProgramDerivedAddress({ programAddress: ATA_PROGRAM,
      seeds: [addressEncoder.encode(owner), addressEncoder.encode(TOKEN_PROGRAM), addressEncoder.encode(this.pdas.mint)] });
    const vaultAccount = this.svm.getAccount(vault);
    const vaultToken = getTokenDecoder().decode(vaultAccount.data);
    if (amount > vaultToken.amount) throw new RpcError(-32602, `Invalid params: amount ${amount} exceeds the team vault's ${vaultToken.amount}`);
    const existing = this.svm.getAccount(ata);
    let ataToken;
    if (existing.exists) {
      if (existing.programAddress !== TOKEN_PROGRAM) throw new RpcError(-32602, `Invalid params: ${ata} is not a token account`);
      ataToken = getTokenDecoder().decode(existing.data);
    } else {
      ataToken = { mint: this.pdas.mint, owner, amount: 0n, delegate: null, state: 1, isNative: null, delegatedAmount: 0n, closeAuthority: null };
    }
    const write = (addr, token, lamportsOf) => this.svm.setAccount({ address: addr, data: new Uint8Array(getTokenEncoder().encode(token)),
      executable: false, lamports: lamportsOf, programAddress: TOKEN_PROGRAM, space: 165n });
    write(vault, { ...vaultToken, amount: vaultToken.amount - amount }, vaultAccount.lamports);
    write(ata, { ...ataToken, amount: ataToken.amount + amount },
      existing.exists ? existing.lamports : lamports(this.svm.minimumBalanceForRentExemption(165n)));
    return { owner, tokenAccount: ata, amount: ataToken.amount + amount, teamVault: vault, teamVaultAmount: vaultToken.amount - amount };
  }

  /** What localnet_info returns and solana-localnet.json holds. */
  info(rpcUrl, authorityKeypairPath) {
    return {
      rpc: rpcUrl, programId: this.program, programData: this.programData, config: this.pdas.config, mint: this.pdas.mint,
      vaults: Object.fromEntries(VAULT_NAMES.map((name, k) => [name, this.pdas.vaults[k]])),
      vaultsByKind: this.pdas.vaults, authority: this.authority.address, authorityKeypairPath: authorityKeypairPath ?? null,
    };
  }
}

export function uiAmount(amount, decimals) {
  const text = amount.toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals), frac = text.slice(text.length - decimals).replace(/0+$/, '');
  const uiAmountString = frac ? `${whole}.${frac}` : whole;
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString };
}

function innerInstructionsJson(inner) {
  return inner.map((list, index) => ({ index, instructions: list.map((ii) => {
    const c = ii.instruction();
    return { programIdIndex: c.programIdIndex(), accounts: [...c.accounts()], data: b58.decode(c.data()), stackHeight: ii.stackHeight() };
  }) })).filter((e) => e.instructions.length > 0);
}

function returnDataJson(returnData) {
  const data = returnData.data();
  if (!data || data.length === 0) return null;
  return { programId: addressDecoder.decode(returnData.programId()), data: [Buffer.from(data).toString('base64'), 'base64'] };
}
