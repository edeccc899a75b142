// Build-time Pyodide memory snapshot of the checker (called by build.py; Node 20+).
//
//   node tools/pyodide-snapshot.mjs <pyodide dir> <app archive (zip)> <warm-up Python file> <output>
//
// Boots the pinned Pyodide with snapshots enabled, unpacks the app archive where PyScript unpacks
// it in the page (/home/pyodide, the working directory), runs the warm-up Python (imports the pure
// modules and loads the compiled catalogue), and writes Pyodide's memory snapshot.  The page's
// loader (web/pyodide-snapshot.mjs) hands it to loadPyodide({_loadSnapshot}), so the browser skips
// the interpreter's start-up and these imports.
//
// Deterministic: the same inputs give byte-identical snapshots.  Python's hash seed is fixed, and
// every source of entropy and time the runtime can read here is replaced by a fixed sequence (the
// runtime draws its own fresh entropy again in the browser; see build.py PY_MAIN for `random`).
// Nothing here is reachable from the page; it only runs in the build.
import fs from "node:fs";
import path from "node:path";
import nodeCrypto from "node:crypto";

const [pyodideDir, archive, warmupFile, output] = process.argv.slice(2);
if (!output) {
  console.error("usage: node tools/pyodide-snapshot.mjs <pyodide dir> <app.zip> <warm-up.py> <output>");
  process.exit(2);
}
// Emscripten records the script path as the program name; keep the checkout's path out of the bytes.
process.argv = [process.argv[0], "/checker"];

let state = 0x9e3779b9;
const fill = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 255;
  }
  return view;
};
nodeCrypto.randomFillSync = fill;
globalThis.crypto.getRandomValues = fill;
const EPOCH = Date.UTC(2020, 0, 1);
let clock = 0;
Date.now = () => EPOCH + clock++;
performance.now = () => clock++;

const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const py = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/",
  _makeSnapshot: true,
  env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
py.FS.mkdirTree("/home/pyodide");
py.FS.chdir("/home/pyodide");
py.unpackArchive(new Uint8Array(fs.readFileSync(archive)), "zip", { extractDir: "/home/pyodide" });
try {
  py.runPython(fs.readFileSync(warmupFile, "utf8"), { filename: "<warm-up>" });
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
// Collect garbage, then zero the allocator's free memory (stale bytes of freed objects, the
// catalogue's JSON text among them, compress badly): claim every free block without letting the heap
// grow, clear it, give it back.  About 8 % off the compressed snapshot.
py.runPython("import gc; gc.collect()");
{
  const M = py._module;
  M._malloc_set_footprint_limit(M._malloc_footprint());
  const blocks = [];
  for (let size = 1 << 22; size >= 16; ) {
    const p = M._malloc(size);
    if (!p) { size >>= 1; continue; }
    M.HEAPU8.fill(0, p, p + size);
    blocks.push(p);
  }
  for (const p of blocks) M._free(p);
  M._malloc_set_footprint_limit(0xffffffff);
}
fs.writeFileSync(output, py.makeMemorySnapshot());
