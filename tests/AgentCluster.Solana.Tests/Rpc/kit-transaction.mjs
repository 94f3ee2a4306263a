// The C# RPC tests' independent transaction maker: @solana/kit builds and signs a transaction against a running localnet
// (its latest blockhash) and prints it; the C# client sends it. Run from the repository (imports resolve from this file).
//   node kit-transaction.mjs <rpc-url> <keypair.json> transfer <legacy|0> <lamports>
//   node kit-transaction.mjs <rpc-url> <keypair.json> reinitialize <legacy|0> <program> <program-data>
// Prints JSON: { wire (base64), signature, to?, expectedCustom? }.
import fs from 'node:fs';
import {
  AccountRole, address, appendTransactionMessageInstructions, createKeyPairSignerFromBytes, createSolanaRpc, createTransactionMessage,
  generateKeyPairSigner, getBase64EncodedWireTransaction, getSignatureFromTransaction, pipe, setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash, signTransactionMessageWithSigners,
} from '@solana/kit';
import { SYSTEM_PROGRAM, concat, initializeInstruction, pdasOf, u64le } from '../../../contracts/solana/tools/deploy.mjs';
import { ERRORS } from '../../solana/helpers.mjs';

const [url, keypairPath, kind, versionText, ...rest] = process.argv.slice(2);
const payer = await createKeyPairSignerFromBytes(new Uint8Array(JSON.parse(fs.readFileSync(keypairPath, 'utf8'))));
const version = versionText === 'legacy' ? 'legacy' : Number(versionText);
const out = {};
let instruction;
if (kind === 'transfer') {
  const to = (await generateKeyPairSigner()).address;
  out.to = to;
  instruction = { programAddress: SYSTEM_PROGRAM, data: concat(new Uint8Array([2, 0, 0, 0]), u64le(BigInt(rest[0]))),
    accounts: [{ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer }, { address: to, role: AccountRole.WRITABLE }] };
} else if (kind === 'reinitialize') {
  const program = address(rest[0]);
  instruction = initializeInstruction({ program, programData: address(rest[1]), pdas: await pdasOf(program), authority: payer });
  out.expectedCustom = ERRORS.ALREADY_INITIALIZED;
} else {
  throw new Error(`unknown kind ${kind}`);
}
const { value: latest } = await createSolanaRpc(url).getLatestBlockhash().send();
const tx = await pipe(createTransactionMessage({ version }), (m) => setTransactionMessageFeePayerSigner(payer, m),
  (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m), (m) => appendTransactionMessageInstructions([instruction], m),
  (m) => signTransactionMessageWithSigners(m));
out.wire = getBase64EncodedWireTransaction(tx);
out.signature = getSignatureFromTransaction(tx);
process.stdout.write(`${JSON.stringify(out)}\n`);
