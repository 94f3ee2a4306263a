// scripts/solana-localnet as a command: bad options are refused with exit 2 before anything starts, other hosts are
// refused, and SIGINT / SIGTERM stop it cleanly (exit 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SCRIPT, startLocalnet } from './localnet-server.mjs';

const run = (...args) => spawnSync(SCRIPT, args, { encoding: 'utf8', timeout: 30_000 });

test('bad options: a clear message and exit 2', () => {
  for (const [args, message] of [[[], /--port is required/], [['--port', 'x'], /--port must be a port number/], [['--port', '70000'], /--port must be/],
    [['--port', '0', '--bogus'], /unknown option '--bogus'/], [['--port'], /--port needs a value/], [['--port', '0', '--dir'], /--dir needs a value/],
    [['--port', '0', '--host', '0.0.0.0'], /binds to 127\.0\.0\.1 only/]]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('--help prints the usage and exits 0', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: scripts\/solana-localnet --port P/);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} stops the server cleanly`, async () => {
    const net = await startLocalnet();
    assert.equal(await net.rpc.getHealth().send(), 'ok');
    const exited = new Promise((resolve) => net.child.once('exit', (code, sig) => resolve({ code, sig })));
    net.child.kill(signal);
    const { code } = await exited;
    assert.equal(code, 0);
    assert.match(net.stderr(), new RegExp(`stopped \\(${signal}\\)`));
    await assert.rejects(fetch(net.url, { method: 'POST', body: '{}' })); // nobody listens any more
    await net.stop();
  });
}
