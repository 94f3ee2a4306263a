// For the localnet tests: scripts/solana-localnet started as a child process on --port 0 with a temporary --dir, its
// stdout read until `ready`, and an @solana/kit RPC client on it (the independent client), plus raw JSON-RPC posts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSolanaRpc } from '@solana/kit';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCRIPT = path.join(ROOT, 'scripts/solana-localnet');

/** Starts the server; resolves { url, rpc, lines, info, dir, child, post, stop } once it printed `ready` (bounded wait). */
export async function startLocalnet({ timeoutMs = 60_000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solana-localnet-'));
  const child = spawn(SCRIPT, ['--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no ready line in ${timeoutMs} ms\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (/^ready$/m.test(stdout)) { clearTimeout(timer); resolve(Object.fromEntries(stdout.split('\n').filter((l) => l.includes(': ')).map((l) => l.split(': ')))); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}) before ready\n${stderr}`)); });
  });
  const url = lines.rpc;
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'solana-localnet.json'), 'utf8'));
  /** A raw POST: the body as given (a string is sent as is), returns { status, body (parsed or null), text }. */
  const post = async (body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { parsed = null; }
    return { status: res.status, body: parsed, text };
  };
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    return code;
  };
  return { url, rpc: createSolanaRpc(url), lines, info, dir, child, post, stop, stderr: () => stderr };
}

/** Polls `check` (async, returns a value or null) every 100 ms until it returns non-null or `ms` pass (then throws). */
export async function waitFor(what, check, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** JSON-RPC error of a kit call: the SolanaError's context (code, message, data) or the thrown error. */
export async function rpcError(promise) {
  try { await promise; } catch (e) { return e; }
  throw new Error('the call succeeded, an error was expected');
}
