// Shared by the Solana program's tests: the build (once, when a source is newer than the output), a LiteSVM with the
// program deployed through the real upgradeable loader, transactions, and reading results and errors.
import fs from 'node:fs';
import path from 'node:path';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import {
  AccountRole, address, appendTransactionMessageInstructions, createTransactionMessage, generateKeyPairSigner,
  getAddressEncoder, getProgramDerivedAddress, lamports, pipe, setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { build, DEFAULT_OUT, SOLANA_DIR } from '../../contracts/solana/build.mjs';

export const LOADER = address('BPFLoaderUpgradeab1e11111111111111111111111');
export const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const SYSVAR_RENT = address('SysvarRent111111111111111111111111111111111');
export const SYSVAR_CLOCK = address('SysvarC1ock11111111111111111111111111111111');
export { AccountRole, address, generateKeyPairSigner };

/** The names of enum ac_error (contracts/solana/include/ac/error.h), read from the header so the tests name errors. */
export const ERRORS = Object.fromEntries([...fs.readFileSync(path.join(SOLANA_DIR, 'include/ac/error.h'), 'utf8')
  .matchAll(/AC_ERR_(\w+) = (\d+)/g)].map(([, name, code]) => [name, Number(code)]));

const newestSource = () => {
  let newest = 0;
  for (const dir of ['src', 'include', 'probe', 'tools']) {
    for (const f of fs.readdirSync(path.join(SOLANA_DIR, dir), { recursive: true })) {
      newest = Math.max(newest, fs.statSync(path.join(SOLANA_DIR, dir, f)).mtimeMs);
    }
  }
  return Math.max(newest, fs.statSync(path.join(SOLANA_DIR, 'build.mjs')).mtimeMs);
};

/** Path of a built program (agentcluster, support-probe); builds first when a source changed since. */
export function programPath(name) {
  const file = path.join(DEFAULT_OUT, `${name}.so`);
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < newestSource()) build();
  return file;
}

export const u64le = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
export const readU64 = (bytes, offset = 0) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset, true);
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
export const addressBytes = (a) => getAddressEncoder().encode(a);

/** A LiteSVM with a funded payer. */
export async function newChain() {
  const svm = new LiteSVM();
  const payer = await generateKeyPairSigner();
  svm.airdrop(payer.address, lamports(1_000_000_000_000n));
  return { svm, payer };
}

/** Signs and sends instructions (fee payer: payer; other signers are taken from the account metas). */
export async function send(svm, payer, instructions) {
  svm.expireBlockhash(); // a fresh blockhash, so that a repeated transaction is a new one
  const tx = await pipe(createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => signTransactionMessageWithSigners(m));
  return svm.sendTransaction(tx);
}

/** Throws with the logs when the transaction failed; returns its metadata. */
export function expectSuccess(result) {
  if (result instanceof FailedTransactionMetadata) {
    throw new Error(`transaction failed: ${result.err()}\n${result.meta().logs().join('\n')}`);
  }
  return result;
}

/** The custom error code of a failed transaction (null if it succeeded or failed otherwise), and its logs. */
export function customError(result) {
  if (!(result instanceof FailedTransactionMetadata)) return { code: null, logs: result.logs() };
  const err = result.err();
  // litesvm exports no error classes: an instruction error has err(), a custom one a numeric code.
  const inner = typeof err?.err === 'function' ? err.err() : null;
  return { code: typeof inner?.code === 'number' ? inner.code : null, error: String(err), logs: result.meta().logs() };
}

/**
 * Deploys a program the way `solana program deploy` does: a buffer account (System create + InitializeBuffer), the
 * ELF written in chunks (Write), then DeployWithMaxDataLen, which runs the loader's deploy-time ELF checks and
 * verifier. Returns the program's address and its program data address; the payer is the upgrade authority.
 * programKeys: the program's key pair (default: a new one; fixed where figures must not depend on the address's bumps).
 */
export async function deployProgram(svm, payer, elf, programKeys = undefined) {
  programKeys ??= await generateKeyPairSigner();
  const bufferKeys = await generateKeyPairSigner();
  const [programData] = await getProgramDerivedAddress({ programAddress: LOADER, seeds: [addressBytes(programKeys.address)] });
  const rent = (n) => svm.minimumBalanceForRentExemption(BigInt(n));
  const systemCreate = (to, space, owner) => ({
    programAddress: SYSTEM_PROGRAM,
    accounts: [{ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
      { address: to.address, role: AccountRole.WRITABLE_SIGNER, signer: to }],
    data: concat(new Uint8Array([0, 0, 0, 0]), u64le(rent(space)), u64le(space), addressBytes(owner)),
  });
  const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
  const BUFFER_HEADER = 37;
  expectSuccess(await send(svm, payer, [systemCreate(bufferKeys, BUFFER_HEADER + elf.length, LOADER), {
    programAddress: LOADER, data: u32le(0), // InitializeBuffer
    accounts: [{ address: bufferKeys.address, role: AccountRole.WRITABLE }, { address: payer.address, role: AccountRole.READONLY }],
  }]));
  const CHUNK = 900;
  for (let offset = 0; offset < elf.length; offset += CHUNK) {
    const chunk = elf.subarray(offset, offset + CHUNK);
    expectSuccess(await send(svm, payer, [{
      programAddress: LOADER, data: concat(u32le(1), u32le(offset), u64le(chunk.length), chunk), // Write { offset, bytes }
      accounts: [{ address: bufferKeys.address, role: AccountRole.WRITABLE },
        { address: payer.address, role: AccountRole.READONLY_SIGNER, signer: payer }],
    }]));
  }
  const deploy = await send(svm, payer, [systemCreate(programKeys, 36, LOADER), {
    programAddress: LOADER, data: concat(u32le(2), u64le(elf.length * 2)), // DeployWithMaxDataLen
    accounts: [
      { address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
      { address: programData, role: AccountRole.WRITABLE },
      { address: programKeys.address, role: AccountRole.WRITABLE },
      { address: bufferKeys.address, role: AccountRole.WRITABLE },
      { address: SYSVAR_RENT, role: AccountRole.READONLY },
      { address: SYSVAR_CLOCK, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
      { address: payer.address, role: AccountRole.READONLY_SIGNER, signer: payer },
    ],
  }]);
  svm.warpToSlot(svm.getClock().slot + 1n); // a program deployed in a slot is invocable from the next one
  return { program: programKeys.address, programData, deploy };
}
