#!/usr/bin/env python3
"""Where a cold start's time goes, by function: a CPU profile of the checker's start-up in real Chromium.

    python bench/boot_profile.py [--page site|single_file] [--runs N] [--top N]

Each run opens the built page (dist/site over http://127.0.0.1, or dist/message-checker.html over
file://) in a new Chromium with a fresh profile, records a sampling CPU profile (Chrome DevTools
Protocol ``Profiler``, 100 µs interval) from navigation to ``checker:ready``, and cuts the samples into
the start-up's steps by the page's own marks (bench/boot.py's profile table: document parsed, wasm
read, snapshot inflated, wasm instantiated, Python restored, the app's first line, ready). Per step it
reports the sampled time by kind (JavaScript by script, WebAssembly, garbage collection, the browser's
own work outside JavaScript: "(program)", idle) and the heaviest functions by self time, medians over
the runs. JSON on stdout. A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import boot  # noqa: E402  (bench/boot.py: the same pages, server, Chromium flags and marks)

STEPS = ("document_parsed", "wasm_fetched", "snapshot_inflated", "wasm_instantiated", "python_restored",
         "app_started", "ready")


def kind_of(node: dict) -> str:
    frame = node["callFrame"]
    name, url = frame.get("functionName") or "", frame.get("url") or ""
    if name in ("(program)", "(idle)", "(garbage collector)", "(root)"):
        return name
    if url.startswith("wasm://") or ".wasm" in url:
        return "wasm"
    if not url:
        return "js (native or eval)"
    return "js " + url.rsplit("/", 1)[-1].split("?")[0][:60]


def one_run(playwright, chromium: str, url: str) -> dict:
    browser = playwright.chromium.launch(executable_path=chromium, args=boot.CHROMIUM_ARGS)
    try:
        page = browser.new_context().new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        page.goto(url, wait_until="commit")
        state = boot.poll(page, "() => document.documentElement.dataset.checker !== 'loading' && document.documentElement.dataset.checker",
                          boot.BOOT_TIMEOUT_S, "checker:ready")
        if state != "ready":
            raise RuntimeError(f"{url}: {state}")
        prof = cdp.send("Profiler.stop")["profile"]
        phases = page.evaluate(boot.PHASES_JS)
    finally:
        browser.close()
    nodes = {n["id"]: n for n in prof["nodes"]}
    t = prof["startTime"]
    # Samples' absolute times (µs); the profile starts at Profiler.start, just before navigation: the first
    # sample is taken as the navigation's start (a few ms early at most).
    times = []
    for delta in prof["timeDeltas"]:
        t += delta
        times.append(t)
    origin = times[0] if times else 0
    bounds = [(name, phases.get(name)) for name in STEPS if phases.get(name) is not None]
    steps: dict[str, dict] = {name: {"kinds": collections.Counter(), "functions": collections.Counter()}
                              for name, _ in bounds}
    steps["after_ready"] = {"kinds": collections.Counter(), "functions": collections.Counter()}
    for i, sample in enumerate(prof["samples"]):
        ms = (times[i] - origin) / 1000
        dt = (times[i + 1] - times[i]) / 1000 if i + 1 < len(times) else 0
        step = next((name for name, end in bounds if ms <= end), "after_ready")
        node = nodes[sample]
        kind = kind_of(node)
        steps[step]["kinds"][kind] += dt
        frame = node["callFrame"]
        if kind not in ("(idle)", "(program)", "(garbage collector)", "(root)"):
            label = f"{frame.get('functionName') or '(anonymous)'} [{(frame.get('url') or '').rsplit('/', 1)[-1][:40]}]"
            steps[step]["functions"][label] += dt
    return {"phases": phases, "steps": steps, "profiled_ms": round((times[-1] - origin) / 1000) if times else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", choices=("site", "single_file"), default="site")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=8, help="functions listed per step")
    parser.add_argument("--chromium", default=boot.os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    built = boot.ensure_dist()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        dist = boot.copy_dist(built, Path(tmp))
        server = boot.make_server(dist / "site")
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = (f"http://127.0.0.1:{server.server_port}/" if args.page == "site"
               else (dist / "message-checker.html").resolve().as_uri())
        with sync_playwright() as playwright:
            runs = [one_run(playwright, args.chromium, url) for _ in range(args.runs)]
        server.shutdown()
    out: dict = {"page": args.page, "runs": args.runs, "machine": boot.machine_state(),
                 "step_ends_ms": {k: round(statistics.median(r["phases"][k] for r in runs))
                                  for k in STEPS if all(r["phases"].get(k) is not None for r in runs)},
                 "steps": {}}
    names = [n for n in (*STEPS, "after_ready") if any(n in r["steps"] for r in runs)]
    for name in names:
        per = [r["steps"].get(name, {"kinds": {}, "functions": {}}) for r in runs]
        kinds = sorted({k for p in per for k in p["kinds"]})
        funcs = collections.Counter()
        for p in per:
            funcs.update(p["functions"])
        out["steps"][name] = {
            "sampled_ms_by_kind": {k: round(statistics.median(p["kinds"].get(k, 0) for p in per), 1)
                                   for k in sorted(kinds, key=lambda k: -sum(p["kinds"].get(k, 0) for p in per))},
            "top_functions_self_ms_mean": {f: round(v / len(per), 1) for f, v in funcs.most_common(args.top)},
        }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
