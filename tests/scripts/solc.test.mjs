// The project's solc (scripts/lib/solc.js): what forge relies on, checked directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const solc = path.join(root, 'scripts', 'lib', 'solc.js');
const run = (args, input) => spawnSync(process.execPath, [solc, ...args], { input, encoding: 'utf8', cwd: root });

test('--version prints the pinned compiler on its last line, as forge parses it', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0);
  const last = r.stdout.trim().split('\n').pop();
  assert.match(last, /^Version: 0\.8\.37\+commit\.[0-9a-f]{8}/);
});

test('--standard-json compiles a contract to bytecode that stores and returns a value', () => {
  const input = JSON.stringify({
    language: 'Solidity',
    sources: { 'A.sol': { content: 'pragma solidity ^0.8.0; contract A { uint256 public x = 42; }' } },
    settings: { outputSelection: { '*': { '*': ['evm.bytecode.object', 'abi'] } } },
  });
  const r = run(['--standard-json', '--allow-paths', root, '--base-path', root], input);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal((out.errors || []).filter((e) => e.severity === 'error').length, 0);
  const a = out.contracts['A.sol'].A;
  assert.ok(a.evm.bytecode.object.length > 100);
  assert.deepEqual(a.abi.map((f) => f.name), ['x']);
});

test('--standard-json reports a syntax error as a compiler error, not a crash', () => {
  const input = JSON.stringify({
    language: 'Solidity',
    sources: { 'B.sol': { content: 'contract B { function f( }' } },
    settings: { outputSelection: { '*': { '*': ['abi'] } } },
  });
  const r = run(['--standard-json'], input);
  assert.equal(r.status, 0);
  const out = JSON.parse(r.stdout);
  assert.ok(out.errors.some((e) => e.severity === 'error' && e.type === 'ParserError'));
});

test('imports not inlined are resolved from the roots forge names', () => {
  const input = JSON.stringify({
    language: 'Solidity',
    sources: { 'C.sol': { content: 'pragma solidity ^0.8.0; import "@openzeppelin/contracts/utils/math/Math.sol"; contract C {}' } },
    settings: { outputSelection: { '*': { '*': ['abi'] } } },
  });
  const r = run(['--standard-json', '--base-path', root, '--include-path', path.join(root, 'node_modules')], input);
  assert.equal(r.status, 0);
  const out = JSON.parse(r.stdout);
  assert.equal((out.errors || []).filter((e) => e.severity === 'error').length, 0, JSON.stringify(out.errors));
  assert.ok(out.contracts['C.sol'].C);
});

test('anything but --version and --standard-json is refused with a message', () => {
  const r = run(['--bin', 'x.sol']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /only --version and --standard-json are supported/);
});
