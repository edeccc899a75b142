/* The interpreter module PyScript loads (pyscript.toml `interpreter`, shipped as
 * pyodide/checker-pyodide.mjs): Pyodide's own loadPyodide, started from the memory snapshot that
 * build.py made (tools/pyodide-snapshot.mjs) instead of from scratch.  The snapshot holds the
 * interpreter after start-up with the checker's pure modules imported and the rule catalogue
 * loaded, so the page skips that work (the larger part of a cold start).
 *
 * PyScript calls loadPyodide(options) and reads `version`; both are forwarded unchanged except for
 * `_loadSnapshot`.  The snapshot is fetched from next to this module (the hosted folder: a real
 * request to the page's own origin; the single file: web/embed.js answers it from the embedded
 * block) and may arrive gzip-compressed (the hosted folder ships it so; any static server can serve
 * it).  If it is missing, the interpreter starts the ordinary way and the page still works, only
 * slower; the console says why and the page's performance entries show which path was taken
 * ("checker:snapshot" vs "checker:no-snapshot").
 */
const base = globalThis.__embedded
  ? globalThis.__embedded.base + "pyodide/"
  : new URL(".", import.meta.url).href;
const SNAPSHOT = base + "checker.snapshot.gz";
const WASM = base + "pyodide.asm.wasm";

const runtime = import(base + "pyodide.mjs");

async function gunzipIfNeeded(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// The build ships the snapshot packed (build.py pack_snapshot): its memory XOR-ed with the wasm's static
// data (~1.5 MB less to ship), then without its pages of zeros (15 MB less to inflate, ~0.1 s) — a list
// of the stored ranges says where the rest goes.  Putting the ranges back into a zeroed buffer and
// XOR-ing with the same data segments, read from the same wasm file, gives Pyodide's snapshot back.
// build.py refuses a wasm whose segments this cannot read.
const MAGIC = "CHKXOR02";
// Pyodide's snapshot: a header whose length is the little-endian u32 at offset 4, then the memory image.
const headerLength = (snapshot) => new DataView(snapshot.buffer, snapshot.byteOffset, 8).getUint32(4, true);
const packed = (bytes) => bytes.length > 16 && MAGIC.split("").every((ch, i) => bytes[i] === ch.charCodeAt(0));

// MAGIC, then u32 (little-endian): the snapshot's length, the count N of stored ranges, N (offset,
// length) pairs; then the ranges' bytes, in order.  Everything else is zeros.
function unpackRanges(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  const out = new Uint8Array(total);
  let pos = 8 + 8 * count;
  for (let k = 0; k < count; k++) {
    const at = view.getUint32(8 + 8 * k, true);
    const length = view.getUint32(12 + 8 * k, true);
    if (pos + length > bytes.length || at + length > total) throw new Error("a damaged interpreter snapshot");
    out.set(bytes.subarray(pos, pos + length), at);
    pos += length;
  }
  if (pos !== bytes.length) throw new Error("a damaged interpreter snapshot");
  return out;
}

function addStaticData(snapshot, wasm) {
  let i = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = wasm[i++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const header = headerLength(snapshot);
  while (i < wasm.length) {
    const section = wasm[i++];
    const size = leb();
    if (section !== 11) {
      i += size;
      continue;
    }
    for (let count = leb(); count > 0; count--) {
      if (leb() !== 0 || wasm[i++] !== 0x41) throw new Error("a wasm data segment of an unknown kind");
      const at = header + leb();
      if (wasm[i++] !== 0x0b) throw new Error("a wasm data segment with an unknown offset");
      const length = leb();
      if (at + length > snapshot.length) throw new Error("the snapshot is smaller than the wasm's data");
      for (let k = 0; k < length; k++) snapshot[at + k] ^= wasm[i + k];
      i += length;
    }
    return snapshot;
  }
  throw new Error("the wasm has no data section");
}

// Started as soon as this module is evaluated, in parallel with Pyodide's own downloads (the wasm is
// fetched twice: the hosted folder's second request is answered from the cache, the single file's from
// the decoded block, web/embed.js).
const fetchBytes = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};
// Marks of each step's end (bench/boot.py reports them as the start-up's profile).
const marked = (name) => (value) => {
  performance.mark(name);
  return value;
};
const wasm = fetchBytes(WASM).then(marked("checker:wasm-fetched"));
wasm.catch(() => {}); // reported where it is awaited
// Compiled as soon as its bytes are here, while the snapshot is still being inflated: Pyodide would
// compile it only after that, on the way to the restore (see compiledWasm below).
const compiled = wasm.then((bytes) => WebAssembly.compile(bytes));
compiled.catch(() => {}); // Pyodide's own instantiation then reports the same failure
const snapshot = fetchBytes(SNAPSHOT).then(async (raw) => {
  const bytes = await gunzipIfNeeded(raw);
  if (!packed(bytes)) return bytes;
  return addStaticData(unpackRanges(bytes.subarray(MAGIC.length)), await wasm);
}).then(marked("checker:snapshot-inflated"));
snapshot.catch(() => {}); // reported where it is awaited

export const version = (await runtime).version;

// Pyodide's instantiateWasm hook adds two imports of its own and then instantiates the wasm it fetched
// (WebAssembly.instantiateStreaming, or instantiate on its bytes).  Around that one call — recognised by
// its imports object, the one Emscripten hands the hook — the module compiled above is instantiated
// instead; every other instantiation goes through untouched, and the originals are put back at once.
function compiledWasm(settings) {
  const hook = settings.instantiateWasm;
  if (typeof hook !== "function") return;
  settings.instantiateWasm = (imports, receive) => {
    const { instantiate, instantiateStreaming } = WebAssembly;
    const restore = () => {
      WebAssembly.instantiate = instantiate;
      WebAssembly.instantiateStreaming = instantiateStreaming;
    };
    const intercept = (original) =>
      function (source, using, ...rest) {
        if (using !== imports) return original.call(this, source, using, ...rest);
        restore();
        return compiled.then(
          async (module) => {
            performance.mark("checker:wasm-compiled-early");
            const instance = await instantiate(module, using);
            performance.mark("checker:wasm-instantiated");
            return { module, instance };
          },
          () => original.call(this, source, using, ...rest),
        );
      };
    WebAssembly.instantiate = intercept(instantiate);
    WebAssembly.instantiateStreaming = intercept(instantiateStreaming);
    try {
      return hook(imports, receive);
    } catch (error) {
      restore();
      throw error;
    }
  };
}

export async function loadPyodide(options = {}) {
  const { loadPyodide: load } = await runtime;
  let bytes = null;
  try {
    bytes = await snapshot;
  } catch (error) {
    console.warn("checker: no interpreter snapshot, starting Python from scratch:", error);
  }
  // The module is created here (Pyodide's createPyodideModule option), in both cases, so that it is
  // instantiated from the wasm compiled early (compiledWasm) and, with a snapshot, so that its memory
  // can be grown between instantiation and the restore: Pyodide copies the snapshot over the module's
  // memory, which starts at the wasm's own initial size, and the warm-up may have grown the heap
  // (Emscripten's own resize function grows it).
  const { default: createModule } = await import(base + "pyodide.asm.mjs");
  const needed = bytes ? bytes.length - headerLength(bytes) : 0;
  const createPyodideModule = async (settings) => {
    compiledWasm(settings);
    const module = await createModule(settings);
    if (module.HEAP8.length < needed && !(module._emscripten_resize_heap(needed) && module.HEAP8.length >= needed)) {
      throw new Error(`cannot grow Python's memory to the snapshot's ${needed} bytes`);
    }
    return module;
  };
  if (bytes) {
    // A failure here (the wasm did not load, memory ran out) is reported as it is: starting again
    // without the snapshot would meet the same failure, only later.
    const py = await load({ ...options, _loadSnapshot: bytes, createPyodideModule });
    performance.mark("checker:snapshot");
    return py;
  }
  const py = await load({ ...options, createPyodideModule });
  performance.mark("checker:no-snapshot");
  return py;
}
