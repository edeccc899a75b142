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

const runtime = import(base + "pyodide.mjs");

async function gunzipIfNeeded(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Started as soon as this module is evaluated, in parallel with Pyodide's own downloads.
const snapshot = fetch(SNAPSHOT).then(async (response) => {
  if (!response.ok) throw new Error(`${SNAPSHOT}: HTTP ${response.status}`);
  return gunzipIfNeeded(new Uint8Array(await response.arrayBuffer()));
});
snapshot.catch(() => {}); // reported where it is awaited

export const version = (await runtime).version;

export async function loadPyodide(options = {}) {
  const { loadPyodide: load } = await runtime;
  let bytes = null;
  try {
    bytes = await snapshot;
  } catch (error) {
    console.warn("checker: no interpreter snapshot, starting Python from scratch:", error);
  }
  if (bytes) {
    // Pyodide copies the snapshot over the module's memory, which starts at the wasm's own initial
    // size; a snapshot of a grown heap (the warm-up may grow it) needs the memory grown first.  The
    // module is created here (Pyodide's createPyodideModule option) so its memory can be grown, with
    // Emscripten's own resize function, between instantiation and the restore.
    const { default: createModule } = await import(base + "pyodide.asm.mjs");
    const header = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
    const needed = bytes.length - header;
    const createPyodideModule = async (settings) => {
      const module = await createModule(settings);
      if (module.HEAP8.length < needed && !(module._emscripten_resize_heap(needed) && module.HEAP8.length >= needed)) {
        throw new Error(`cannot grow Python's memory to the snapshot's ${needed} bytes`);
      }
      return module;
    };
    // A failure here (the wasm did not load, memory ran out) is reported as it is: starting again
    // without the snapshot would meet the same failure, only later.
    const py = await load({ ...options, _loadSnapshot: bytes, createPyodideModule });
    performance.mark("checker:snapshot");
    return py;
  }
  const py = await load(options);
  performance.mark("checker:no-snapshot");
  return py;
}
