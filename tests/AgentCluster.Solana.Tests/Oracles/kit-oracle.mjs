// The independent oracle for the Solana differential tests: reads one JSON request per line on stdin, writes one JSON answer
// per line on stdout ({ok} or {error}), in order. @solana/kit and the @solana-program packages come from the repository's node_modules.
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import {
  AccountRole, address, getAddressComparator, getProgramDerivedAddress, getShortU16Encoder, getShortU16Decoder,
  createTransactionMessage, setTransactionMessageFeePayer, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstructions, compressTransactionMessageUsingAddressLookupTables, compileTransaction,
  createKeyPairFromPrivateKeyBytes, createKeyPairFromBytes, getAddressFromPublicKey, signBytes, verifySignature,
  partiallySignTransaction, getBase64EncodedWireTransaction, getTransactionDecoder, getCompiledTransactionMessageDecoder,
  getBase58Decoder, getBase64Encoder, getAddressEncoder, getTransactionEncoder, pipe,
} from '@solana/kit';

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
