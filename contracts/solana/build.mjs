// Builds the Solana programs: clang-16 (-target bpf -mcpu=v2) per C file, then the project's linker (tools/sbf-link.mjs)
// links the objects into an SBPFv0 shared object. Same sources, same bytes. (ld.lld-16 -r cannot merge these objects:
// it misreads the implicit addends of lddw relocations into merged string sections.)
//
//   node contracts/solana/build.mjs [--out DIR]     default DIR: contracts/solana/target
//
// Writes DIR/agentcluster.so (the program) and DIR/support-probe.so (the support layer's test program).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { link, LinkError } from './tools/sbf-link.mjs';

export const SOLANA_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = path.join(SOLANA_DIR, 'target');

// -mcpu=v2: v3 emits JMP32/ALU32 instructions, which SBPFv0 rejects. -fno-builtin: no libc behind the compiler's back
// (a variable-size memcpy must be the sol_memcpy_ syscall).
export const CFLAGS = ['-target', 'bpf', '-mcpu=v2', '-O2', '-std=c11', '-ffreestanding', '-fno-builtin', '-nostdlib',
  '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter'];

const cFiles = (dir) => fs.readdirSync(path.join(SOLANA_DIR, dir), { recursive: true })
  .filter((f) => f.endsWith('.c')).map((f) => path.join(dir, f)).sort();

/** The programs and their sources (relative to contracts/solana). */
export const PROGRAMS = {
  agentcluster: () => [...cFiles('src')],
  'support-probe': () => [...cFiles('src/support'), ...cFiles('probe')],
};

/** Compiles and links one program from the given C sources; returns the ELF bytes. */
export function buildProgram(sources, { workDir, extraFlags = [] }) {
  fs.mkdirSync(workDir, { recursive: true });
  const objects = sources.map((src, i) => {
    const obj = path.join(workDir, `${i}-${path.basename(src, '.c')}.${process.pid}.o`);
    // Relative paths from contracts/solana: nothing of the machine's directory layout reaches the object.
    execFileSync('clang-16', [...CFLAGS, ...extraFlags, '-Iinclude', '-c', src, '-o', obj], { cwd: SOLANA_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    return obj;
  });
  return link(objects.map((o) => fs.readFileSync(o)), { names: sources }).elf;
}

/** Builds every program into outDir; returns { name: path }. */
export function build({ outDir = DEFAULT_OUT } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const outputs = {};
  for (const [name, sources] of Object.entries(PROGRAMS)) {
    const elf = buildProgram(sources(), { workDir: path.join(outDir, 'obj', name) });
    outputs[name] = path.join(outDir, `${name}.so`);
    // Written whole and renamed, so a test process never loads a half-written program.
    const partial = `${outputs[name]}.${process.pid}.partial`;
    fs.writeFileSync(partial, elf);
    fs.renameSync(partial, outputs[name]);
  }
  return outputs;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? path.resolve(args[outAt + 1]) : DEFAULT_OUT;
  try {
    for (const [name, file] of Object.entries(build({ outDir }))) console.log(`build: ${name} ${fs.statSync(file).size} bytes -> ${path.relative(process.cwd(), file)}`);
  } catch (e) {
    if (e instanceof LinkError) { console.error(e.message); process.exit(1); }
    if (e.status !== undefined) { console.error('build: compilation failed'); process.exit(1); }
    throw e;
  }
}
