/* Page boot (classic script in <head>, identical in both outputs).
 *
 * Runs before first paint so that the page is usable at once and honest about its state:
 *   - any start-up failure (a runtime file that did not load, a CSP refusal, or the Python side
 *     calling checkerFailed) turns <html data-checker="loading"> into "error" with the reason on
 *     screen, instead of a page that silently never checks anything;
 *   - the highlight layer follows the textarea's scrolling (pure presentation, so it stays in JS
 *     and costs Python nothing);
 *   - PyScript is imported as soon as the page's content is parsed: it reads the <script type="py">
 *     tags (first in <body>) when it loads, so those must exist, but it need not wait for the
 *     megabytes of embedded runtime at the end of the single file.  Python itself (app/page.py)
 *     marks the page "ready".
 */
(() => {
  "use strict";
  const root = document.documentElement;
  const pyscriptURL = new URL(document.currentScript.dataset.pyscript, location.href).href;
  const STARTUP_LIMIT_MS = 60000;

  function fail(reason) {
    const state = root.dataset.checker;
    if (state !== "loading") {
      // After "ready" the page keeps working; page.py reports errors of a single check itself.
      console.error("checker:", reason);
      return;
    }
    root.dataset.checker = "error";
    const box = document.getElementById("checker-status");
    if (box) {
      box.hidden = false;
      box.className = "status error";
      box.textContent = "检查器未能启动 · The checker could not start: " + reason;
    }
  }
  // page.py calls this when its own start-up fails.
  window.checkerFailed = fail;

  const describe = (error) => (error && (error.message || String(error))) || "unknown error";
  addEventListener("error", (event) => {
    // A <script>/<link> that failed to load fires a non-bubbling error caught here in capture.
    const el = event.target;
    if (el && el !== window && (el.src || el.href)) {
      // An optional download (the interpreter snapshot) only makes start-up faster; its loader
      // falls back without it (web/pyodide-snapshot.mjs).
      if (el.dataset && "optional" in el.dataset) return;
      fail("could not load " + (el.src || el.href));
    }
    else fail(describe(event.error || event.message));
  }, true);
  addEventListener("unhandledrejection", (event) => fail(describe(event.reason)));
  addEventListener("securitypolicyviolation", (event) => {
    fail("blocked by the Content-Security-Policy (" + event.effectiveDirective + "): " + (event.blockedURI || "inline"));
  });

  // "Failed to fetch" alone does not say what is missing: name the file in the error.
  const baseFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    return baseFetch(input, init).catch((error) => {
      const url = input instanceof Request ? input.url : String(input);
      throw new TypeError(describe(error) + " (" + url + ")");
    });
  };

  document.addEventListener("scroll", (event) => {
    const draft = event.target;
    if (draft.id !== "draft") return;
    const layer = document.getElementById("highlights");
    layer.scrollTop = draft.scrollTop;
    layer.scrollLeft = draft.scrollLeft;
    // The layer's content is the last check's: when the textarea scrolled past its end (a new last
    // line typed, a paste) the layer could not follow; the next check re-syncs it (app/page.py).
    if (layer.scrollTop !== draft.scrollTop) layer.dataset.behind = "true";
  }, true);

  function start() {
    const embedded = window.__embedded;
    (embedded ? embedded.ready : Promise.resolve())
      .then(() => import(pyscriptURL))
      .catch((error) => fail("PyScript did not load: " + describe(error)));
    setTimeout(() => fail("Python did not start within " + STARTUP_LIMIT_MS / 1000 + " s"), STARTUP_LIMIT_MS);
  }
  // #draft comes after the Python tags in the document, so once it exists they are complete.
  const contentParsed = () => document.getElementById("draft") || document.readyState !== "loading";
  if (contentParsed()) start();
  else {
    const watcher = new MutationObserver(() => {
      if (!contentParsed()) return;
      watcher.disconnect();
      start();
    });
    watcher.observe(document.documentElement, { childList: true, subtree: true });
  }
})();
