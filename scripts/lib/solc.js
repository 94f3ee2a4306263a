#!/usr/bin/env node
// The project's solc: a native-solc look-alike over solc-js (npm "solc", pinned in package.json),
// because no native solc binary is reachable from this machine's registries.
// forge calls it as `solc --version` (on every command) and
// `solc --standard-json [--base-path P] [--include-path P] [--allow-paths A,B]` with JSON on stdin.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const solcDir = path.join(__dirname, '..', '..', 'node_modules', 'solc');

function fail(message) {
  process.stderr.write('solc (solc-js wrapper): ' + message + '\n');
  process.exit(1);
}

if (!fs.existsSync(path.join(solcDir, 'package.json'))) fail('solc-js is not installed; run scripts/setup');

if (args.includes('--version') || args.includes('-v')) {
  // Loading the wasm compiler costs about a second and forge asks for the version on every command,
  // so the answer is cached beside the package, keyed by the package version.
  const pkgVersion = require(path.join(solcDir, 'package.json')).version;
  const cache = path.join(solcDir, '.agentcluster-version');
  let version = null;
  try {
    version = fs.readFileSync(cache, 'utf8').trim();
    if (!version.startsWith(pkgVersion + '+')) version = null;
  } catch (_) { /* no cache yet */ }
  if (!version) {
    version = require(solcDir).version();
    try { fs.writeFileSync(cache, version); } catch (_) { /* read-only install: answer uncached */ }
  }
  process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + version + '\n');
  process.exit(0);
}

if (!args.includes('--standard-json')) fail('only --version and --standard-json are supported, got: ' + args.join(' '));

// forge inlines every source; the import callback is a fallback over the roots it names.
const roots = [];
for (let i = 0; i < args.length; i++) {
  const m = /^--(base-path|include-path|allow-paths)(?:=(.*))?$/.exec(args[i]);
  if (!m) continue;
  const value = m[2] !== undefined ? m[2] : args[++i] || '';
  for (const p of value.split(',')) if (p) roots.push(path.resolve(p));
}
roots.push(process.cwd());

function findImports(importPath) {
  for (const root of [''].concat(roots)) {
    const file = root ? path.join(root, importPath) : importPath;
    try { return { contents: fs.readFileSync(file, 'utf8') }; } catch (_) { /* try next root */ }
  }
  return { error: 'File not found: ' + importPath };
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const solc = require(solcDir);
  const output = solc.compile(Buffer.concat(chunks).toString('utf8'), { import: findImports });
  process.stdout.write(output, () => process.exit(0));
});
