// Runs a wasm32-wasip1 build of a Rust program (e.g. the crystal-atlas CLI)
// under Node's WASI, so benchmarks can time the same code as wasm.
// Usage: node scripts/wasi-run.mjs program.wasm [args...]
// The host file system is visible at the same paths; the exit code passes through.
// With WASI_RUN_MEMORY=1 it prints the wasm linear memory's final size (its
// peak: wasm memory never shrinks) to stderr, as "wasm memory: N bytes".
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import process from "node:process";
import v8 from "node:v8";

// Node 20's V8 aborts ("Fatal error ... unreachable code" in concurrent
// marking) when a wasm memory grows past ~100 MB after large file reads, e.g.
// a 12 MB --known list; marking on the main thread avoids it.
v8.setFlagsFromString("--no-concurrent-marking");

const [wasmPath, ...args] = process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node scripts/wasi-run.mjs program.wasm [args...]");
  process.exit(2);
}
const wasi = new WASI({
  version: "preview1",
  args: [wasmPath, ...args],
  env: process.env,
  preopens: { "/": "/" },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
if (process.env.WASI_RUN_MEMORY === "1") {
  console.error(`wasm memory: ${instance.exports.memory.buffer.byteLength} bytes`);
}
