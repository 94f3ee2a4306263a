// The build step: the program goes through the real upgradeable loader's deploy, builds are reproducible, and the
// linker refuses what the SBF loader cannot run, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FailedTransactionMetadata } from 'litesvm';
import { build, CFLAGS } from '../../contracts/solana/build.mjs';
import { link, LinkError } from '../../contracts/solana/tools/sbf-link.mjs';
import { deployProgram, expectSuccess, newChain, programPath, send } from './helpers.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-solana-build-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function compile(name, source) {
  const c = path.join(tmp, `${name}.c`), o = path.join(tmp, `${name}.o`);
  fs.writeFileSync(c, source);
  execFileSync('clang-16', [...CFLAGS, '-c', c, '-o', o]);
  return fs.readFileSync(o);
}
const MINIMAL = 'extern void sol_log_(const char *, unsigned long long);\n' +
  'unsigned long long entrypoint(unsigned char *input) { sol_log_("ok", 2); return 0; }\n';

test('Deploy_TheUpgradeableLoaderAcceptsBothProgramsAndTheyRun', async () => {
  const { svm, payer } = await newChain();
  for (const name of ['agentcluster', 'support-probe']) {
    const { program, deploy } = await deployProgram(svm, payer, fs.readFileSync(programPath(name)));
    expectSuccess(deploy);
    assert.equal(svm.getAccount(program).executable, true, `${name} is executable after the deploy`);
  }
  const { program } = await deployProgram(svm, payer, fs.readFileSync(programPath('support-probe')));
  const r = expectSuccess(await send(svm, payer, [{ programAddress: program, accounts: [], data: new Uint8Array([8]) }]));
  assert.ok(r.logs().includes('Program log: probe: hello from the support layer'), r.logs().join('\n'));
});

test('Deploy_TheLoaderRejectsAnElfWithAnUnknownSyscall', async () => {
  // The check above means something only if the loader really checks: a syscall name it cannot resolve fails the deploy.
  const elf = Buffer.from(fs.readFileSync(programPath('support-probe')));
  const at = elf.indexOf('sol_log_\0');
  assert.ok(at > 0);
  elf.write('sol_lag_', at, 'latin1');
  const { svm, payer } = await newChain();
  const { deploy } = await deployProgram(svm, payer, elf);
  assert.ok(deploy instanceof FailedTransactionMetadata, 'the deploy fails');
  assert.ok(deploy.meta().logs().some((l) => l.startsWith('Unresolved symbol (sol_lag_)')), deploy.meta().logs().join('\n'));
});

test('Build_TwoBuildsGiveIdenticalBytes', () => {
  // The build the other tests use (contracts/solana/target, rebuilt whenever a source is newer) against a fresh one
  // made now, in another directory and another process.
  const fresh = build({ outDir: path.join(tmp, 'fresh') });
  for (const name of Object.keys(fresh)) {
    const a = fs.readFileSync(programPath(name)), b = fs.readFileSync(fresh[name]);
    assert.ok(a.length > 1000, `${name} is a real program`);
    assert.ok(a.equals(b), `${name}: the two builds differ`);
  }
});

test('Link_RefusesWritableData', () => {
  const data = compile('data', `${MINIMAL}unsigned long long counter = 5;\nunsigned long long bump(void) { return ++counter; }\n`);
  assert.throws(() => link(data), (e) => e instanceof LinkError && /writable section \.data/.test(e.message));
  const bss = compile('bss', `${MINIMAL}unsigned long long zeroed;\nunsigned long long bump(void) { return ++zeroed; }\n`);
  assert.throws(() => link(bss), (e) => e instanceof LinkError && /writable section \.bss/.test(e.message));
});

test('Link_RefusesAnUnresolvedSymbolThatIsNoSyscall', () => {
  const obj = compile('unresolved', `${MINIMAL}extern void helper_nobody_wrote(void);\nvoid caller(void) { helper_nobody_wrote(); }\n`);
  assert.throws(() => link(obj), (e) => e instanceof LinkError &&
    /unresolved symbol helper_nobody_wrote: .*not a runtime syscall/.test(e.message));
  // The same object links once another object defines the function.
  const other = compile('defines', 'void helper_nobody_wrote(void) {}\n');
  assert.ok(link([obj, other]).elf.length > 0);
});

test('Link_RefusesAnUnknownRelocation', () => {
  const obj = Buffer.from(compile('reloc', MINIMAL));
  // Find .rel.text and turn its first relocation (the call to sol_log_, R_BPF_64_32) into R_BPF_64_ABS32 (3).
  const shoff = Number(obj.readBigUInt64LE(0x28)), shnum = obj.readUInt16LE(0x3c), shstrndx = obj.readUInt16LE(0x3e);
  const strtab = Number(obj.readBigUInt64LE(shoff + shstrndx * 64 + 24));
  let rel = -1;
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 64;
    const name = obj.toString('latin1', strtab + obj.readUInt32LE(o), strtab + obj.readUInt32LE(o) + 9);
    if (name === '.rel.text') rel = Number(obj.readBigUInt64LE(o + 24));
  }
  assert.ok(rel > 0, 'the object has .rel.text');
  assert.ok(link(obj).elf.length > 0, 'the unpatched object links');
  obj.writeUInt32LE(3, rel + 8);
  assert.throws(() => link(obj), (e) => e instanceof LinkError && /unknown relocation: R_BPF_ABS32/.test(e.message));
});

test('Link_RefusesWhatIsNotAnEbpfObject', () => {
  assert.throws(() => link(Buffer.from('not an elf at all, just text padding it out to sixty-four bytes......')),
    (e) => e instanceof LinkError && /not an ELF/.test(e.message));
  const so = fs.readFileSync(programPath('support-probe'));
  assert.throws(() => link(so), (e) => e instanceof LinkError && /not a relocatable eBPF object/.test(e.message));
});
