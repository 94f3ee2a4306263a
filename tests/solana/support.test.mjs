// The C support layer (contracts/solana/src/support), through its probe program: each probe instruction runs one
// support function in the real runtime and returns the result as return data, compared here with references computed
// independently (BigInt, Math.pow, @solana/kit's PDA derivation, LiteSVM's rent).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { getProgramDerivedAddress, lamports } from '@solana/kit';
import {
  AccountRole, ERRORS, SYSTEM_PROGRAM, addressBytes, concat, customError, deployProgram, expectSuccess, generateKeyPairSigner,
  newChain, programPath, readU64, send, u64le,
} from './helpers.mjs';

const TAG = { MUL: 0, MUL_DIV: 1, EXP2: 2, DECAY: 3, ACCOUNTS: 4, PDA: 5, CHECKS: 6, CREATE_PDA: 7, LOG: 8, RENT: 9 };
const MAX = (1n << 64n) - 1n;
let svm, payer, program;

before(async () => {
  ({ svm, payer } = await newChain());
  const deployed = await deployProgram(svm, payer, fs.readFileSync(programPath('support-probe')));
  expectSuccess(deployed.deploy);
  program = deployed.program;
});

const call = (tag, args = [], accounts = []) => send(svm, payer, [{
  programAddress: program, accounts, data: concat(new Uint8Array([tag]), ...args.map((a) => (a instanceof Uint8Array ? a : u64le(a)))),
}]);
const returned = async (tag, args, accounts) => expectSuccess(await call(tag, args, accounts)).returnData().data();

// A deterministic generator, so a failure reproduces.
function* numbers(seed, count) {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & MAX;
    yield x >> BigInt(Number(x & 63n)); // every magnitude, not only huge numbers
  }
}

test('Mul64x64_IsTheExact128BitProduct', async () => {
  const cases = [[0n, 0n], [1n, MAX], [MAX, MAX], [1n << 32n, 1n << 32n], [0xffffffffn, 0xffffffffn]];
  const gen = numbers(7n, 16);
  for (let i = 0; i < 8; i++) cases.push([gen.next().value, gen.next().value]);
  for (const [a, b] of cases) {
    const r = await returned(TAG.MUL, [a, b]);
    assert.equal(readU64(r, 0) | (readU64(r, 8) << 64n), a * b, `${a} * ${b}`);
  }
});

test('MulDiv_IsTheFlooredQuotientAndRefusesOverflowAndZero', async () => {
  const cases = [[10n ** 18n, 3000n, 10000n], [MAX, MAX, MAX], [MAX, 3n, 7n], [12345n, 0n, 1n], [MAX, 2n, MAX]];
  const gen = numbers(11n, 24);
  for (let i = 0; i < 8; i++) {
    const a = gen.next().value, b = gen.next().value, d = gen.next().value | 1n;
    if ((a * b) / d <= MAX) cases.push([a, b, d]);
  }
  for (const [a, b, d] of cases) assert.equal(readU64(await returned(TAG.MUL_DIV, [a, b, d])), (a * b) / d, `${a} * ${b} / ${d}`);
  assert.equal(customError(await call(TAG.MUL_DIV, [MAX, 2n, 1n])).code, ERRORS.ARITHMETIC_OVERFLOW, 'quotient over 64 bits');
  assert.equal(customError(await call(TAG.MUL_DIV, [1n, 1n, 0n])).code, ERRORS.ARITHMETIC_OVERFLOW, 'division by zero');
});

test('Exp2Neg_MatchesTwoToTheMinusXWithinOnePartInTenToTheTwelveOrOneUnit', async () => {
  const ONE = 1n << 63n;
  assert.equal(readU64(await returned(TAG.EXP2, [0n])), ONE, '2^0');
  assert.equal(readU64(await returned(TAG.EXP2, [1n << 32n])), ONE >> 1n, '2^-1 exactly');
  assert.equal(readU64(await returned(TAG.EXP2, [63n << 32n])), 0n, '63 halvings and more read 0');
  const xs = [1n << 31n, 1n, 0xffffffffn, (5n << 32n) + 0x12345678n, (40n << 32n) + 0x9abcdef0n];
  for (const x of numbers(3n, 6)) xs.push(x % (30n << 32n));
  for (const x of xs) {
    const got = Number(readU64(await returned(TAG.EXP2, [x])));
    const want = 2 ** -(Number(x) / 2 ** 32) * 2 ** 63;
    // Relative 1e-12, or one unit where the final shift by the whole halvings truncates a small result.
    assert.ok(Math.abs(got - want) <= Math.max(want * 1e-12, 1), `x = ${x}: ${got} vs ${want}`);
  }
});

test('Decay_HalvesEveryHalfLifeAndRefusesABadHalfLife', async () => {
  const HALF_LIFE = 90n * 86400n, value = 10n ** 18n;
  assert.equal(readU64(await returned(TAG.DECAY, [value, HALF_LIFE, HALF_LIFE])), value / 2n, 'one half-life halves exactly');
  assert.equal(readU64(await returned(TAG.DECAY, [value, 2n * HALF_LIFE, HALF_LIFE])), value / 4n, 'two quarter it');
  assert.equal(readU64(await returned(TAG.DECAY, [value, 100n * HALF_LIFE, HALF_LIFE])), 0n, 'gone after 63 half-lives');
  for (const elapsed of [1n, 3600n, 86400n, 45n * 86400n, 200n * 86400n, 1234567n]) {
    const got = Number(readU64(await returned(TAG.DECAY, [value, elapsed, HALF_LIFE])));
    const want = Number(value) * 2 ** -(Number(elapsed) / Number(HALF_LIFE));
    assert.ok(Math.abs(got - want) / want < 1e-9, `${elapsed} s: ${got} vs ${want}`);
  }
  assert.equal(customError(await call(TAG.DECAY, [value, 1n, 0n])).code, ERRORS.ARITHMETIC_OVERFLOW, 'zero half-life');
});

test('Decay_OfZeroElapsedIsTheValueItself', async () => {
  for (const value of [0n, 1n, 10n ** 18n, MAX]) {
    assert.equal(readU64(await returned(TAG.DECAY, [value, 0n, 7776000n])), value, `${value}`);
  }
});

test('AccountViews_SeeKeysOwnersLamportsDataAndFlagsWithDuplicatesResolved', async () => {
  const holder = (await generateKeyPairSigner()).address, owner = (await generateKeyPairSigner()).address;
  svm.setAccount({ address: holder, data: new Uint8Array(10).fill(7), executable: false, lamports: lamports(5_000_000n),
    programAddress: owner, space: 10n });
  const signer = await generateKeyPairSigner();
  svm.airdrop(signer.address, lamports(3_000_000n));
  const r = await returned(TAG.ACCOUNTS, [], [
    { address: signer.address, role: AccountRole.WRITABLE_SIGNER, signer },
    { address: holder, role: AccountRole.READONLY },
    { address: signer.address, role: AccountRole.WRITABLE_SIGNER, signer }, // a duplicate of account 0
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ]);
  assert.equal(r.length, 4 * 83);
  const view = (i) => ({ key: r.subarray(i * 83, i * 83 + 32), owner: r.subarray(i * 83 + 32, i * 83 + 64),
    lamports: readU64(r, i * 83 + 64), dataLen: readU64(r, i * 83 + 72), flags: [...r.subarray(i * 83 + 80, i * 83 + 83)] });
  assert.deepEqual(view(0).key, addressBytes(signer.address));
  assert.deepEqual(view(0).flags, [1, 1, 0]);
  assert.equal(view(0).lamports, 3_000_000n);
  assert.deepEqual(view(1).key, addressBytes(holder));
  assert.deepEqual(view(1).owner, addressBytes(owner));
  assert.equal(view(1).lamports, 5_000_000n);
  assert.equal(view(1).dataLen, 10n);
  assert.deepEqual(view(1).flags, [0, 0, 0]);
  assert.deepEqual(view(2), view(0), 'the duplicate is the same view');
  assert.deepEqual(view(3).flags, [0, 0, 1], 'the System program is executable');
});

test('AccountViews_RefuseMoreThanTheBoundedNumberOfAccounts', async () => {
  const many = [];
  for (let i = 0; i < 25; i++) many.push({ address: (await generateKeyPairSigner()).address, role: AccountRole.READONLY });
  assert.equal(customError(await call(TAG.ACCOUNTS, [], many)).code, ERRORS.TOO_MANY_ACCOUNTS);
  expectSuccess(await call(TAG.ACCOUNTS, [], many.slice(0, 24)));
});

test('Pda_FindAndCreateAgreeWithKit', async () => {
  for (const seed of ['config', 'abc', 'x'.repeat(32)]) {
    const r = await returned(TAG.PDA, [new TextEncoder().encode(seed)]);
    const [expected, bump] = await getProgramDerivedAddress({ programAddress: program, seeds: [seed] });
    assert.deepEqual(r.subarray(0, 32), addressBytes(expected), seed);
    assert.equal(r[32], bump, `${seed}: the canonical bump`);
  }
});

test('Checks_EachRuleFailsWithItsNamedError', async () => {
  const [pda, bump] = await getProgramDerivedAddress({ programAddress: program, seeds: ['probe'] });
  const owned = (await generateKeyPairSigner()).address, foreign = (await generateKeyPairSigner()).address;
  svm.setAccount({ address: owned, data: new Uint8Array(0), executable: false, lamports: lamports(1_000_000n), programAddress: program, space: 0n });
  svm.setAccount({ address: foreign, data: new Uint8Array(0), executable: false, lamports: lamports(1_000_000n), programAddress: SYSTEM_PROGRAM, space: 0n });
  const writable = (await generateKeyPairSigner()).address;
  const good = () => [
    { address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
    { address: writable, role: AccountRole.WRITABLE },
    { address: owned, role: AccountRole.READONLY },
    { address: pda, role: AccountRole.READONLY },
  ];
  const run = (accounts, b = bump) => call(TAG.CHECKS, [new Uint8Array([b])], accounts);
  expectSuccess(await run(good()));
  const other = await generateKeyPairSigner();
  const notSigner = good(); notSigner[0] = { address: other.address, role: AccountRole.READONLY };
  assert.equal(customError(await run(notSigner)).code, ERRORS.MISSING_SIGNER);
  const readOnly = good(); readOnly[1] = { address: writable, role: AccountRole.READONLY };
  assert.equal(customError(await run(readOnly)).code, ERRORS.NOT_WRITABLE);
  const wrongOwner = good(); wrongOwner[2] = { address: foreign, role: AccountRole.READONLY };
  assert.equal(customError(await run(wrongOwner)).code, ERRORS.WRONG_OWNER);
  const wrongPda = good(); wrongPda[3] = { address: owned, role: AccountRole.READONLY };
  assert.equal(customError(await run(wrongPda)).code, ERRORS.WRONG_PDA);
  const failed = await run(good(), (bump + 255) % 256); // another bump: another (or no) address
  assert.equal(customError(failed).code, ERRORS.WRONG_PDA);
  assert.ok(customError(failed).logs.includes('Program log: WrongPda'), 'the error is named in the log');
});

test('CreatePda_CreatesARentExemptProgramAccountEvenWhenSomeoneFundedTheAddressFirst', async () => {
  const [pda, bump] = await getProgramDerivedAddress({ programAddress: program, seeds: ['probe'] });
  const accounts = [{ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
    { address: pda, role: AccountRole.WRITABLE }, { address: SYSTEM_PROGRAM, role: AccountRole.READONLY }];
  svm.airdrop(pda, lamports(1_000n)); // a griefer's deposit: create_account alone would now fail forever
  const r = await returned(TAG.CREATE_PDA, [64n, new Uint8Array([bump])], accounts);
  const created = svm.getAccount(pda);
  assert.equal(created.programAddress, program);
  assert.equal(created.data.length, 64);
  assert.equal(created.lamports, svm.minimumBalanceForRentExemption(64n));
  assert.equal(readU64(r, 0), created.lamports, 'the view saw the lamports the CPI moved');
  assert.equal(readU64(r, 8), 64n, 'the view saw the new data length');
  assert.equal(customError(await call(TAG.CREATE_PDA, [64n, new Uint8Array([bump])], accounts)).code, ERRORS.ALREADY_INITIALIZED);
});

test('CreatePda_CreatesAFreshAddressWithOneCreateAccount', async () => {
  const { svm: chain, payer: p } = await newChain();
  const { program: probe, deploy } = await deployProgram(chain, p, fs.readFileSync(programPath('support-probe')));
  expectSuccess(deploy);
  const [pda, bump] = await getProgramDerivedAddress({ programAddress: probe, seeds: ['probe'] });
  const r = expectSuccess(await send(chain, p, [{ programAddress: probe, data: concat(new Uint8Array([TAG.CREATE_PDA]), u64le(200n), new Uint8Array([bump])),
    accounts: [{ address: p.address, role: AccountRole.WRITABLE_SIGNER, signer: p }, { address: pda, role: AccountRole.WRITABLE },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY }] }]));
  assert.equal(chain.getAccount(pda).data.length, 200);
  assert.equal(chain.getAccount(pda).lamports, chain.minimumBalanceForRentExemption(200n));
  assert.equal(r.innerInstructions()[0].length, 1, 'one CPI: create_account');
});

test('RentExemptMinimum_EqualsTheRuntimes', async () => {
  for (const space of [0n, 1n, 82n, 165n, 176n, 10240n]) {
    assert.equal(readU64(await returned(TAG.RENT, [space])), svm.minimumBalanceForRentExemption(space), `${space} bytes`);
  }
});

test('Log_WritesMessagesNumbersAndKeys', async () => {
  const logs = expectSuccess(await call(TAG.LOG)).logs();
  assert.ok(logs.includes('Program log: probe: hello from the support layer'));
  assert.ok(logs.includes('Program log: 0x1, 0x2, 0x3, 0x4, 0x0'), logs.join('\n'));
  assert.ok(logs.includes(`Program log: ${program}`), 'the program id in base58');
});
