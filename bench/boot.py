#!/usr/bin/env python3
"""Boot benchmark: cold-start time of the checker in Chromium, against a bare PyScript page.

    python bench/boot.py [--runs N]        (make bench)

For each page, N runs, each in a new Chromium process with a fresh profile (no HTTP cache, no
IndexedDB, no compiled-code cache), measuring the time from navigation start to
``performance.mark("checker:ready")``:
  - single_file: dist/message-checker.html over file://
  - site:        dist/site over http://127.0.0.1
  - bare_single_file / bare_site: a textarea + one Python function on the same pinned runtime and
    loader, built here with build.py's own functions, so the ratio shows what the checker itself
    costs on top of PyScript + Pyodide.
For the checker pages it also reports when its Python started (``checker:python``: the runtime is
up), how long the first check took (it compiles the rule catalogue) and the per-check time of
typical drafts after that.
Runs are interleaved across pages so that a noisy neighbour on the machine hits all of them alike.
Prints JSON on stdout.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
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
# Typical drafts for the per-check time (paste-sized, one check each).
CHECK_DRAFTS = [
    "Hello, thank you for your order 114-3941689-8772232. It shipped today and should arrive on Friday.",
    "Hi 😀 please add me on WhatsApp +1 555 123 4567 or write to john.doe@gmail.com for a faster refund.",
    "如果您删除差评，我们会给您全额退款。请联系我们的微信 kefu2024。",
    "Sehr geehrte Kundin, vielen Dank für Ihre Bestellung. Bei Fragen antworten Sie bitte einfach auf diese Nachricht.",
]


def ensure_dist() -> Path:
    dist = ROOT / "dist"
    stamp = dist / build.INPUTS_STAMP
    if not stamp.is_file() or stamp.read_text().strip() != build.input_digest(ROOT / "rules"):
        subprocess.run([sys.executable, str(ROOT / "build.py")], check=True, cwd=ROOT, stdout=sys.stderr)
    return dist


def build_bare(folder: Path) -> tuple[Path, Path]:
    """The bare page as a single file and as a site folder, from the same runtime as the product."""
    single_assets = build.runtime_assets(single=True)
    config = build.pyscript_config(single_assets, f"./{build.EMBED_DIR}", {})
    single = folder / "bare-single.html"
    single.write_text(
        build.render_single_page(single_assets, config, template="bench/bare.html", code=BARE_PY), "utf-8"
    )
    site = folder / "bare-site"
    site_assets = build.runtime_assets(single=False)
    for name in ("boot.js", "style.css"):
        site_assets.append(build.Asset(f"web/{name}", (ROOT / "web" / name).read_bytes()))
    for asset in site_assets:
        target = site / asset.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.data)
    config = build.pyscript_config(site_assets, "./", {})
    (site / "index.html").write_text(
        build.render_site_page(config, template="bench/bare.html", code=BARE_PY), "utf-8"
    )
    return single, site


def one_run(playwright, chromium: str, url: str, *, measure_checks: bool) -> dict:
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + 120
        while True:
            state = page.evaluate("() => document.documentElement.dataset.checker")
            if state != "loading":
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: not ready after 120 s")
            time.sleep(0.02)
        if state != "ready":
            status = page.evaluate("() => document.getElementById('checker-status').textContent")
            raise RuntimeError(f"{url}: {state}: {status}")
        result = page.evaluate(
            """() => {
                const at = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
                const first = performance.getEntriesByName('checker:check')[0];
                return {ready_ms: at('checker:ready'), python_ms: at('checker:python'),
                        first_check_ms: first ? first.duration : undefined};
            }"""
        )
        if measure_checks:
            durations = []
            for draft in CHECK_DRAFTS:
                before = page.evaluate("() => performance.getEntriesByName('checker:check').length")
                page.fill("#draft", draft)
                while page.evaluate("() => performance.getEntriesByName('checker:check').length") <= before:
                    time.sleep(0.01)
                durations.append(page.evaluate("() => performance.getEntriesByName('checker:check').at(-1).duration"))
            result["check_ms"] = durations
        return result
    finally:
        browser.close()


def summary(runs: list[dict]) -> dict:
    ready = [round(r["ready_ms"]) for r in runs]
    out = {"ready_ms": ready, "median_ms": round(statistics.median(ready))}
    for key in ("python_ms", "first_check_ms"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[f"median_{key}"] = round(statistics.median(values))
    checks = [d for r in runs for d in r.get("check_ms", [])]
    if checks:
        out["check_median_ms"] = round(statistics.median(checks), 1)
        out["check_max_ms"] = round(max(checks), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold runs per page (default 3)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    dist = ensure_dist()
    with tempfile.TemporaryDirectory(prefix="bench-boot-") as tmp:
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
        try:
            with sync_playwright() as playwright:
                version = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                chromium_version = version.version
                version.close()
                for _ in range(args.runs):
                    for name, url in pages.items():
                        for attempt in (1, 2):
                            try:
                                run = one_run(playwright, args.chromium, url, measure_checks=not name.startswith("bare"))
                                break
                            except Exception as err:  # a renderer crash under load: retried once, reported
                                crashes.append(f"{name}: {err}".splitlines()[0])
                                if attempt == 2:
                                    raise
                        runs[name].append(run)
        finally:
            for server in servers.values():
                server.shutdown()
                server.server_close()
        sizes = {
            "single_file_bytes": (dist / "message-checker.html").stat().st_size,
            "bare_single_file_bytes": bare_single.stat().st_size,
            "site_bytes": sum(p.stat().st_size for p in (dist / "site").rglob("*") if p.is_file()),
        }
    results = {name: summary(r) for name, r in runs.items()}
    report = {
        "browser": f"chromium {chromium_version}",
        "cpus": os.cpu_count(),
        "runs_per_page": args.runs,
        "measure": "ms from navigation start to performance.mark('checker:ready'), fresh browser profile per run",
        **sizes,
        "pages": results,
        "failed_runs_retried": crashes,
        "ratio_to_bare": {
            "single_file": round(results["single_file"]["median_ms"] / results["bare_single_file"]["median_ms"], 2),
            "site": round(results["site"]["median_ms"] / results["bare_site"]["median_ms"], 2),
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
