// The local Solana JSON-RPC server: HTTP on 127.0.0.1 only, JSON-RPC 2.0 (single requests and batches), over a
// LocalChain (chain.mjs) with the AgentCluster program deployed and through genesis. Run through scripts/solana-localnet:
//
//   scripts/solana-localnet --port P [--dir D]
//
// Prints `program: <id>`, `config: <address>`, `mint: <address>`, `authority: <address>`, `rpc: http://127.0.0.1:P`,
// then `ready`. With --dir, writes D/solana-localnet.json (localnet_info's content) and D/authority.json (the
// authority's keypair as the Solana CLI writes it: a JSON array of 64 bytes, the secret key then the public key).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LocalChain, RpcError } from './chain.mjs';
import { methods } from './rpc.mjs';

export const MAX_BODY_BYTES = 1024 * 1024; // 1 MiB: far above a batch of 100 transactions of 1,232 bytes
export const MAX_BATCH = 100;

/** JSON text of a value whose bigints are written as plain JSON numbers (u64 values as the real node writes them). */
export function toJson(value) {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `\u0000big${v}` : v)).replace(/"\\u0000big(-?\d+)"/g, '$1');
}

/** JSON.parse that keeps integers too large for a double exact: such literals become decimal strings first. */
export function parseJson(text) {
  let out = '', i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') { // copy a string literal as is
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1); i = j + 1;
    } else if ((ch >= '0' && ch <= '9') || ch === '-') {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) j++;
      const token = text.slice(i, j);
      out += /^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token;
      i = j;
    } else { out += ch; i++; }
  }
  return JSON.parse(out);
}

const errorResponse = (id, code, message, data) => ({ jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id });

export class LocalnetServer {
  constructor({ port = 0, dir = null, log = () => {} } = {}) {
    Object.assign(this, { port, dir, log });
    this.chain = new LocalChain();
  }

  async start() {
    await this.chain.start();
    this.genesisHash = this.chain.latest.blockhash;
    this.handlers = methods(this.chain, this);
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}`;
    if (this.dir) this.writeFiles();
    return this;
  }

  writeFiles() {
    fs.mkdirSync(this.dir, { recursive: true });
    this.authorityPath = path.resolve(this.dir, 'authority.json');
    fs.writeFileSync(this.authorityPath, JSON.stringify([...this.chain.authoritySecret]), { mode: 0o600 });
    fs.writeFileSync(path.join(this.dir, 'solana-localnet.json'), `${JSON.stringify(this.info(), null, 2)}\n`);
  }

  info() { return this.chain.info(this.url, this.authorityPath); }

  async stop() {
    this.chain.stop();
    if (this.server) await new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }

  onRequest(req, res) {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : toJson(body));
    };
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/health/')) { res.writeHead(200); res.end('ok'); return; }
    if (req.method !== 'POST') { reply(405, errorResponse(null, -32600, 'Invalid request: use POST')); return; }
    const chunks = [];
    let size = 0, tooLarge = false;
    req.on('data', (chunk) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) { tooLarge = true; reply(413, errorResponse(null, -32600, `Invalid request: the body is larger than ${MAX_BODY_BYTES} bytes`)); req.destroy(); return; }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      if (tooLarge) return;
      let body;
      try { body = parseJson(Buffer.concat(chunks).toString('utf8')); } catch { reply(200, errorResponse(null, -32700, 'Parse error')); return; }
      try {
        if (Array.isArray(body)) {
          if (body.length === 0) { reply(200, errorResponse(null, -32600, 'Invalid request: empty batch')); return; }
          if (body.length > MAX_BATCH) { reply(200, errorResponse(null, -32600, `Invalid request: a batch holds at most ${MAX_BATCH} requests, got ${body.length}`)); return; }
          const out = [];
          for (const item of body) { const r = await this.call(item); if (r) out.push(r); } // in order: they may depend on each other
          reply(200, out.length ? out : undefined);
        } else {
          const r = await this.call(body);
          reply(200, r ?? undefined);
        }
      } catch (e) {
        this.log(`internal error: ${e.stack}`);
        reply(500, errorResponse(null, -32603, `Internal error: ${e.message}`));
      }
    });
    req.on('error', () => {});
  }

  /** One JSON-RPC request -> its response (null for a notification). Never throws. */
  async call(request) {
    if (typeof request !== 'object' || request === null || Array.isArray(request) || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
      return errorResponse(request?.id ?? null, -32600, 'Invalid request');
    }
    const { id, method } = request;
    const notification = !('id' in request);
    if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') return errorResponse(null, -32600, 'Invalid request: bad id');
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : null;
    if (!handler) return notification ? null : errorResponse(id, -32601, 'Method not found');
    const params = request.params ?? [];
    if (!Array.isArray(params)) return notification ? null : errorResponse(id, -32602, 'Invalid params: params must be an array');
    try {
      const result = await handler(params);
      return notification ? null : { jsonrpc: '2.0', result: result === undefined ? null : result, id };
    } catch (e) {
      if (e instanceof RpcError) return notification ? null : errorResponse(id, e.code, e.message, e.data);
      this.log(`internal error in ${method}: ${e.stack}`);
      return notification ? null : errorResponse(id, -32603, `Internal error: ${e.message}`);
    }
  }
}

const USAGE = `usage: scripts/solana-localnet --port P [--dir D] [--host 127.0.0.1]

A local Solana JSON-RPC node over LiteSVM with the AgentCluster program built (when a source changed), deployed through
the upgradeable loader, initialized and through genesis. Listens on 127.0.0.1:P (--port 0: a free port, printed).
Prints program:, config:, mint:, authority:, rpc: lines, then ready. With --dir D: writes D/solana-localnet.json and
D/authority.json (the upgrade and config authority's keypair, Solana CLI format). Stops cleanly on SIGINT/SIGTERM.
Methods: docs/solana-client.md, "Local network and RPC".`;

function parseArgs(argv) {
  const options = { port: null, dir: null };
  const fail = (message) => { const e = new Error(message); e.usage = true; throw e; };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '-h': case '--help': options.help = true; break;
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) fail(`--port must be a port number 0..65535, got '${v}'`);
        options.port = Number(v); break;
      }
      case '--dir': options.dir = value(); if (!options.dir) fail('--dir needs a directory'); break;
      case '--host': { const v = value(); if (v !== '127.0.0.1' && v !== 'localhost') fail(`--host: this server binds to 127.0.0.1 only, got '${v}'`); break; }
      default: fail(`unknown option '${arg}'`);
    }
  }
  if (!options.help && options.port === null) fail('--port is required (0 picks a free port)');
  return options;
}

export async function main(argv) {
  let options;
  try { options = parseArgs(argv); } catch (e) {
    process.stderr.write(`solana-localnet: error: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) { process.stdout.write(`${USAGE}\n`); return; }
  const server = new LocalnetServer({ port: options.port, dir: options.dir, log: (m) => process.stderr.write(`solana-localnet: ${m}\n`) });
  try {
    await server.start();
  } catch (e) {
    process.stderr.write(`solana-localnet: error: ${e.code === 'EADDRINUSE' ? `port ${options.port} is in use` : e.message}\n`);
    process.exit(1);
  }
  const info = server.info();
  const lines = [`program: ${info.programId}`, `config: ${info.config}`, `mint: ${info.mint}`, `authority: ${info.authority}`,
    ...(options.dir ? [`info: ${path.resolve(options.dir, 'solana-localnet.json')}`] : []), `rpc: ${server.url}`, 'ready'];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.stderr.write(`solana-localnet: stopped (${signal})\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

