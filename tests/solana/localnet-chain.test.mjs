// The localnet's chain (scripts/solana/chain.mjs) in process: the SlotHashes sysvar it writes is what LiteSVM's own sysvar
// reader parses (so the program's fix_seed reads the same), newest first and capped at 512; the blockhash window is 150.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getBase58Decoder } from '@solana/kit';
import { LocalChain } from '../../scripts/solana/chain.mjs';

let chain;
before(async () => { chain = new LocalChain(); await chain.start(); });
after(() => chain.stop());

test('SlotHashes as LiteSVM parses it: the server\'s entries, newest first, consecutive slots, at most 512', () => {
  for (let i = 0; i < 520; i++) chain.advance();
  const parsed = chain.svm.getSlotHashes();
  assert.equal(parsed.length, 512);
  assert.deepEqual(parsed.map((h) => [h.slot, h.hash]), chain.slotHashes.map((h) => [h.slot, getBase58Decoder().decode(h.hash)]));
  assert.equal(parsed[0].slot, chain.slot - 1n);
  parsed.slice(1).forEach((h, i) => assert.equal(h.slot, parsed[i].slot - 1n));
});

test('a blockhash is valid for 150 slots after its own, then not', () => {
  const { blockhash } = chain.latest;
  for (let i = 0; i < 150; i++) chain.advance();
  assert.notEqual(chain.blockhashEntry(blockhash), null);
  chain.advance();
  assert.equal(chain.blockhashEntry(blockhash), null);
});
