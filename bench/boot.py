#!/usr/bin/env python3
"""Speed benchmark of the checker in real Chromium, side by side with a bare PyScript page.

    python bench/boot.py [--runs N] [--quick] [--table FILE.json]        (make bench: 5 runs)

Pages (runs interleaved, the order rotated each round, every run in a new Chromium process with a
fresh profile: no HTTP cache, no IndexedDB, no compiled-code cache):
  - single_file: dist/message-checker.html over file://
  - site:        dist/site over http://127.0.0.1
  - bare_single_file / bare_site: a textarea + one Python function on the same pinned runtime,
    loader and CSP, built here with build.py's own functions (the baseline for the boot ratios).
Per run: navigation start -> performance.mark("checker:ready"); JS heap (CDP Performance.getMetrics
JSHeapUsedSize) and Python's wasm memory (pyodide._module.HEAP8.length, the interpreter reached
through PyScript's whenDefined("py")) right after boot.  On the checker pages, then: a realistic
2,000-character draft typed key by key (page.keyboard.type), every ``checker:check`` measure
collected; a 20,000- and a 100,000-character paste (one input event each, the engine's piece cache
cleared first so the paste is new text), each followed by one typed character (its check time, and
keydown -> end of that check).  Also: the single file's size, load average and a CPU calibration
figure at start and end (the machine is shared).  JSON on stdout, a markdown table on stderr.
A benchmark, not a test: it asserts nothing.  See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drafts  # noqa: E402  (bench/drafts.py: the pinned drafts, shared with bench/engine.py)
from tools.serve import make_server  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
BARE_PY = """\
import js
from pyodide.ffi import create_proxy

draft = js.document.getElementById("draft")
length = js.document.getElementById("length")


def show_length(_event=None):
    length.textContent = str(len(draft.value))


draft.addEventListener("input", create_proxy(show_length))
show_length()
js.document.documentElement.dataset.checker = "ready"
js.performance.mark("checker:ready")
"""
TYPED_CHARS = 2000
PASTES = (20_000, 100_000)
BOOT_TIMEOUT_S = 120
CHECK_TIMEOUT_S = 60
# Injected by the driver (not subject to the page's CSP): the time of the last keydown.
# When the last key went down, and how long it waited before the page could handle it (a main thread
# busy with a long check delays it: the figure says whether typing stays fluid).
INIT_SCRIPT = ("addEventListener('keydown', (e) => { window.__benchKeydown = performance.now();"
               " window.__benchKeyDelay = performance.now() - e.timeStamp; }, true);")
# The Python interpreter of the page, through PyScript's own module (an import map resolves the
# single file's virtual ./__embedded__/ URL), then pyodide's Emscripten module.
INTERPRETER_JS = """async () => {
    const boot = document.querySelector('script[data-pyscript]');
    if (!boot) return {error: 'no script[data-pyscript] in the page'};
    try {
        const core = await import(new URL(boot.dataset.pyscript, location.href).href);
        const py = await Promise.race([core.whenDefined('py'), new Promise(r => setTimeout(() => r(null), 5000))]);
        if (!py || !py.interpreter) return {error: 'whenDefined("py") gave no interpreter'};
        window.__benchPy = py.interpreter;
        const module = py.interpreter._module;
        return {wasm_bytes: module && module.HEAP8 ? module.HEAP8.length : null,
                error: module && module.HEAP8 ? null : 'interpreter._module.HEAP8 missing',
                pyodide: py.interpreter.version};
    } catch (error) { return {error: String(error && error.message || error)}; }
}"""
CLEAR_CACHE_JS = """() => {
    if (!window.__benchPy) return 'interpreter not reachable';
    return window.__benchPy.runPython(
        "try:\\n    from app.engine import clear_cache\\n    clear_cache()\\n    _r = 'ok'\\n"
        + "except Exception as _e:\\n    _r = repr(_e)\\n_r");
}"""
COUNT_JS = "() => performance.getEntriesByName('checker:check').length"
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def corpus_messages(*, lang: str | None = None) -> list[str]:
    """The pinned corpus messages (bench/drafts.py), or one fallback message."""
    return drafts.corpus_messages(lang=lang) or [
        "Hello, thank you for your order 123-1234567-1234567. We are sorry the blender arrived with a cracked "
        "jar. A replacement ships tomorrow with DHL; the tracking number will appear in Your Orders."
    ]


def draft_of(length: int, messages: list[str], *, stride: int = 1) -> str:
    """Whole messages, in paragraphs, cut at ``length`` characters (stride > 1 mixes languages)."""
    return drafts.join_messages(messages, length, sep="\n\n", stride=stride)


def typing_draft() -> str:
    # A seller's reply in one language: English corpus messages (clean and flagged ones).
    return draft_of(TYPED_CHARS, corpus_messages(lang="en"))


def paste_draft(length: int) -> str:
    # Pasted text: every language of the corpus, interleaved.
    messages = corpus_messages()
    return draft_of(length, messages, stride=drafts.stride_for(len(messages)))


def cpu_calibration() -> float:
    """ms of a fixed pure-Python loop in this process, best of 3 (higher = slower/busier machine)."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine_state() -> dict:
    return {"load_average": [round(x, 2) for x in os.getloadavg()], "cpu_calibration_ms": cpu_calibration()}


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def ensure_dist() -> Path:
    dist = ROOT / "dist"
    stamp = dist / build.INPUTS_STAMP
    if not stamp.is_file() or stamp.read_text().strip() != build.input_digest(ROOT / "rules"):
        subprocess.run([sys.executable, str(ROOT / "build.py")], check=True, cwd=ROOT, stdout=sys.stderr)
    return dist


def copy_dist(built: Path, folder: Path) -> Path:
    """A copy of dist/ in ``folder`` (returned): a build running meanwhile (others share the tree) must not
    swap files mid-run."""
    dist = folder / "dist"
    shutil.copytree(built / "site", dist / "site")
    shutil.copy2(built / "message-checker.html", dist / "message-checker.html")
    return dist


def build_bare(folder: Path) -> tuple[Path, Path]:
    """The bare page as a single file and as a site folder, from the same runtime as the product."""
    # Stock Pyodide started from scratch: the bare page has no snapshot (that is what it measures).
    stock = "pyodide/pyodide.mjs"
    single_assets = build.runtime_assets(single=True, snapshot_loader=False)
    config = build.pyscript_config(single_assets, f"./{build.EMBED_DIR}", {}, interpreter=stock)
    single = folder / "bare-single.html"
    single.write_text(
        build.render_single_page(single_assets, config, template="bench/bare.html", code=BARE_PY), "utf-8"
    )
    site = folder / "bare-site"
    site_assets = build.runtime_assets(single=False, snapshot_loader=False)
    site_assets += build.site_web_assets()  # every file the page template links, or the bare site logs a 404
    for asset in site_assets:
        target = site / asset.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.data)
    config = build.pyscript_config(site_assets, "./", {}, interpreter=stock)
    (site / "index.html").write_text(
        build.render_site_page(config, template="bench/bare.html", code=BARE_PY, preload=False), "utf-8"
    )
    return single, site


def poll(page, script: str, timeout: float, what: str):
    """page.evaluate until truthy (the page's CSP blocks wait_for_function)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


# Per check from index ``before`` on: its engine (app.check + report dict), render (the HTML) and page
# (the rest: writes into the DOM) parts, from the measures app/page.py takes inside ``checker:check``.
SPLIT_JS = """(before) => {
    const all = (name) => performance.getEntriesByName(name).slice(before);
    const checks = all('checker:check'), engine = all('checker:check-engine'), render = all('checker:check-render');
    if (engine.length !== checks.length || render.length !== checks.length) return null;
    return checks.map((c, i) => [engine[i].duration, render[i].duration,
                                 c.duration - engine[i].duration - render[i].duration]);
}"""

# Where the start-up's time goes: when each step ended, in ms after navigation (undefined when the page has
# no such step: the bare page, or the site without a snapshot).
PHASES_JS = """() => {
    const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? e.startTime : undefined; };
    const nav = performance.getEntriesByType('navigation')[0];
    return {document_parsed: nav ? nav.domInteractive : undefined,
            wasm_fetched: at('checker:wasm-fetched'), snapshot_inflated: at('checker:snapshot-inflated'),
            wasm_instantiated: at('checker:wasm-instantiated'), python_restored: at('checker:snapshot'),
            app_started: at('checker:python'), ready: at('checker:ready')};
}"""


def wait_check(page, before: int) -> dict:
    """Wait for the checks after index ``before`` to finish; the last one's duration and end time."""
    poll(page, f"() => performance.getEntriesByName('checker:check').length > {before}", CHECK_TIMEOUT_S, "a check")
    page.evaluate(FRAMES_JS)  # a check pending for the next frame has run
    return page.evaluate(
        """() => { const m = performance.getEntriesByName('checker:check').at(-1);
                   return {duration: m.duration, end: m.startTime + m.duration, keydown: window.__benchKeydown}; }"""
    )


def memory(page) -> dict:
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    finally:
        cdp.detach()
    py = page.evaluate(INTERPRETER_JS)
    return {"js_heap_used_bytes": metrics.get("JSHeapUsedSize"), "wasm_bytes": py.get("wasm_bytes"),
            "wasm_error": py.get("error"), "pyodide": py.get("pyodide")}


def type_draft(page, text: str) -> dict:
    page.click("#draft")
    before = page.evaluate(COUNT_JS)
    started = time.monotonic()
    page.keyboard.type(text)
    typed_s = time.monotonic() - started
    page.evaluate(FRAMES_JS)
    page.evaluate(FRAMES_JS)
    durations = page.evaluate(f"() => performance.getEntriesByName('checker:check').slice({before}).map(m => m.duration)")
    split = page.evaluate(SPLIT_JS, before)
    # The settling checks (app/page.py): the piece before the one typed, checked again when typing pauses.
    settles = page.evaluate("() => performance.getEntriesByName('checker:settle').map(m => m.duration)")
    value_ok = page.evaluate("(n) => document.getElementById('draft').value.length === n", len(text))
    return {"check_ms": durations, "split_ms": split, "settle_ms": settles, "typed_s": round(typed_s, 2), "draft_complete": value_ok}


def paste(page, text: str) -> dict:
    """Paste, type one key 50 ms later (while the paste is being checked), wait for the report of both."""
    cache = page.evaluate(CLEAR_CACHE_JS)
    steps_before = page.evaluate("() => performance.getEntriesByName('checker:long-step').length")
    # What a paste does: the new value and one input event (Playwright's fill inserts long text in
    # thousands of pieces, one input event each, which is not what a seller's paste does).
    started = page.evaluate(
        """(text) => { const area = document.getElementById('draft'); const t = performance.now();
                       area.focus(); area.value = text; area.setSelectionRange(text.length, text.length);
                       area.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
                       return t; }""", text)
    page.wait_for_timeout(50)
    page.keyboard.type("y")  # the caret is at the end
    keydown, key_delay = page.evaluate("() => [window.__benchKeydown, window.__benchKeyDelay]")
    units = len(text.encode("utf-16-le")) // 2 + 1  # the textarea counts UTF-16 code units
    poll(page, f"""() => {{ const m = performance.getEntriesByName('checker:check').at(-1);
                          return m && m.startTime > {keydown} && document.getElementById('draft').value.length === {units}
                                 && !document.getElementById('findings').classList.contains('stale'); }}""",
         CHECK_TIMEOUT_S, "the paste's report")
    page.evaluate(FRAMES_JS)
    shown = page.evaluate("() => { const m = performance.getEntriesByName('checker:check').at(-1);"
                          " return {duration: m.duration, end: m.startTime + m.duration}; }")
    last = page.evaluate(SPLIT_JS, page.evaluate(COUNT_JS) - 1)
    steps = page.evaluate(f"() => performance.getEntriesByName('checker:long-step').slice({steps_before}).map(m => m.duration)")
    before = page.evaluate(COUNT_JS)
    page.keyboard.type("x")
    typed = wait_check(page, before)
    return {"result_ms": shown["end"] - started, "final_check_ms": shown["duration"],
            # the engine's steps before the last one, and the last one (a whole check) split as above
            "steps": len(steps), "steps_ms": sum(steps),
            "final_split_ms": last[0] if last else None,
            "key_delay_while_checking_ms": key_delay,
            "next_check_ms": typed["duration"],
            "next_key_latency_ms": typed["end"] - typed["keydown"] if typed["keydown"] is not None else None,
            "cache_cleared": cache == "ok", "cache_note": None if cache == "ok" else cache}


def one_run(playwright, chromium: str, url: str, *, workload: bool, typed: str, pastes: dict[int, str]) -> dict:
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.add_init_script(INIT_SCRIPT)
        page.goto(url, wait_until="commit")
        state = poll(page, "() => document.documentElement.dataset.checker !== 'loading' && document.documentElement.dataset.checker",
                     BOOT_TIMEOUT_S, "checker:ready")
        if state != "ready":
            status = page.evaluate("() => document.getElementById('checker-status').textContent")
            raise RuntimeError(f"{url}: {state}: {status} {errors[:3]}")
        result = page.evaluate(
            """() => {
                const at = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
                const first = performance.getEntriesByName('checker:check')[0];
                return {ready_ms: at('checker:ready'), python_ms: at('checker:python'),
                        first_check_ms: first ? first.duration : undefined,
                        from_snapshot: performance.getEntriesByName('checker:snapshot').length === 1};
            }"""
        )
        result["phases"] = page.evaluate(PHASES_JS)
        result["memory"] = memory(page)
        if workload:
            result["typing"] = type_draft(page, typed)
            result["paste"] = {n: paste(page, text) for n, text in pastes.items()}
            result["memory_after_workload"] = memory(page)
        result["page_errors"] = errors
        return result
    finally:
        browser.close()


# --- statistics ------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with 5 runs, p95 is the slowest run)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def stats(values: list[float | None], digits: int = 1) -> dict | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    r = lambda v: round(v, digits) if digits else round(v)  # noqa: E731
    return {"median": r(statistics.median(values)), "p95": r(percentile(values, 95)), "max": r(max(values)),
            "n": len(values)}


def summarize(runs: dict[str, list[dict]], pastes: tuple[int, ...]) -> dict:
    out: dict = {"boot_ms": {}, "memory_after_boot": {}, "typing": {}, "paste": {}}
    for name, rs in runs.items():
        boot = stats([r["ready_ms"] for r in rs], 0)
        boot["runs"] = [round(r["ready_ms"]) for r in rs]
        boot["runs_from_snapshot"] = sum(1 for r in rs if r.get("from_snapshot"))
        py, first = stats([r.get("python_ms") for r in rs], 0), stats([r.get("first_check_ms") for r in rs])
        if py:
            boot["python_started_median"] = py["median"]
        if first:
            boot["first_check_median"] = first["median"]
        out["boot_ms"][name] = boot
        mem = [r["memory"] for r in rs]
        out["memory_after_boot"][name] = {
            "js_heap_used_bytes": stats([m["js_heap_used_bytes"] for m in mem], 0),
            "wasm_bytes": stats([m["wasm_bytes"] for m in mem], 0),
            "wasm_unreachable": sorted({m["wasm_error"] for m in mem if m["wasm_error"]}) or None,
        }
        work = [r for r in rs if "typing" in r]
        if not work:
            continue
        per_key = [d for r in work for d in r["typing"]["check_ms"]]
        out["typing"][name] = {
            "keystrokes": TYPED_CHARS * len(work), "checks": len(per_key), "p50_ms": round(statistics.median(per_key), 2),
            "p95_ms": round(percentile(per_key, 95), 2), "max_ms": round(max(per_key), 2),
            "over_16ms": sum(d > 16 for d in per_key),
            **settle_stats([d for r in work for d in r["typing"].get("settle_ms", ())]),
            "typing_s_median": round(statistics.median(r["typing"]["typed_s"] for r in work), 1),
            "draft_complete": all(r["typing"]["draft_complete"] for r in work),
        }
        out["paste"][name] = {
            str(n): {
                "result_ms": stats([r["paste"][n]["result_ms"] for r in work]),
                "final_check_ms": stats([r["paste"][n]["final_check_ms"] for r in work]),
                "key_delay_while_checking_ms": stats([r["paste"][n]["key_delay_while_checking_ms"] for r in work]),
                "next_check_ms": stats([r["paste"][n]["next_check_ms"] for r in work], 2),
                "next_key_latency_ms": stats([r["paste"][n]["next_key_latency_ms"] for r in work]),
                "cache_cleared": all(r["paste"][n]["cache_cleared"] for r in work),
            }
            for n in pastes
        }
        out["memory_after_workload"] = out.get("memory_after_workload", {})
        out["memory_after_workload"][name] = {
            "js_heap_used_bytes": stats([r["memory_after_workload"]["js_heap_used_bytes"] for r in work], 0),
            "wasm_bytes": stats([r["memory_after_workload"]["wasm_bytes"] for r in work], 0),
        }
    out["profile"] = profile(runs)
    out["boot_ratio_to_bare"] = {
        name: {q: round(out["boot_ms"][name][q] / out["boot_ms"][f"bare_{name}"][q], 2) for q in ("median", "p95")}
        for name in ("single_file", "site")
    }
    return out


def settle_stats(durations: list[float]) -> dict:
    """The settling checks while typing (``checker:settle``): how many, their p50 / p95 / max."""
    if not durations:
        return {"settle_checks": 0}
    return {"settle_checks": len(durations), "settle_p50_ms": round(statistics.median(durations), 2),
            "settle_p95_ms": round(percentile(durations, 95), 2), "settle_max_ms": round(max(durations), 2)}


def profile(runs: dict[str, list[dict]]) -> dict:
    """Where the time goes, from the page's own marks and measures: the start-up's steps (median time after
    navigation at which each ended), a keystroke check's parts (engine / render / page writes: median and p95
    of each, and the parts of the checks at or above the p95 of the whole), a paste's parts."""
    out: dict = {}
    for name, rs in runs.items():
        entry: dict = {}
        phases = [r.get("phases") or {} for r in rs]
        keys = phases[0].keys() if phases else ()
        entry["boot_step_ends_ms"] = {
            k: (stats([p.get(k) for p in phases], 0) or {}).get("median") for k in keys
        }
        splits = [tuple(x) for r in rs if "typing" in r for x in (r["typing"].get("split_ms") or ())]
        if splits:
            parts = ("engine", "render", "page")
            totals = sorted(sum(x) for x in splits)
            slow = [x for x in splits if sum(x) >= percentile(totals, 95)]
            entry["keystroke_ms"] = {
                part: {"p50": round(statistics.median(x[i] for x in splits), 2),
                       "p95": round(percentile([x[i] for x in splits], 95), 2),
                       "mean_in_slowest_5pct": round(statistics.mean(x[i] for x in slow), 2)}
                for i, part in enumerate(parts)
            }
        work = [r for r in rs if "paste" in r]
        if work:
            entry["paste_ms"] = {}
            for n in work[0]["paste"]:
                ps = [r["paste"][n] for r in work]
                finals = [p["final_split_ms"] for p in ps if p.get("final_split_ms")]
                entry["paste_ms"][str(n)] = {
                    "engine_steps_before_last": (stats([p.get("steps_ms") for p in ps]) or {}).get("median"),
                    "steps": (stats([p.get("steps") for p in ps], 0) or {}).get("median"),
                    **{f"last_check_{part}": round(statistics.median(f[i] for f in finals), 1) if finals else None
                       for i, part in enumerate(("engine", "render", "page"))},
                }
        out[name] = entry
    return out


def targets(report: dict) -> dict:
    """The issue's targets next to what was measured (informational: nothing is asserted)."""
    boot, ratio = report["boot_ms"]["single_file"], report["boot_ratio_to_bare"]["single_file"]
    big = report["paste"].get("single_file", {}).get(str(PASTES[-1]), {})
    rows = {
        "single_file_boot_median_ms <= 1500": boot["median"],
        "single_file_boot_ratio_to_bare <= 0.65": ratio["median"],
        "keystroke_check_p95_ms <= 4": max((report["typing"][n]["p95_ms"] for n in report["typing"]), default=None),
        "paste_100000_result_median_ms <= 300": (big.get("result_ms") or {}).get("median"),
        "single_file_bytes <= 8000000": report["sizes"]["single_file_bytes"],
    }
    out = {}
    for key, value in rows.items():
        limit = float(key.rsplit("<= ", 1)[1])
        out[key] = {"measured": value, "met": None if value is None else value <= limit}
    return out


def fmt(value, unit: str = "") -> str:
    return "–" if value is None else f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def markdown(report: dict) -> str:
    """The results table for README.md."""
    b, r, m = report["boot_ms"], report["boot_ratio_to_bare"], report["memory_after_boot"]
    mib = lambda s: None if not s else round(s["median"] / 2**20, 1)  # noqa: E731
    lines = [
        f"Measured {report['date']} on {report['machine']['cpu_model']} ({report['machine']['cpus']} CPUs, shared), "
        f"{report['browser']}, {report['runs_per_page']} cold runs per page; load average "
        f"{report['machine_start']['load_average'][0]} → {report['machine_end']['load_average'][0]}, CPU calibration "
        f"{report['machine_start']['cpu_calibration_ms']} → {report['machine_end']['cpu_calibration_ms']} ms.",
        "",
        "| Figure | single file (file://) | site (http) | bare PyScript: single / site |",
        "|---|---|---|---|",
        f"| Boot to `checker:ready`, median | {b['single_file']['median']} ms | {b['site']['median']} ms "
        f"| {b['bare_single_file']['median']} / {b['bare_site']['median']} ms |",
        f"| Boot to `checker:ready`, p95 | {b['single_file']['p95']} ms | {b['site']['p95']} ms "
        f"| {b['bare_single_file']['p95']} / {b['bare_site']['p95']} ms |",
        f"| Boot ratio to bare, median / p95 | {r['single_file']['median']} / {r['single_file']['p95']} "
        f"| {r['site']['median']} / {r['site']['p95']} | 1 |",
    ]
    t = report["typing"]
    if t:
        lines.append(
            f"| Keystroke check ({TYPED_CHARS:,}-char draft typed), p50 / p95 / max "
            f"| {t['single_file']['p50_ms']} / {t['single_file']['p95_ms']} / {t['single_file']['max_ms']} ms "
            f"| {t['site']['p50_ms']} / {t['site']['p95_ms']} / {t['site']['max_ms']} ms | – |"
        )
        st = lambda x: "–" if not x.get("settle_checks") else (  # noqa: E731
            f"{x['settle_checks']} checks, {x['settle_p50_ms']} / {x['settle_p95_ms']} / {x['settle_max_ms']} ms")
        lines.append(f"| … settling checks when typing pauses (the sentence before, again), p50 / p95 / max "
                     f"| {st(t['single_file'])} | {st(t['site'])} | – |")
        for n in PASTES:
            p = {name: report["paste"][name][str(n)] for name in ("single_file", "site")}
            cell = lambda x, k: f"{x[k]['median']} / {x[k]['p95']} ms"  # noqa: E731
            lines.append(f"| {n:,}-char paste: paste → report shown, median / p95 | {cell(p['single_file'], 'result_ms')} "
                         f"| {cell(p['site'], 'result_ms')} | – |")
            lines.append(f"| … a key typed 50 ms into it waits, median / p95 | {cell(p['single_file'], 'key_delay_while_checking_ms')} "
                         f"| {cell(p['site'], 'key_delay_while_checking_ms')} | – |")
            lines.append(f"| … its last step (check + render of the whole draft), median | {p['single_file']['final_check_ms']['median']} ms "
                         f"| {p['site']['final_check_ms']['median']} ms | – |")
            lines.append(f"| next keystroke after it: check / keydown→checked, median "
                         f"| {p['single_file']['next_check_ms']['median']} / {p['single_file']['next_key_latency_ms']['median']} ms "
                         f"| {p['site']['next_check_ms']['median']} / {p['site']['next_key_latency_ms']['median']} ms | – |")
    lines += [
        f"| JS heap used after boot, median | {mib(m['single_file']['js_heap_used_bytes'])} MiB "
        f"| {mib(m['site']['js_heap_used_bytes'])} MiB | {mib(m['bare_single_file']['js_heap_used_bytes'])} / "
        f"{mib(m['bare_site']['js_heap_used_bytes'])} MiB |",
        f"| Python wasm memory after boot, median | {fmt(mib(m['single_file']['wasm_bytes']))} MiB "
        f"| {fmt(mib(m['site']['wasm_bytes']))} MiB | {fmt(mib(m['bare_single_file']['wasm_bytes']))} / "
        f"{fmt(mib(m['bare_site']['wasm_bytes']))} MiB |",
        f"| Size | {report['sizes']['single_file_bytes']:,} bytes | {report['sizes']['site_bytes']:,} bytes "
        f"| {report['sizes']['bare_single_file_bytes']:,} bytes / – |",
    ]
    prof = report.get("profile") or {}
    if prof.get("single_file") and prof.get("site"):
        lines += ["", "Where the time goes (the page's own marks and measures, medians):", "",
                  "| Step | single file (file://) | site (http) |", "|---|---|---|"]
        labels = {"document_parsed": "document parsed", "wasm_fetched": "Python's wasm read",
                  "snapshot_inflated": "snapshot read and inflated", "wasm_instantiated": "wasm instantiated",
                  "python_restored": "Python restored from the snapshot", "app_started": "the app's first line runs",
                  "ready": "`checker:ready`"}
        for key, label in labels.items():
            a = prof["single_file"]["boot_step_ends_ms"].get(key)
            b = prof["site"]["boot_step_ends_ms"].get(key)
            lines.append(f"| boot: {label} at | {fmt(a, ' ms')} | {fmt(b, ' ms')} |")
        for part in ("engine", "render", "page"):
            a = prof["single_file"].get("keystroke_ms", {}).get(part)
            b = prof["site"].get("keystroke_ms", {}).get(part)
            cell = lambda x: "–" if not x else f"{x['p50']} / {x['p95']} / {x['mean_in_slowest_5pct']} ms"  # noqa: E731
            lines.append(f"| keystroke check, {part}: p50 / p95 / mean in the slowest 5 % | {cell(a)} | {cell(b)} |")
        for n in PASTES:
            a = prof["single_file"].get("paste_ms", {}).get(str(n))
            b = prof["site"].get("paste_ms", {}).get(str(n))
            cell = lambda x: "–" if not x else (  # noqa: E731
                f"{x['engine_steps_before_last']} ms in {x['steps']} steps; last: engine {x['last_check_engine']}, "
                f"render {x['last_check_render']}, page {x['last_check_page']} ms")
            lines.append(f"| {n:,}-char paste: engine steps, then the last check's parts | {cell(a)} | {cell(b)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=None, help="cold runs per page (default 5; at least 5 for the README)")
    parser.add_argument("--quick", action="store_true", help="2 runs per page (while developing; same figures)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the markdown table of a saved report and exit")
    args = parser.parse_args(argv)
    if args.table:
        print(markdown(json.loads(args.table.read_text("utf-8"))))
        return 0
    runs_per_page = args.runs or (2 if args.quick else 5)

    from playwright.sync_api import sync_playwright

    machine_start = machine_state()
    built = ensure_dist()
    typed = typing_draft()
    pastes = {n: paste_draft(n) for n in PASTES}
    with tempfile.TemporaryDirectory(prefix="bench-boot-") as tmp:
        dist = copy_dist(built, Path(tmp))
        bare_single, bare_site = build_bare(Path(tmp))
        servers = {name: make_server(folder) for name, folder in (("site", dist / "site"), ("bare_site", bare_site))}
        for server in servers.values():
            threading.Thread(target=server.serve_forever, daemon=True).start()
        pages = {
            "single_file": (dist / "message-checker.html").resolve().as_uri(),
            "site": f"http://127.0.0.1:{servers['site'].server_port}/",
            "bare_single_file": bare_single.resolve().as_uri(),
            "bare_site": f"http://127.0.0.1:{servers['bare_site'].server_port}/",
        }
        runs: dict[str, list[dict]] = {name: [] for name in pages}
        crashes: list[str] = []
        page_errors: list[str] = []
        try:
            with sync_playwright() as playwright:
                version = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                chromium_version = version.version
                version.close()
                names = list(pages)
                for round_no in range(runs_per_page):
                    # Interleaved, the order rotated each round: a noisy neighbour hits every page alike.
                    for name in names[round_no % len(names):] + names[:round_no % len(names)]:
                        for attempt in (1, 2):
                            try:
                                run = one_run(playwright, args.chromium, pages[name], workload=not name.startswith("bare"),
                                              typed=typed, pastes=pastes)
                                break
                            except Exception as err:  # a renderer crash under load: retried once, reported
                                crashes.append(f"{name}: {err}".splitlines()[0])
                                if attempt == 2:
                                    raise
                        page_errors += [f"{name}: {e}".splitlines()[0] for e in run.pop("page_errors")]
                        runs[name].append(run)
                        print(f"bench: {name} round {round_no + 1}/{runs_per_page}: ready {run['ready_ms']:.0f} ms",
                              file=sys.stderr)
        finally:
            for server in servers.values():
                server.shutdown()
                server.server_close()
        sizes = {
            "single_file_bytes": (dist / "message-checker.html").stat().st_size,
            "bare_single_file_bytes": bare_single.stat().st_size,
            "site_bytes": sum(p.stat().st_size for p in (dist / "site").rglob("*") if p.is_file()),
        }
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpu_model": cpu_model(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "browser": f"chromium {chromium_version}",
        "runs_per_page": runs_per_page,
        "machine_start": machine_start,
        "sizes": sizes,
        **summarize(runs, PASTES),
        "machine_end": machine_state(),
        "failed_runs_retried": crashes,
        "page_errors": page_errors,
    }
    report["targets"] = targets(report)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(markdown(report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
