// The independent oracle for the Solana differential tests: reads one JSON request per line on stdin, writes one JSON answer
// per line on stdout ({ok} or {error}), in order. @solana/kit and the @solana-program packages come from the repository's node_modules.
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AccountRole, address, getAddressComparator, getProgramDerivedAddress, getShortU16Encoder, getShortU16Decoder,
  createTransactionMessage, setTransactionMessageFeePayer, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstructions, compressTransactionMessageUsingAddressLookupTables, compileTransaction,
  createKeyPairFromPrivateKeyBytes, createKeyPairFromBytes, getAddressFromPublicKey, signBytes, verifySignature,
  partiallySignTransaction, getBase64EncodedWireTransaction, getTransactionDecoder, getCompiledTransactionMessageDecoder,
  getBase58Decoder, getBase64Encoder, getAddressEncoder, getTransactionEncoder, pipe, createNoopSigner, some, none,
} from '@solana/kit';
import { SYSVAR_RENT_ADDRESS, SYSVAR_CLOCK_ADDRESS, SYSVAR_INSTRUCTIONS_ADDRESS, SYSVAR_SLOT_HASHES_ADDRESS } from '@solana/sysvars';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import * as system from '@solana-program/system';
import * as token from '@solana-program/token';
import * as computeBudget from '@solana-program/compute-budget';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const role = (a) => (a.signer ? (a.writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER) : (a.writable ? AccountRole.WRITABLE : AccountRole.READONLY));

function transactionMessage(r) {
  const instructions = r.instructions.map((ix) => ({
    programAddress: address(ix.program),
    accounts: ix.accounts.map((a) => ({ address: address(a.address), role: role(a) })),
    data: unhex(ix.data),
  }));
  let message = pipe(
    createTransactionMessage({ version: r.version === 'v0' ? 0 : 'legacy' }),
    (m) => setTransactionMessageFeePayer(address(r.feePayer), m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: r.blockhash, lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  if (r.tables && r.tables.length > 0) {
    const tables = {};
    for (const t of r.tables) tables[t.address] = t.addresses.map(address);
    message = compressTransactionMessageUsingAddressLookupTables(message, tables);
  }
  return message;
}

// A signer account for the program clients: a no-op signer gives the account its signer role.
const signer = (a) => createNoopSigner(address(a));
const opt = (a) => (a == null ? none() : some(address(a)));

/** Builds one instruction with the @solana-program clients from {name, args}; answers "program|address:role,...|datahex". */
async function instruction({ name, args: a }) {
  const n = (x) => BigInt(x);
  switch (name) {
    case 'system.createAccount':
      return system.getCreateAccountInstruction({ payer: signer(a.from), newAccount: signer(a.newAccount), lamports: n(a.lamports), space: n(a.space), programAddress: address(a.owner) });
    case 'system.assign':
      return system.getAssignInstruction({ account: signer(a.account), programAddress: address(a.owner) });
    case 'system.transfer':
      return system.getTransferSolInstruction({ source: signer(a.from), destination: address(a.to), amount: n(a.lamports) });
    case 'system.allocate':
      return system.getAllocateInstruction({ newAccount: signer(a.account), space: n(a.space) });
    case 'system.createAccountWithSeed':
      return system.getCreateAccountWithSeedInstruction({
        payer: signer(a.from), newAccount: address(a.newAccount), baseAccount: a.base === a.from ? undefined : signer(a.base),
        base: address(a.base), seed: a.seed, amount: n(a.lamports), space: n(a.space), programAddress: address(a.owner),
      });
    case 'token.initializeMint2':
      return token.getInitializeMint2Instruction({ mint: address(a.mint), decimals: a.decimals, mintAuthority: address(a.mintAuthority), freezeAuthority: opt(a.freezeAuthority) });
    case 'token.initializeAccount3':
      return token.getInitializeAccount3Instruction({ account: address(a.account), mint: address(a.mint), owner: address(a.owner) });
    case 'token.transfer':
      return token.getTransferInstruction({ source: address(a.source), destination: address(a.destination), authority: signer(a.authority), amount: n(a.amount) });
    case 'token.transferChecked':
      return token.getTransferCheckedInstruction({ source: address(a.source), mint: address(a.mint), destination: address(a.destination), authority: signer(a.authority), amount: n(a.amount), decimals: a.decimals });
    case 'token.mintTo':
      return token.getMintToInstruction({ mint: address(a.mint), token: address(a.destination), mintAuthority: signer(a.mintAuthority), amount: n(a.amount) });
    case 'token.burn':
      return token.getBurnInstruction({ account: address(a.account), mint: address(a.mint), authority: signer(a.authority), amount: n(a.amount) });
    case 'token.approve':
      return token.getApproveInstruction({ source: address(a.source), delegate: address(a.delegate), owner: signer(a.owner), amount: n(a.amount) });
    case 'token.closeAccount':
      return token.getCloseAccountInstruction({ account: address(a.account), destination: address(a.destination), owner: signer(a.owner) });
    case 'ata.create':
      return token.getCreateAssociatedTokenInstructionAsync({ payer: signer(a.payer), owner: address(a.owner), mint: address(a.mint), tokenProgram: a.tokenProgram ? address(a.tokenProgram) : undefined });
    case 'ata.createIdempotent':
      return token.getCreateAssociatedTokenIdempotentInstructionAsync({ payer: signer(a.payer), owner: address(a.owner), mint: address(a.mint), tokenProgram: a.tokenProgram ? address(a.tokenProgram) : undefined });
    case 'computeBudget.setComputeUnitLimit':
      return computeBudget.getSetComputeUnitLimitInstruction({ units: a.units });
    case 'computeBudget.setComputeUnitPrice':
      return computeBudget.getSetComputeUnitPriceInstruction({ microLamports: n(a.microLamports) });
    case 'computeBudget.requestHeapFrame':
      return computeBudget.getRequestHeapFrameInstruction({ bytes: a.bytes });
    default:
      throw new Error(`unknown instruction ${name}`);
  }
}

// One LiteSVM per oracle process (the real runtime, with the SPL programs and the Ed25519 precompile) for end-to-end checks.
let svm = null;

async function handle(r) {
  switch (r.op) {
    case 'pda': {
      const [pda, bump] = await getProgramDerivedAddress({ programAddress: address(r.program), seeds: r.seeds.map(unhex) });
      return `${pda}:${bump}`;
    }
    case 'shortU16':
      return hex(getShortU16Encoder().encode(r.value));
    case 'shortU16Decode':
      return String(getShortU16Decoder().decode(unhex(r.hex)));
    case 'sort':
      return [...r.addresses].sort(getAddressComparator()).join(',');
    case 'message':
      return hex(compileTransaction(transactionMessage(r)).messageBytes);
    case 'publicKey': {
      const pair = await createKeyPairFromPrivateKeyBytes(unhex(r.seed));
      return await getAddressFromPublicKey(pair.publicKey);
    }
    case 'signBytes': {
      const pair = await createKeyPairFromPrivateKeyBytes(unhex(r.seed));
      return hex(await signBytes(pair.privateKey, unhex(r.data)));
    }
    case 'verify': {
      const key = await crypto.subtle.importKey('raw', getAddressEncoder().encode(address(r.publicKey)), 'Ed25519', true, ['verify']);
      return String(await verifySignature(key, unhex(r.signature), unhex(r.data)));
    }
    case 'transaction': {
      const pairs = await Promise.all(r.seeds.map((s) => createKeyPairFromPrivateKeyBytes(unhex(s))));
      const signed = await partiallySignTransaction(pairs, compileTransaction(transactionMessage(r)));
      return hex(getTransactionEncoder().encode(signed));
    }
    case 'decodeTransaction': {
      // Decode wire bytes with kit, verify every signature with kit, and describe what kit read.
      const tx = getTransactionDecoder().decode(getBase64Encoder().encode(r.base64));
      const compiled = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
      let valid = true;
      for (const [signer, signature] of Object.entries(tx.signatures)) {
        const key = await crypto.subtle.importKey('raw', getAddressEncoder().encode(address(signer)), 'Ed25519', true, ['verify']);
        valid &&= signature !== null && (await verifySignature(key, signature, tx.messageBytes));
      }
      const id = getBase58Decoder().decode(Object.values(tx.signatures)[0]);
      return JSON.stringify({
        version: String(compiled.version), signers: Object.keys(tx.signatures), staticAccounts: compiled.staticAccounts,
        blockhash: compiled.lifetimeToken, instructions: compiled.instructions.length, valid, id,
        wire: getBase64EncodedWireTransaction(tx),
      });
    }
    case 'keypairFile': {
      const pair = await createKeyPairFromBytes(new Uint8Array(JSON.parse(readFileSync(r.path, 'utf8'))));
      return await getAddressFromPublicKey(pair.publicKey);
    }
    case 'instruction': {
      const ix = await instruction(r);
      return `${ix.programAddress}|${(ix.accounts ?? []).map((m) => `${m.address}:${m.role}`).join(',')}|${hex(ix.data)}`;
    }
    case 'ata': {
      const [ata] = await token.findAssociatedTokenPda({ owner: address(r.owner), mint: address(r.mint), tokenProgram: address(r.tokenProgram) });
      return ata;
    }
    case 'encodeMint':
      return hex(token.getMintEncoder().encode({
        mintAuthority: opt(r.mintAuthority), supply: BigInt(r.supply), decimals: r.decimals, isInitialized: r.isInitialized, freezeAuthority: opt(r.freezeAuthority),
      }));
    case 'encodeToken':
      return hex(token.getTokenEncoder().encode({
        mint: address(r.mint), owner: address(r.owner), amount: BigInt(r.amount), delegate: opt(r.delegate), state: r.state,
        isNative: r.isNative == null ? none() : some(BigInt(r.isNative)), delegatedAmount: BigInt(r.delegatedAmount), closeAuthority: opt(r.closeAuthority),
      }));
    case 'ed25519Instruction': {
      // The project's own JS builder (tests/solana/program.mjs, what the LiteSVM attest tests send), found up from this script.
      let dir = dirname(fileURLToPath(import.meta.url));
      while (!existsSync(join(dir, 'tests', 'solana', 'program.mjs'))) {
        if (dirname(dir) === dir) throw new Error('tests/solana/program.mjs not found above the oracle');
        dir = dirname(dir);
      }
      const { ed25519Instruction } = await import(pathToFileURL(join(dir, 'tests', 'solana', 'program.mjs')).href);
      const ix = ed25519Instruction({ publicKey: unhex(r.publicKey), signature: unhex(r.signature), message: unhex(r.message) });
      return `${ix.programAddress}|${ix.accounts.length}|${hex(ix.data)}`;
    }
    case 'writeKeypairFile': {
      // The CLI's layout written from kit's side: the seed, then the public key kit derives from it.
      const pair = await createKeyPairFromPrivateKeyBytes(unhex(r.seed), true);
      const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      writeFileSync(r.path, JSON.stringify([...unhex(r.seed), ...publicKey]), { mode: 0o600 });
      return await getAddressFromPublicKey(pair.publicKey);
    }
    case 'wellKnown':
      return [
        system.SYSTEM_PROGRAM_ADDRESS, token.TOKEN_PROGRAM_ADDRESS, token.ASSOCIATED_TOKEN_PROGRAM_ADDRESS, computeBudget.COMPUTE_BUDGET_PROGRAM_ADDRESS,
        SYSVAR_RENT_ADDRESS, SYSVAR_CLOCK_ADDRESS, SYSVAR_INSTRUCTIONS_ADDRESS, SYSVAR_SLOT_HASHES_ADDRESS,
      ].join(',');
    case 'svmNew':
      svm = new LiteSVM();
      return svm.latestBlockhash();
    case 'svmAirdrop':
      svm.airdrop(address(r.address), BigInt(r.lamports));
      return 'ok';
    case 'svmBlockhash':
      svm.expireBlockhash();
      return svm.latestBlockhash();
    case 'svmSend': {
      // The wire bytes as kit decodes them, sent to the runtime: "ok" or "failed: <error> | <logs>".
      const result = svm.sendTransaction(getTransactionDecoder().decode(getBase64Encoder().encode(r.base64)));
      return result instanceof FailedTransactionMetadata ? `failed: ${result.err()} | ${result.meta().logs().join(' / ')}` : 'ok';
    }
    case 'svmAccount': {
      const account = svm.getAccount(address(r.address));
      return account.exists ? JSON.stringify({ owner: account.programAddress, lamports: String(account.lamports), data: hex(account.data) }) : 'none';
    }
    case 'svmSetAccount': {
      const data = unhex(r.data);
      svm.setAccount({ address: address(r.address), programAddress: address(r.owner), lamports: BigInt(r.lamports), data, executable: false, space: BigInt(data.length) });
      return 'ok';
    }
    case 'svmWarp':
      svm.warpToSlot(svm.getClock().slot + BigInt(r.slots));
      return 'ok';
    case 'svmRent':
      return String(svm.minimumBalanceForRentExemption(BigInt(r.size)));
    default:
      throw new Error(`unknown op ${r.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  try {
    process.stdout.write(JSON.stringify({ ok: await handle(JSON.parse(line)) }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e.message ?? e) }) + '\n');
  }
}
