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

/** Compiles the C sources (paths relative to contracts/solana) with one clang run; returns { source: object path }. */
export function compile(sources, { workDir, extraFlags = [] }) {
  fs.mkdirSync(workDir, { recursive: true });
  const objects = {};
  for (const src of sources) {
    const obj = path.join(workDir, `${path.basename(src, '.c')}.o`);
    if (Object.values(objects).includes(obj)) throw new Error(`build: two sources named ${path.basename(src)}`);
    objects[src] = obj;
  }
  // clang writes each object beside the working directory, named after its source. Nothing of the machine's directory
  // layout reaches the program: file names stay in the objects' symbol tables, which the linker does not copy.
  execFileSync('clang-16', [...CFLAGS, ...extraFlags, `-I${path.join(SOLANA_DIR, 'include')}`, '-c',
    ...sources.map((src) => path.join(SOLANA_DIR, src))], { cwd: workDir, stdio: ['ignore', 'inherit', 'inherit'] });
  return objects;
}

/** Builds every program into outDir; returns { name: path }. */
export function build({ outDir = DEFAULT_OUT } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const sources = Object.fromEntries(Object.entries(PROGRAMS).map(([name, list]) => [name, list()]));
  // One clang run for every source of every program (the support layer is shared); a private directory per run, so
  // that concurrent builds (test processes) never read each other's half-written objects.
  const workDir = fs.mkdtempSync(path.join(outDir, 'obj-'));
  try {
    const objects = compile([...new Set(Object.values(sources).flat())].sort(), { workDir });
    const outputs = {};
    for (const [name, list] of Object.entries(sources)) {
      const elf = link(list.map((src) => fs.readFileSync(objects[src])), { names: list }).elf;
      outputs[name] = path.join(outDir, `${name}.so`);
      // Written whole and renamed, so a test process never loads a half-written program.
      const partial = `${outputs[name]}.${process.pid}.partial`;
      fs.writeFileSync(partial, elf);
      fs.renameSync(partial, outputs[name]);
    }
    return outputs;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
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
