// Pyodide under Node with this repository's Python copied into its in-memory file system, laid out as
// the page's build unpacks it (/home/pyodide/proj/app, …/rules). Used by bench/engine.py --pyodide and
// tests/test_appeal_pyodide.py, which run the same Python the browser runs without a browser.
import { loadPyodide } from "../node_modules/pyodide/pyodide.mjs";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The files of app/ the page runs: Python, the rewrites and templates, and .json (app/tone_model.json, the
// tone model the page ships: without it the model rule finds nothing and costs nothing, and Pyodide timings
// leave out its share).
export const isAppFile = (name) => /\.(py|toml|j2|json)$/.test(name);

// Copy the tree ``src`` (host) to ``dst`` (Pyodide's file system), the files whose name ``keep`` accepts.
export function copyTree(py, src, dst, keep) {
  py.FS.mkdirTree(dst);
  for (const name of fs.readdirSync(src)) {
    if (name === "__pycache__") continue;
    const s = path.join(src, name), d = dst + "/" + name;
    if (fs.statSync(s).isDirectory()) copyTree(py, s, d, keep);
    else if (keep(name)) py.FS.writeFile(d, fs.readFileSync(s));
  }
}

// packages: {name: folder} of pure-Python packages to copy next to app/ (e.g. jinja2 from site-packages).
export async function loadProject({ packages = {} } = {}) {
  const py = await loadPyodide({ indexURL: path.join(ROOT, "node_modules", "pyodide") + "/" });
  const proj = "/home/pyodide/proj";
  copyTree(py, path.join(ROOT, "app"), proj + "/app", isAppFile);
  copyTree(py, path.join(ROOT, "rules"), proj + "/rules", (n) => n.endsWith(".toml"));
  for (const [name, folder] of Object.entries(packages)) copyTree(py, folder, proj + "/" + name, (n) => n.endsWith(".py"));
  return { py, proj };
}
