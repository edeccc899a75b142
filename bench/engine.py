"""Benchmark of the rule engine on CPython: prints one JSON object.

    .venv/bin/python bench/engine.py [--repeat N] [--out FILE] [--pyodide] [--rules DIR] [--app-root DIR]

- ``corpus``: messages per second over every message in tests/corpus/*.jsonl (when present), one check
  per message, best of ``--repeat`` passes.
- ``catalogue``: cold start in a fresh interpreter (import + load) of the validating TOML loader and of the
  compiled catalogue the page loads, and the first check after each (lazy pattern compilation included).
- ``drafts``: median / p90 / min time of one ``check`` from scratch (``incremental=False``) on drafts of
  1,000, 4,000, 20,000 and 100,000 characters, built by joining corpus messages (so they read like real
  mail, in every language, clean and dirty; only the first ``PINNED`` of each file, so the drafts do not change
  as the corpus grows), or a fixed English text when there is no corpus; and the same
  draft checked again with the piece cache warm (``cached_ms_median``).
  ``cold_ms_median``: from scratch after ``clear_cache()`` (nothing remembered from earlier checks).
- ``typing``: a 2,000-character draft typed one character at a time, each keystroke checked with the cache
  (what the page does): p50 / p95 / max per keystroke.
- ``--pyodide``: the same catalogue, check and typing figures measured in Pyodide (Python 3.14, the page's
  runtime) under Node, without a browser (needs ``node`` and ``node_modules/pyodide``); wall time there.
- Times are CPU time of this process (``time.process_time``) next to wall time (``perf_counter``): the
  machine is shared, and CPU time is the steadier measure of what a check costs.
- ``--rules DIR`` checks with the catalogue of ``DIR`` instead of ``rules/``; ``--app-root DIR`` imports
  ``app`` from another checkout (``git worktree add /tmp/base <commit>``). Together they compare two
  engines on one frozen copy of the rules: run once with each ``--app-root``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _early_option(name: str) -> str | None:
    """An option needed before ``app`` is imported (``--app-root``)."""
    for i, arg in enumerate(sys.argv):
        if arg == name and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


APP_ROOT = Path(_early_option("--app-root") or ROOT).resolve()
sys.path.insert(0, str(APP_ROOT))

import app  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drafts  # noqa: E402  (bench/drafts.py: the pinned drafts, shared with bench/boot.py)
from app.engine import clear_cache as _clear_cache  # noqa: E402
from app.engine import default_catalogue as _default_catalogue  # noqa: E402

_CATALOGUE = None  # set by main(): the catalogue every check uses


def default_catalogue():
    return _CATALOGUE if _CATALOGUE is not None else _default_catalogue()


def check(text: str, **kw):
    return app.check(text, catalogue=default_catalogue(), **kw)


def clear_cache() -> None:
    _clear_cache(default_catalogue())

_FALLBACK = (
    "Hello, thank you for your order 123-1234567-1234567. We are sorry the blender arrived with a cracked "
    "jar. A replacement ships tomorrow with DHL; the tracking number will appear in Your Orders. If the "
    "new jar has any problem, please reply to this message and we will help right away. "
)


def corpus_messages(pinned: int | None = None) -> list[str]:
    """The texts of tests/corpus/<lang>.jsonl in file order (the first ``pinned`` of each file when given)."""
    return drafts.corpus_messages(pinned)


def draft_of(length: int, messages: list[str]) -> str:
    """A draft of exactly ``length`` characters made of whole corpus messages (cut at the end), languages
    interleaved (bench/drafts.py)."""
    source = messages or [_FALLBACK]
    return drafts.join_messages(source, length, sep=" ", stride=drafts.stride_for(len(source)))


def time_check(text: str, n: int) -> dict:
    cpu: list[float] = []
    wall: list[float] = []
    check(text, incremental=False)  # warm: patterns compiled, views' caches, lazy imports
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        check(text, incremental=False)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    cpu.sort()
    # Cold: every cache and memo of the engine cleared first (pieces, words' literals, findings), as for a
    # text never seen in this process.
    cold: list[float] = []
    for _ in range(max(3, n // 4)):
        clear_cache()
        c0 = time.process_time()
        check(text, incremental=False)
        cold.append((time.process_time() - c0) * 1000)
    cached: list[float] = []
    check(text)
    for _ in range(max(3, n // 4)):
        c0 = time.process_time()
        check(text)
        cached.append((time.process_time() - c0) * 1000)
    return {
        "chars": len(text),
        "runs": n,
        "cpu_ms_median": round(statistics.median(cpu), 4),
        "cpu_ms_p90": round(cpu[int(0.9 * (len(cpu) - 1))], 4),
        "cpu_ms_min": round(cpu[0], 4),
        "wall_ms_median": round(statistics.median(wall), 4),
        "cold_ms_median": round(statistics.median(cold), 4),
        "cached_ms_median": round(statistics.median(cached), 4),
    }


def typing(text: str) -> dict:
    """Type ``text`` one character at a time; time the cached check of each keystroke (CPU ms).

    As in the page: every pattern compiled first, and the objects alive then (the catalogue and its
    plan) frozen out of the cycle collector's sight (``gc.freeze()``, app/page.py does the same after
    start-up); without it a full collection walking the catalogue lands on some keystrokes
    (``unfrozen_cpu_ms_p95``, the same typing without the freeze, shows what that costs)."""
    import gc

    from app.engine import compile_all

    compile_all(default_catalogue())

    def run() -> list[float]:
        clear_cache()
        times: list[float] = []
        for i in range(1, len(text) + 1):
            draft = text[:i]
            c0 = time.process_time()
            check(draft)
            times.append((time.process_time() - c0) * 1000)
        times.sort()
        return times

    unfrozen = run()
    gc.collect()
    gc.freeze()
    try:
        times = run()
    finally:
        gc.unfreeze()
    return {
        "chars": len(text),
        "keystrokes": len(times),
        "cpu_ms_p50": round(statistics.median(times), 4),
        "cpu_ms_p95": round(times[int(0.95 * (len(times) - 1))], 4),
        "cpu_ms_max": round(times[-1], 4),
        "unfrozen_cpu_ms_p50": round(statistics.median(unfrozen), 4),
        "unfrozen_cpu_ms_p95": round(unfrozen[int(0.95 * (len(unfrozen) - 1))], 4),
    }


_COLD = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from app.catalogue import load_catalogue, load_compiled
{load}
t1 = time.perf_counter()
from app.engine import check
check({draft!r}, catalogue=cat)
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def cold_start(draft: str, runs: int = 3) -> dict:
    """Import + catalogue load in a fresh interpreter (best of ``runs``), and the first check after it."""
    import subprocess
    import tempfile

    from app.catalogue import compile_catalogue

    with tempfile.TemporaryDirectory() as tmp:
        compiled = Path(tmp) / "catalogue.compiled.json"
        compiled.write_bytes(compile_catalogue(default_catalogue()))
        loads = {
            # --rules: the same rules as every other figure (the working tree's may be mid-edit).
            "toml": f"cat = load_catalogue({str(_CATALOGUE.rules_dir) if _CATALOGUE is not None else None!r})",
            "compiled": f"cat = load_compiled(open({str(compiled)!r}, 'rb').read())",
        }
        out: dict = {"compiled_bytes": compiled.stat().st_size}
        for name, load in loads.items():
            best = None
            for _ in range(runs):
                code = _COLD.format(root=str(APP_ROOT), load=load, draft=draft)
                res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                load_ms, first_ms = map(float, res.stdout.split())
                if best is None or load_ms < best[0]:
                    best = (load_ms, first_ms)
            out[f"{name}_load_ms"] = round(best[0], 1)
            out[f"{name}_first_check_ms"] = round(best[1], 2)
    return out


def calibration_us() -> float:
    """A fixed pure-Python workload (µs, best of 5): compare it across machines before comparing checks.

    On an idle desktop it takes a few hundred µs; on a shared, busy machine several times more, and
    every number below scales with it.
    """
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        total = 0
        for i in range(20000):
            total += i & 7
        best = min(best, time.process_time() - t0)
    return round(best * 1e6, 1)


_PYODIDE_RUNNER = """
import fs from "node:fs";
import { loadProject, copyTree, isAppFile } from "%(root)s/tools/pyodide-project.mjs";

const { py, proj } = await loadProject();
// --app-root: the app of another checkout replaces this one's (same file names are overwritten).
if ("%(app_root)s" !== "%(root)s") copyTree(py, "%(app_root)s/app", proj + "/app", isAppFile);
// --rules: the project's rules are those of the run (the TOML loading figure reads them).
if ("%(rules)s") {
  for (const name of py.FS.readdir(proj + "/rules")) if (name.endsWith(".toml")) py.FS.unlink(proj + "/rules/" + name);
  for (const name of fs.readdirSync("%(rules)s")) {
    if (name.endsWith(".toml")) py.FS.writeFile(proj + "/rules/" + name, fs.readFileSync("%(rules)s/" + name));
  }
}
py.FS.writeFile(proj + "/catalogue.compiled.json", fs.readFileSync("%(compiled)s"));
py.globals.set("INPUT_JSON", fs.readFileSync("%(input)s", "utf-8"));
const out = await py.runPythonAsync(`
import json, sys, time, statistics
sys.path.insert(0, "${proj}")
inp = json.loads(INPUT_JSON)
res = {"version": sys.version.split()[0]}
t0 = time.perf_counter()
import app
from app.catalogue import load_catalogue, load_compiled
t1 = time.perf_counter()
res["import_ms"] = round((t1 - t0) * 1000, 1)
t0 = time.perf_counter(); toml = load_catalogue("${proj}/rules"); res["toml_load_ms"] = round((time.perf_counter() - t0) * 1000, 1)
t0 = time.perf_counter()
cat = load_compiled(open("${proj}/catalogue.compiled.json", "rb").read())
res["compiled_load_ms"] = round((time.perf_counter() - t0) * 1000, 1)
from app.engine import check, clear_cache
t0 = time.perf_counter(); check("", catalogue=cat); res["empty_check_ms"] = round((time.perf_counter() - t0) * 1000, 2)
t0 = time.perf_counter(); check(inp["d1000"], catalogue=cat); res["first_check_1000_ms"] = round((time.perf_counter() - t0) * 1000, 1)
def med(text, n):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); check(text, catalogue=cat, incremental=False); ts.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(ts), 2)
check(inp["d100000"], catalogue=cat, incremental=False)
res["scratch_ms"] = {str(len(inp[k])): med(inp[k], n) for k, n in (("d1000", 30), ("d4000", 10), ("d20000", 3), ("d100000", 1))}
clear_cache(cat)
t0 = time.perf_counter(); check(inp["d100000"], catalogue=cat); res["paste_100000_ms"] = round((time.perf_counter() - t0) * 1000, 1)
t0 = time.perf_counter(); check(inp["d100000"] + "x", catalogue=cat); res["paste_100000_then_keystroke_ms"] = round((time.perf_counter() - t0) * 1000, 1)
import gc
from app.engine import compile_all
compile_all(cat); gc.collect(); gc.freeze()  # as the page does after start-up (see typing())
clear_cache(cat)
d = inp["d2000"]; ks = []
for i in range(1, len(d) + 1):
    t0 = time.perf_counter(); check(d[:i], catalogue=cat); ks.append((time.perf_counter() - t0) * 1000)
ks.sort()
res["typing_2000"] = {"p50_ms": round(ks[len(ks) // 2], 3), "p95_ms": round(ks[int(0.95 * (len(ks) - 1))], 3), "max_ms": round(ks[-1], 2)}
json.dumps(res)
`);
process.stdout.write(out);
"""


def pyodide_bench(messages: list[str]) -> dict:
    """Catalogue load, checks and typing in Pyodide under Node (see ``--pyodide``)."""
    import shutil
    import subprocess
    import tempfile

    from app.catalogue import compile_catalogue

    pyodide = ROOT / "node_modules" / "pyodide"
    if shutil.which("node") is None or not (pyodide / "pyodide.mjs").exists():
        return {"skipped": "needs node and node_modules/pyodide"}
    with tempfile.TemporaryDirectory() as tmp:
        compiled = Path(tmp) / "catalogue.compiled.json"
        compiled.write_bytes(compile_catalogue(default_catalogue()))
        inp = Path(tmp) / "input.json"
        inp.write_text(json.dumps({f"d{n}": draft_of(n, messages) for n in (1000, 2000, 4000, 20000, 100000)}))
        runner = Path(tmp) / "run.mjs"
        runner.write_text(
            _PYODIDE_RUNNER % {"pyodide": pyodide, "root": ROOT, "app_root": APP_ROOT, "compiled": compiled, "input": inp,
                               "rules": _CATALOGUE.rules_dir if _CATALOGUE is not None else ""},
            encoding="utf-8",
        )
        proc = subprocess.run(["node", str(runner)], capture_output=True, text=True, timeout=1200)
        if proc.returncode != 0:
            return {"error": proc.stderr[-2000:]}
        return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus (best is reported)")
    ap.add_argument("--out", help="also write the JSON to this file")
    ap.add_argument("--pyodide", action="store_true", help="also measure in Pyodide under Node")
    ap.add_argument("--rules", help="rules directory to check with (default: rules/)")
    ap.add_argument("--app-root", help="import app from this checkout instead (compare two engines)")
    args = ap.parse_args(argv)

    global _CATALOGUE
    t0 = time.perf_counter()
    if args.rules:
        from app.catalogue import load_catalogue

        _CATALOGUE = load_catalogue(args.rules)
    cat = default_catalogue()
    load_ms = (time.perf_counter() - t0) * 1000
    messages = corpus_messages()

    result: dict = {
        "python": platform.python_version(),
        "app_root": str(APP_ROOT),
        "rules_dir": str(cat.rules_dir),
        "implementation": platform.python_implementation(),
        "rules": len(cat.rules),
        "patterns": sum(len(r.patterns) for r in cat.rules),
        "catalogue_load_ms": round(load_ms, 1),
        "calibration_us": calibration_us(),
    }
    if messages:
        for m in messages:
            check(m, incremental=False)
        best = None
        for _ in range(max(1, args.repeat)):
            c0 = time.process_time()
            for m in messages:
                check(m, incremental=False)
            dt = time.process_time() - c0
            best = dt if best is None else min(best, dt)
        result["corpus"] = {
            "messages": len(messages),
            "mean_chars": round(sum(map(len, messages)) / len(messages), 1),
            "messages_per_s": round(len(messages) / best, 1),
            "cpu_ms_per_message": round(best * 1000 / len(messages), 4),
        }
    pinned = corpus_messages(drafts.PINNED)
    result["drafts_from"] = f"the first {drafts.PINNED} messages of each corpus file ({len(pinned)})"
    result["catalogue"] = cold_start(draft_of(1000, pinned))
    result["drafts"] = [
        time_check(draft_of(n, pinned), runs) for n, runs in ((1000, 200), (4000, 50), (20000, 10), (100000, 3))
    ]
    result["typing"] = typing(draft_of(2000, pinned))
    if args.pyodide:
        result["pyodide"] = pyodide_bench(pinned)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
