/* Single-file runtime shim (only in dist/message-checker.html).
 *
 * Chromium refuses every fetch()/module import from a page opened as file://, so the runtime
 * (PyScript, Pyodide, the app's Python) is embedded in <script type="application/octet-stream"
 * id="emb:NAME"> blocks, gzip + base64.  This shim serves them under a virtual folder BASE
 * (./__embedded__/, inside the page's own folder: a name we forgot to embed becomes a blocked
 * file:// request or a 404, never a request to another host):
 *   - fetch(BASE + name) is answered from the block (Pyodide fetches its wasm, stdlib zip and lock
 *     file this way; PyScript fetches the `files` of its config);
 *   - module imports of BASE + name go to blob: URLs through an import map, because imports never
 *     pass through fetch().
 * The JS modules' blocks precede this script in <head>, so the import map is inserted at once,
 * before any module is imported; it carries this script's nonce since its blob: URLs are random
 * and cannot be hashed into the Content-Security-Policy.  The big blocks (snapshot, wasm, stdlib,
 * the app) sit at the end of <body>: a fetch for one the parser has not read past yet waits for it.
 */
(() => {
  "use strict";
  const BASE = new URL("./__embedded__/", location.href).href;
  const nonce = document.currentScript.nonce;
  // Blocks fetched twice (data-shared="name …": the wasm, by Pyodide and by the snapshot loader): the
  // first decode is kept for the second fetch, then dropped.
  const shared = new Set((document.currentScript.dataset.shared || "").split(" ").filter(Boolean));
  const MIME = {
    wasm: "application/wasm", // Pyodide uses WebAssembly.instantiateStreaming, which insists on it
    mjs: "text/javascript",
    js: "text/javascript",
    json: "application/json",
    zip: "application/zip",
    whl: "application/zip",
  };
  const mimeOf = (name) => MIME[name.slice(name.lastIndexOf(".") + 1)] || "application/octet-stream";

  const fromBase64 = Uint8Array.fromBase64
    ? (text) => Uint8Array.fromBase64(text)
    : (text) => {
        const bin = atob(text);
        const out = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      };


  // A block is complete once the parser has moved past it (it has a next sibling) or the document is
  // parsed; before that its text may be cut short.  While the page is parsed, every block marked
  // data-preload starts decoding the moment it is complete, and a fetch waits only for its own block:
  // the first big ones (wasm, snapshot: build.py puts them first) are decoded, and the wasm compiled,
  // while the parser is still reading the rest of the file.
  const waiting = new Map(); // name -> resolvers of blocks not complete yet
  const blockOf = (name) => document.getElementById("emb:" + name);
  const complete = (block) => document.readyState !== "loading" || (block && block.nextSibling !== null);
  function settle() {
    for (const [name, resolvers] of waiting) {
      const block = blockOf(name);
      if (!complete(block)) continue;
      waiting.delete(name);
      for (const resolve of resolvers) resolve(block); // null: not in this file
    }
    for (const block of document.querySelectorAll('script[type="application/octet-stream"][data-preload]')) {
      const name = block.id.slice(4);
      if (complete(block) && !early.has(name) && !requested.has(name)) early.set(name, decode(name, true));
    }
    if (document.readyState !== "loading") observer.disconnect();
  }
  const observer = new MutationObserver(settle);
  if (document.readyState === "loading") {
    observer.observe(document, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", settle, { once: true });
  }
  function whenComplete(name, parsed) {
    const block = blockOf(name);
    if (parsed || complete(block)) return Promise.resolve(block);
    return new Promise((resolve) => waiting.set(name, [...(waiting.get(name) || []), resolve]));
  }

  // Decoded on demand and not kept: the base64 text stays in the DOM, so the ~13 MB of decoded
  // runtime is not held twice after Pyodide has taken its copy.
  // `parsed`: the block is known to be complete (the module blocks precede this script).
  async function decode(name, parsed = false) {
    const block = await whenComplete(name, parsed);
    if (!block) return null;
    const raw = fromBase64(block.textContent);
    if (block.dataset.enc !== "gzip") return raw;
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  // Preloaded blocks (see settle): the first fetch takes the pending result (a shared block keeps it for
  // its second fetch); later ones decode again.
  const early = new Map();
  const requested = new Set(); // fetched before the document was parsed: already on its way
  const take = (name) => {
    const pending = early.get(name) || decode(name);
    if (shared.delete(name)) early.set(name, pending);
    else early.delete(name);
    requested.add(name);
    return pending;
  };

  const missing = (name) =>
    new Response("not embedded in this file: " + name, { status: 404, statusText: "Not Found" });

  const realFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = function (input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    url.search = "";
    url.hash = "";
    if (!url.href.startsWith(BASE)) return realFetch(input, init);
    const name = decodeURIComponent(url.href.slice(BASE.length));
    const body = take(name);
    if (!body) return Promise.resolve(missing(name));
    return body.then((bytes) =>
      bytes ? new Response(bytes, { status: 200, headers: { "Content-Type": mimeOf(name) } }) : missing(name),
    );
  };

  async function importMap() {
    const blocks = document.querySelectorAll('script[type="application/octet-stream"][data-module]');
    const imports = {};
    await Promise.all(
      Array.from(blocks, async (block) => {
        const name = block.id.slice(4);
        const bytes = await decode(name, true);
        imports[BASE + name] = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
      }),
    );
    const map = document.createElement("script");
    map.type = "importmap";
    map.nonce = nonce;
    map.textContent = JSON.stringify({ imports });
    document.head.append(map);
  }

  window.__embedded = Object.freeze({ base: BASE, ready: importMap() });
})();
