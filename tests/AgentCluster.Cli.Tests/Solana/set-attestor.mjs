// The tests' independent oracle for the Solana side of localnet up: sends one set_attestor (the authority approves an attestor)
// to a running localnet server with @solana/kit and the instruction builder of tests/solana/program.mjs, then reads the transaction
// back with getTransaction. Prints one JSON line: { signature, computeUnitsConsumed, attestor }.
//   node set-attestor.mjs <rpc url> <solana-localnet.json> <authority keypair file>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  address, appendTransactionMessageInstructions, createKeyPairSignerFromBytes, createSolanaRpc, createTransactionMessage,
  generateKeyPairSigner, getBase64EncodedWireTransaction, getSignatureFromTransaction, pipe, setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash, signTransactionMessageWithSigners,
} from '@solana/kit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { attestorPda, setAttestorInstruction } = await import(path.join(root, 'tests/solana/program.mjs'));
const [rpcUrl, deploymentPath, authorityPath] = process.argv.slice(2);
const deployment = JSON.parse(fs.readFileSync(deploymentPath, 'utf8'));
const authority = await createKeyPairSignerFromBytes(new Uint8Array(JSON.parse(fs.readFileSync(authorityPath, 'utf8'))));
const rpc = createSolanaRpc(rpcUrl);
const program = address(deployment.programId);
const attestorKey = (await generateKeyPairSigner()).address;
const attestor = await attestorPda(program, attestorKey);
const ix = setAttestorInstruction({ program, pdas: { config: address(deployment.config) }, authority, attestorKey, attestor, approved: true });
const { value: latest } = await rpc.getLatestBlockhash().send();
const signed = await pipe(createTransactionMessage({ version: 0 }),
  (m) => setTransactionMessageFeePayerSigner(authority, m),
  (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
  (m) => appendTransactionMessageInstructions([ix], m),
  (m) => signTransactionMessageWithSigners(m));
const signature = getSignatureFromTransaction(signed);
await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64' }).send();
let tx = null;
for (let i = 0; i < 100 && !tx; i++) {
  tx = await rpc.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send();
  if (!tx) await new Promise((r) => setTimeout(r, 100));
}
if (!tx) throw new Error(`set_attestor ${signature} was not found`);
process.stdout.write(`${JSON.stringify({ signature, computeUnitsConsumed: Number(tx.meta.computeUnitsConsumed), attestor: attestorKey, err: tx.meta.err })}\n`);
