// The project's SBF linker: relocatable eBPF objects (clang-16 -target bpf -mcpu=v2 -c) in, one SBPFv0
// shared object out, in the shape the Agave loader checks (ET_DYN, EM_BPF, e_flags 0, every loaded section at
// file offset == virtual address, syscalls as dynamic R_BPF_64_32 relocations against .dynsym, which the loader
// resolves by the murmur3 hash of the name).
//
//   node contracts/solana/tools/sbf-link.mjs out.so in.o... [--entry entrypoint]
//
// It refuses, naming the culprit: writable data (.data/.bss: the loader maps no writable program memory), relocation
// types it does not know, and undefined symbols that are not runtime syscalls (a missing function would otherwise
// become a syscall the loader rejects at deploy time with a hash, not a name).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export class LinkError extends Error {
  constructor(message) { super(`sbf-link: ${message}`); this.name = 'LinkError'; }
}

/** Functions the Agave runtime provides to SBPFv0 programs (the names the loader can resolve). */
export const SYSCALLS = new Set([
  'abort', 'sol_panic_', 'sol_log_', 'sol_log_64_', 'sol_log_pubkey', 'sol_log_compute_units_', 'sol_log_data',
  'sol_memcpy_', 'sol_memmove_', 'sol_memset_', 'sol_memcmp_',
  'sol_create_program_address', 'sol_try_find_program_address', 'sol_invoke_signed_c', 'sol_invoke_signed_rust',
  'sol_set_return_data', 'sol_get_return_data', 'sol_get_stack_height', 'sol_remaining_compute_units',
  'sol_get_clock_sysvar', 'sol_get_rent_sysvar', 'sol_get_epoch_schedule_sysvar', 'sol_get_sysvar',
  'sol_get_processed_sibling_instruction', 'sol_sha256', 'sol_keccak256', 'sol_blake3', 'sol_secp256k1_recover',
]);

const MM_PROGRAM_START = 0x1_0000_0000n;
const EM_BPF = 247, ET_REL = 1, ET_DYN = 3;
const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, DYNAMIC: 6, NOBITS: 8, REL: 9, DYNSYM: 11 };
const SHF = { WRITE: 1, ALLOC: 2, EXEC: 4 };
const R_BPF = { NONE: 0, '64_64': 1, ABS64: 2, ABS32: 3, NODYLD32: 4, '64_32': 10 };
const R_BPF_NAMES = Object.fromEntries(Object.entries(R_BPF).map(([k, v]) => [v, `R_BPF_${k}`]));
const BPF_CALL = 0x85;

const alignUp = (x, a) => Math.ceil(x / a) * a;

function readCString(buf, offset) {
  let end = offset;
  while (end < buf.length && buf[end] !== 0) end++;
  return buf.toString('latin1', offset, end);
}

/** Parses the parts of an ET_REL ELF64 object that linking needs. */
function parseObject(obj) {
  if (obj.length < 64 || obj.readUInt32BE(0) !== 0x7f454c46) throw new LinkError('input is not an ELF file');
  if (obj[4] !== 2 || obj[5] !== 1) throw new LinkError('input is not a 64-bit little-endian ELF');
  if (obj.readUInt16LE(16) !== ET_REL || obj.readUInt16LE(18) !== EM_BPF)
    throw new LinkError('input is not a relocatable eBPF object (clang -target bpf -c)');
  const shoff = Number(obj.readBigUInt64LE(0x28)), shnum = obj.readUInt16LE(0x3c), shstrndx = obj.readUInt16LE(0x3e);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 64;
    sections.push({
      index: i, nameOffset: obj.readUInt32LE(o), type: obj.readUInt32LE(o + 4), flags: Number(obj.readBigUInt64LE(o + 8)),
      offset: Number(obj.readBigUInt64LE(o + 24)), size: Number(obj.readBigUInt64LE(o + 32)),
      link: obj.readUInt32LE(o + 40), info: obj.readUInt32LE(o + 44), align: Math.max(1, Number(obj.readBigUInt64LE(o + 48))),
    });
  }
  for (const s of sections) s.name = readCString(obj, sections[shstrndx].offset + s.nameOffset);
  const symtab = sections.find((s) => s.type === SHT.SYMTAB);
  if (!symtab) throw new LinkError('input has no symbol table');
  const symbols = [];
  for (let o = symtab.offset; o < symtab.offset + symtab.size; o += 24) {
    symbols.push({
      name: readCString(obj, sections[symtab.link].offset + obj.readUInt32LE(o)), info: obj[o + 4],
      sectionIndex: obj.readUInt16LE(o + 6), value: Number(obj.readBigUInt64LE(o + 8)),
    });
  }
  for (const sym of symbols) if (!sym.name && (sym.info & 0xf) === 3) sym.name = sections[sym.sectionIndex]?.name ?? '';
  return { sections, symbols };
}

const STB_LOCAL = 0;

/**
 * Links relocatable eBPF objects into one SBPFv0 shared object.
 * @param {Buffer | Buffer[]} objects the ET_REL objects (clang -target bpf -c), in a fixed order
 * @param {{ entry?: string, names?: string[] }} [options] names: the objects' names for messages
 * @returns {{ elf: Buffer, textSize: number, rodataSize: number, syscalls: string[] }}
 */
export function link(objects, { entry = 'entrypoint', names = [] } = {}) {
  if (!Array.isArray(objects)) objects = [objects];
  const inputs = objects.map((bytes, i) => {
    const name = names[i] ?? `object ${i}`;
    try { return { name, bytes, ...parseObject(bytes) }; }
    catch (e) { if (e instanceof LinkError) throw new LinkError(`${name}: ${e.message.replace(/^sbf-link: /, '')}`); throw e; }
  });

  // Loaded input sections: executable ones form .text, the others .rodata. Nothing writable may load.
  const text = [], rodata = [];
  for (const input of inputs) {
    for (const s of input.sections) {
      if (!(s.flags & SHF.ALLOC) || s.size === 0) continue;
      if (s.type === SHT.NOBITS || (s.flags & SHF.WRITE)) {
        throw new LinkError(`writable section ${s.name} (${s.size} bytes) in ${input.name}: SBF programs have no writable ` +
          'globals; make the data const or keep it in an account');
      }
      s.input = input;
      (s.flags & SHF.EXEC ? text : rodata).push(s);
    }
  }
  if (text.length === 0) throw new LinkError('input has no code');
  const place = (group) => {
    let size = 0;
    for (const s of group) { size = alignUp(size, s.align); s.groupOffset = size; size += s.size; }
    return size;
  };
  const textSize = place(text), rodataSize = place(rodata);

  const phnum = rodataSize > 0 ? 4 : 3;
  const textOffset = alignUp(64 + phnum * 56, 8);
  const rodataOffset = alignUp(textOffset + textSize, 8);
  for (const s of text) s.outOffset = textOffset + s.groupOffset;
  for (const s of rodata) s.outOffset = rodataOffset + s.groupOffset;
  for (const input of inputs) input.loaded = new Map([...text, ...rodata].filter((s) => s.input === input).map((s) => [s.index, s]));

  const image = Buffer.alloc(rodataOffset + rodataSize);
  for (const s of [...text, ...rodata]) s.input.bytes.copy(image, s.outOffset, s.offset, s.offset + s.size);

  const definedIn = (input, sym, where) => {
    if (sym.sectionIndex === 0xfff1) return sym.value; // SHN_ABS
    const s = input.loaded.get(sym.sectionIndex);
    if (!s) throw new LinkError(`${where} refers to ${sym.name || 'a symbol'} in section ` +
      `${input.sections[sym.sectionIndex]?.name ?? sym.sectionIndex} of ${input.name}, which is not loaded`);
    return s.outOffset + sym.value;
  };
  // Global definitions across the objects; a name defined twice is an error, as in any linker.
  const globals = new Map();
  for (const input of inputs) {
    for (const sym of input.symbols) {
      if (sym.sectionIndex === 0 || (sym.info >> 4) === STB_LOCAL || !sym.name) continue;
      if (globals.has(sym.name)) throw new LinkError(`symbol ${sym.name} is defined in ${globals.get(sym.name).input.name} and in ${input.name}`);
      globals.set(sym.name, { input, sym });
    }
  }
  const addressOf = (input, sym, where) => {
    if (sym.sectionIndex !== 0) return definedIn(input, sym, where);
    const global = globals.get(sym.name);
    return global ? definedIn(global.input, global.sym, where) : null;
  };

  // Relocations. Only REL sections whose target is loaded matter (.rel.BTF and debug info are dropped).
  const syscalls = [], dynamicRelocations = [];
  for (const input of inputs) {
    for (const rs of input.sections) {
      if (rs.type === SHT.RELA && input.loaded.has(rs.info)) throw new LinkError(`unexpected RELA section ${rs.name} in ${input.name}`);
      if (rs.type !== SHT.REL || !input.loaded.has(rs.info)) continue;
      const target = input.loaded.get(rs.info);
      for (let o = rs.offset; o < rs.offset + rs.size; o += 16) {
        const at = target.outOffset + Number(input.bytes.readBigUInt64LE(o));
        const info = input.bytes.readBigUInt64LE(o + 8);
        const type = Number(info & 0xffffffffn), sym = input.symbols[Number(info >> 32n)];
        const site = `${target.name}+0x${(at - target.outOffset).toString(16)} of ${input.name}`;
        const where = `${R_BPF_NAMES[type] ?? `relocation type ${type}`} at ${site}`;
        if (type === R_BPF.NONE) continue;
        if (type === R_BPF['64_64'] || type === R_BPF.ABS64) {
          const S = addressOf(input, sym, where);
          if (S === null) throw new LinkError(`unresolved symbol ${sym.name}: ${where} needs its address`);
          if (type === R_BPF['64_64']) { // lddw: the 64-bit immediate is split over two instruction slots
            const v = MM_PROGRAM_START + BigInt(S + image.readUInt32LE(at + 4));
            image.writeUInt32LE(Number(v & 0xffffffffn), at + 4);
            image.writeUInt32LE(Number(v >> 32n), at + 12);
          } else {
            image.writeBigUInt64LE(MM_PROGRAM_START + BigInt(S) + image.readBigUInt64LE(at), at);
          }
        } else if (type === R_BPF['64_32']) {
          if (image[at] !== BPF_CALL) throw new LinkError(`${where} is not on a call instruction`);
          const S = addressOf(input, sym, where);
          if (S === null) {
            if (!SYSCALLS.has(sym.name)) {
              throw new LinkError(`unresolved symbol ${sym.name}: called at ${site}, defined nowhere and not a runtime syscall`);
            }
            if (!syscalls.includes(sym.name)) syscalls.push(sym.name);
            image.writeInt32LE(-1, at + 4);
            dynamicRelocations.push({ offset: at, symbol: 2 + syscalls.indexOf(sym.name) });
          } else {
            const destination = S + (image.readInt32LE(at + 4) + 1) * 8;
            if (destination < textOffset || destination >= textOffset + textSize) {
              throw new LinkError(`${where}: call to ${sym.name} lands outside .text`);
            }
            image.writeInt32LE((destination - (at + 8)) / 8, at + 4);
          }
        } else {
          throw new LinkError(`unknown relocation: ${where} against ${sym.name || '?'} (supported: R_BPF_64_64, ` +
            'R_BPF_64_ABS64, R_BPF_64_32)');
        }
      }
    }
  }
  const entryGlobal = globals.get(entry);
  if (!entryGlobal) throw new LinkError(`entry symbol ${entry} is not defined`);
  const entryAddress = definedIn(entryGlobal.input, entryGlobal.sym, 'the entry point');
  if (entryAddress < textOffset || entryAddress >= textOffset + textSize) throw new LinkError(`entry ${entry} is not code`);

  return { elf: writeSharedObject({ image, textOffset, textSize, rodataOffset, rodataSize, phnum, entry, entryAddress,
    syscalls, dynamicRelocations }), textSize, rodataSize, syscalls };
}

function writeSharedObject({ image, textOffset, textSize, rodataOffset, rodataSize, phnum, entry, entryAddress,
  syscalls, dynamicRelocations }) {
  const strings = (names) => {
    const offsets = [];
    let size = 0;
    for (const n of names) { offsets.push(size); size += Buffer.byteLength(n, 'latin1') + 1; }
    return { bytes: Buffer.from(names.map((n) => `${n}\0`).join(''), 'latin1'), offsets };
  };
  const dynstr = strings(['', entry, ...syscalls]);
  const dynamicTags = [];
  const dynamicOffset = alignUp(image.length, 8);
  const dynamicCount = (dynamicRelocations.length ? 3 : 0) + 5;
  const dynsymOffset = dynamicOffset + dynamicCount * 16;
  const dynsymCount = 2 + syscalls.length;
  const dynstrOffset = dynsymOffset + dynsymCount * 24;
  const relOffset = alignUp(dynstrOffset + dynstr.bytes.length, 8);
  const relSize = dynamicRelocations.length * 16;
  const sectionNames = ['', '.text', '.rodata', '.dynamic', '.dynsym', '.dynstr', '.rel.dyn', '.shstrtab'];
  const shstr = strings(sectionNames);
  const shstrOffset = relOffset + relSize;
  const shOffset = alignUp(shstrOffset + shstr.bytes.length, 8);

  const headers = [{ name: '', type: SHT.NULL, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
    { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, offset: textOffset, size: textSize, align: 8 }];
  if (rodataSize > 0) headers.push({ name: '.rodata', type: SHT.PROGBITS, flags: SHF.ALLOC, offset: rodataOffset, size: rodataSize, align: 8 });
  const dynsymIndex = headers.length + 1, dynstrIndex = headers.length + 2;
  headers.push(
    { name: '.dynamic', type: SHT.DYNAMIC, flags: SHF.ALLOC | SHF.WRITE, offset: dynamicOffset, size: dynamicCount * 16, link: dynstrIndex, align: 8, entsize: 16 },
    { name: '.dynsym', type: SHT.DYNSYM, flags: SHF.ALLOC, offset: dynsymOffset, size: dynsymCount * 24, link: dynstrIndex, info: 1, align: 8, entsize: 24 },
    { name: '.dynstr', type: SHT.STRTAB, flags: SHF.ALLOC, offset: dynstrOffset, size: dynstr.bytes.length, align: 1 },
    { name: '.rel.dyn', type: SHT.REL, flags: SHF.ALLOC, offset: relOffset, size: relSize, link: dynsymIndex, align: 8, entsize: 16 },
    { name: '.shstrtab', type: SHT.STRTAB, flags: 0, offset: shstrOffset, size: shstr.bytes.length, align: 1 });

  const elf = Buffer.alloc(shOffset + headers.length * 64);
  image.copy(elf);
  // ELF header
  elf.writeUInt32BE(0x7f454c46, 0); elf[4] = 2; elf[5] = 1; elf[6] = 1;
  elf.writeUInt16LE(ET_DYN, 16); elf.writeUInt16LE(EM_BPF, 18); elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(BigInt(entryAddress), 24); elf.writeBigUInt64LE(64n, 32); elf.writeBigUInt64LE(BigInt(shOffset), 40);
  elf.writeUInt32LE(0, 48); // e_flags 0: SBPFv0
  elf.writeUInt16LE(64, 52); elf.writeUInt16LE(56, 54); elf.writeUInt16LE(phnum, 56);
  elf.writeUInt16LE(64, 58); elf.writeUInt16LE(headers.length, 60); elf.writeUInt16LE(headers.length - 1, 62);
  // Program headers: code, read-only data, the dynamic tables, PT_DYNAMIC.
  const PT_LOAD = 1, PT_DYNAMIC = 2, PF_X = 1, PF_W = 2, PF_R = 4;
  const segments = [[PT_LOAD, PF_R | PF_X, textOffset, textSize]];
  if (rodataSize > 0) segments.push([PT_LOAD, PF_R, rodataOffset, rodataSize]);
  segments.push([PT_LOAD, PF_R, dynamicOffset, relOffset + relSize - dynamicOffset], [PT_DYNAMIC, PF_R | PF_W, dynamicOffset, dynamicCount * 16]);
  segments.forEach(([type, flags, offset, size], i) => {
    const o = 64 + i * 56;
    elf.writeUInt32LE(type, o); elf.writeUInt32LE(flags, o + 4);
    elf.writeBigUInt64LE(BigInt(offset), o + 8); elf.writeBigUInt64LE(BigInt(offset), o + 16); elf.writeBigUInt64LE(BigInt(offset), o + 24);
    elf.writeBigUInt64LE(BigInt(size), o + 32); elf.writeBigUInt64LE(BigInt(size), o + 40); elf.writeBigUInt64LE(8n, o + 48);
  });
  // .dynamic
  const DT_NULL = 0, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10, DT_SYMENT = 11, DT_REL = 17, DT_RELSZ = 18, DT_RELENT = 19;
  if (dynamicRelocations.length) dynamicTags.push([DT_REL, relOffset], [DT_RELSZ, relSize], [DT_RELENT, 16]);
  dynamicTags.push([DT_SYMTAB, dynsymOffset], [DT_SYMENT, 24], [DT_STRTAB, dynstrOffset], [DT_STRSZ, dynstr.bytes.length], [DT_NULL, 0]);
  dynamicTags.forEach(([tag, value], i) => {
    elf.writeBigUInt64LE(BigInt(tag), dynamicOffset + i * 16); elf.writeBigUInt64LE(BigInt(value), dynamicOffset + i * 16 + 8);
  });
  // .dynsym: null, the entry point (global function in .text), then the syscalls (global, undefined).
  const writeSymbol = (i, nameOffset, info, sectionIndex, value) => {
    const o = dynsymOffset + i * 24;
    elf.writeUInt32LE(nameOffset, o); elf[o + 4] = info; elf.writeUInt16LE(sectionIndex, o + 6); elf.writeBigUInt64LE(BigInt(value), o + 8);
  };
  const STB_GLOBAL_FUNC = 0x12, STB_GLOBAL_NOTYPE = 0x10;
  writeSymbol(1, dynstr.offsets[1], STB_GLOBAL_FUNC, 1, entryAddress);
  syscalls.forEach((_, k) => writeSymbol(2 + k, dynstr.offsets[2 + k], STB_GLOBAL_NOTYPE, 0, 0));
  dynstr.bytes.copy(elf, dynstrOffset);
  dynamicRelocations.forEach((r, i) => {
    elf.writeBigUInt64LE(BigInt(r.offset), relOffset + i * 16);
    elf.writeBigUInt64LE((BigInt(r.symbol) << 32n) | BigInt(R_BPF['64_32']), relOffset + i * 16 + 8);
  });
  shstr.bytes.copy(elf, shstrOffset);
  headers.forEach((h, i) => {
    const o = shOffset + i * 64;
    elf.writeUInt32LE(h.name ? shstr.offsets[sectionNames.indexOf(h.name)] : 0, o); elf.writeUInt32LE(h.type, o + 4);
    elf.writeBigUInt64LE(BigInt(h.flags), o + 8); elf.writeBigUInt64LE(BigInt(h.flags & SHF.ALLOC ? h.offset : 0), o + 16);
    elf.writeBigUInt64LE(BigInt(h.offset), o + 24); elf.writeBigUInt64LE(BigInt(h.size), o + 32);
    elf.writeUInt32LE(h.link ?? 0, o + 40); elf.writeUInt32LE(h.info ?? 0, o + 44);
    elf.writeBigUInt64LE(BigInt(h.align), o + 48); elf.writeBigUInt64LE(BigInt(h.entsize ?? 0), o + 56);
  });
  return elf;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const entryAt = args.indexOf('--entry');
  const entry = entryAt >= 0 ? args.splice(entryAt, 2)[1] : 'entrypoint';
  const [output, ...inputs] = args;
  if (!output || inputs.length === 0) { console.error('usage: sbf-link.mjs out.so in.o... [--entry name]'); process.exit(2); }
  try {
    const { elf, textSize, rodataSize, syscalls } = link(inputs.map((f) => fs.readFileSync(f)), { entry, names: inputs });
    fs.writeFileSync(output, elf);
    console.log(`sbf-link: ${output} ${elf.length} bytes (text ${textSize}, rodata ${rodataSize}; syscalls ${syscalls.join(' ')})`);
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}
