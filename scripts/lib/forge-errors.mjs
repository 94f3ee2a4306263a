// Turns forge's failure output into one plain line: ANSI codes stripped, hex revert data decoded (Error(string),
// Panic(uint256), and the suite's custom errors by selector, from the ABIs in out/).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAbiParameters, keccak256, toHex } from 'viem';

// Canonical signature of an ABI item ("Name(uint256,(address,bool)[])").
const canonical = (p) => (p.type.startsWith('tuple') ? `(${p.components.map(canonical).join(',')})${p.type.slice(5)}` : p.type);
const formatAbiItem = (item) => `${item.name}(${item.inputs.map(canonical).join(',')})`;
const toFunctionSelector = (sig) => keccak256(toHex(sig)).slice(0, 10);

const PANICS = {
  0x00: 'generic panic',
  0x01: 'assert failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division or modulo by zero',
  0x21: 'invalid enum value',
  0x22: 'bad storage byte array',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory',
  0x51: 'call to an invalid internal function',
};

export const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');

let errorsBySelector;
/// selector -> [abi item] for every custom error in out/**/*.json (the suite and its libraries).
export function customErrors(outDir) {
  if (errorsBySelector) return errorsBySelector;
  errorsBySelector = new Map();
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(dir, name);
      if (name.endsWith('.json')) {
        let abi;
        try {
          abi = JSON.parse(readFileSync(p, 'utf8')).abi;
        } catch {
          continue;
        }
        for (const item of abi ?? []) {
          if (item.type !== 'error') continue;
          const sel = toFunctionSelector(formatAbiItem(item)).toLowerCase();
          const list = errorsBySelector.get(sel) ?? [];
          if (!list.some((e) => formatAbiItem(e) === formatAbiItem(item))) list.push(item);
          errorsBySelector.set(sel, list);
        }
      } else if (!name.includes('.') && statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.sol')) walk(p);
    }
  };
  walk(outDir);
  return errorsBySelector;
}

const show = (v) => (typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v));

/// Decodes revert data (0x-hex): "Error(string): msg" -> msg, Panic -> "panic 0x11 (arithmetic ...)", custom errors
/// -> "Name(arg, ...)". Returns null when the data is not recognised.
export function decodeRevert(data, outDir) {
  const hex = data.toLowerCase();
  if (!/^0x[0-9a-f]{8}([0-9a-f]{2})*$/.test(hex)) return null;
  const sel = hex.slice(0, 10);
  const body = `0x${hex.slice(10)}`;
  try {
    if (sel === '0x08c379a0') return decodeAbiParameters([{ type: 'string' }], body)[0];
    if (sel === '0x4e487b71') {
      const code = Number(decodeAbiParameters([{ type: 'uint256' }], body)[0]);
      return `panic 0x${code.toString(16).padStart(2, '0')} (${PANICS[code] ?? 'unknown panic code'})`;
    }
  } catch {
    return null;
  }
  for (const item of customErrors(outDir).get(sel) ?? []) {
    try {
      const args = decodeAbiParameters(item.inputs, body);
      return `${item.name}(${item.inputs.map((inp, i) => `${inp.name ? `${inp.name}: ` : ''}${show(args[i])}`).join(', ')})`;
    } catch {
      /* try the next error with this selector */
    }
  }
  return null;
}

/// The first error line of forge's output, with ANSI codes stripped and every hex revert payload decoded.
export function explainForgeLog(text, outDir) {
  const lines = stripAnsi(text)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  let line = lines.find((l) => /^Error\b/.test(l)) ?? lines.find((l) => /error|revert/i.test(l)) ?? lines.at(-1) ?? '';
  line = line.replace(/^Error:\s*/, '');
  return line.replace(/0x[0-9a-fA-F]{8,}/g, (m) => {
    if ((m.length - 10) % 64 !== 0) return m; // revert data is a selector + 32-byte words; addresses, hashes stay
    const d = decodeRevert(m, outDir);
    return d === null ? m : `${d} [${m.slice(0, 10)}]`;
  });
}
