// Shared by the Solana program's tests: the build (once, when a source is newer than the output), a LiteSVM with the
// program deployed through the real upgradeable loader, transactions, and reading results and errors.
import fs from 'node:fs';
import path from 'node:path';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import { AccountRole, address, generateKeyPairSigner, lamports } from '@solana/kit';
import { SOLANA_DIR } from '../../contracts/solana/build.mjs';

// The build, the loader deploy and sending live in contracts/solana/tools/deploy.mjs (shared with the localnet server).
export {
  LOADER, SYSTEM_PROGRAM, TOKEN_PROGRAM, SYSVAR_RENT, SYSVAR_CLOCK, programPath, u64le, concat, addressBytes, send, expectSuccess,
  deployProgram,
} from '../../contracts/solana/tools/deploy.mjs';
export { AccountRole, address, generateKeyPairSigner };

/** The names of enum ac_error (contracts/solana/include/ac/error.h), read from the header so the tests name errors. */
export const ERRORS = Object.fromEntries([...fs.readFileSync(path.join(SOLANA_DIR, 'include/ac/error.h'), 'utf8')
  .matchAll(/AC_ERR_(\w+) = (\d+)/g)].map(([, name, code]) => [name, Number(code)]));

export const readU64 = (bytes, offset = 0) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset, true);
/** A LiteSVM with a funded payer. */
export async function newChain() {
  const svm = new LiteSVM();
  const payer = await generateKeyPairSigner();
  svm.airdrop(payer.address, lamports(1_000_000_000_000n));
  return { svm, payer };
}

/** The custom error code of a failed transaction (null if it succeeded or failed otherwise), and its logs. */
export function customError(result) {
  if (!(result instanceof FailedTransactionMetadata)) return { code: null, logs: result.logs() };
  const err = result.err();
  // litesvm exports no error classes: an instruction error has err(), a custom one a numeric code.
  const inner = typeof err?.err === 'function' ? err.err() : null;
  return { code: typeof inner?.code === 'number' ? inner.code : null, error: String(err), logs: result.meta().logs() };
}
