"""Compare the findings of two versions of the engine on the same rules: any difference is a regression.

    .venv/bin/python tools/compare_engines.py OLD_ROOT NEW_ROOT --rules RULES_DIR [--out DIR]
        [--only app/engine.py app/prefilter.py] [--quick]

``OLD_ROOT`` and ``NEW_ROOT`` are repository roots (e.g. a ``git worktree add /tmp/base HEAD`` copy and the
working tree). Each is imported in its own interpreter (both are called ``app``) and checks the same texts
with the catalogue loaded from ``RULES_DIR`` (a frozen copy of ``rules/``: another edit of the rules between
the two runs would show up as a difference). ``--only PATH…`` compares OLD with OLD plus only those files
taken from NEW, so concurrent edits of other files (views, report) in the working tree do not count.

Texts (inputs only; nothing is tuned on them): every message of ``tests/corpus/*.jsonl`` and
``tests/corpus/holdout/*.jsonl`` (from NEW_ROOT), every ``bad``/``good`` example of the rules (plain and
upper-cased), the corpus again with a forced ``lang`` and with ``own_terms``, seeded mash-ups of messages
with evasions ("w h a t s a p p", "john at gmail dot com", …), drafts of 2,000 to 100,000 characters made
by joining messages, hostile inputs (long runs of digits, dots, spaced letters), and typing sequences (every
few characters of two drafts).

OLD checks each text from scratch (``incremental=False``). NEW checks it from scratch and again through the
piece cache (``incremental=True``; warm from the texts before it, and for typing sequences exactly as the
page types); both must equal OLD. The reports (``to_dict()`` plus reminders) are written to
``DIR/old.json`` and ``DIR/new.json``; the script prints a summary and exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_WORKER = r"""
import json, sys, time
root, rules_dir, inp, out, both = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
sys.path.insert(0, root)
from app.catalogue import load_catalogue
from app.engine import check, clear_cache
cat = load_catalogue(rules_dir)
cases = json.load(open(inp, encoding="utf-8"))

def plain(x):
    if hasattr(x, "items"):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x

def shape(rep):
    return plain({"report": rep.to_dict(), "reminders": list(rep.reminders)})

res = []
t0 = time.process_time()
for case in cases:
    kw = {"lang": case.get("lang"), "own_terms": tuple(case.get("own_terms") or ())}
    if case.get("clear"):
        clear_cache(cat)
    item = {"fresh": shape(check(case["text"], catalogue=cat, incremental=False, **kw))}
    if both:
        item["cached"] = shape(check(case["text"], catalogue=cat, incremental=True, **kw))
    res.append(item)
json.dump({"cpu_s": time.process_time() - t0, "results": res}, open(out, "w", encoding="utf-8"), ensure_ascii=False)
"""

_EVASIONS = [
    "Add me on WhatsApp", "+1 555 123 4567", "john at gmail dot com", "w h a t s a p p", "wh@tsapp",
    "www dot shop dot com", "john [at] gmail [dot] com", "微信", "好评返现", "leave a 5-star review",
    "five five five one two three four", "一三八一二三四五六七八", "Telegram。@handle_12", "LINE ID: abc_123",
    "refund if you remove the review", "idiot", "Vielen Dank", "ご注文ありがとうございます", "😀", ":-)",
    "If you are happy, please leave a review!", "Not satisfied? Please contact us.", "ᴡʜᴀᴛsᴀᴘᴘ", "ＷｈａｔｓＡｐｐ",
    "Wh\u0430tsApp", "sk1pe", "t.me/shop", "bit.ly/x1", "DM us on Instagram", "4111 1111 1111 1111",
    "ıf you are happy, please leave a revıew!", "HAPPY? LEAVE 5 STARS", "order 123-1234567-1234567",
]


def _read_jsonl(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line)["text"])
            except (ValueError, KeyError, TypeError):
                continue
    return out


def _examples(rules_dir: Path, root: Path) -> list[str]:
    sys.path.insert(0, str(root))
    try:
        from app.catalogue import load_catalogue, parse_example
    finally:
        sys.path.pop(0)
    cat = load_catalogue(rules_dir)
    return [parse_example(ex)[0] for r in cat.rules for ex in (*r.bad, *r.good)]


def _join(messages: list[str], length: int, sep: str, stride: int) -> str:
    parts, size, i = [], 0, 0
    while size < length:
        m = messages[(i * stride) % len(messages)]
        parts.append(m)
        size += len(m) + len(sep)
        i += 1
    return sep.join(parts)[:length]


def build_cases(root: Path, rules_dir: Path, quick: bool = False) -> list[dict]:
    corpus_dir = root / "tests" / "corpus"
    corpus = [t for p in sorted(corpus_dir.glob("*.jsonl")) for t in _read_jsonl(p)]
    holdout = [t for p in sorted((corpus_dir / "holdout").glob("*.jsonl")) for t in _read_jsonl(p)]
    messages = corpus + holdout
    examples = _examples(rules_dir, root)
    rnd = random.Random(20261130)
    cases: list[dict] = [{"text": t, "kind": "corpus"} for t in messages]
    cases += [{"text": t, "kind": "example"} for t in examples]
    cases += [{"text": t.upper(), "kind": "example-upper"} for t in examples]
    langs = ["en", "de", "fr", "es", "it", "ja", "zh"]
    cases += [{"text": t, "lang": langs[i % 7], "kind": "lang"} for i, t in enumerate(messages[::3])]
    cases += [
        {"text": t, "own_terms": ["bestshop", "+1 555 123 4567", "my-store.com"], "kind": "own-terms"}
        for t in messages[::5]
    ]
    for _ in range(60 if quick else 300):
        parts = rnd.sample(messages, rnd.randint(1, 4)) + rnd.sample(_EVASIONS, rnd.randint(1, 4))
        rnd.shuffle(parts)
        seps = [" ", "\n", ". ", "。", "", "\n\n", "! "]
        cases.append({"text": "".join(p + rnd.choice(seps) for p in parts), "kind": "mashup"})
    lengths = (2000, 5000, 20000) if quick else (2000, 5000, 20000, 100000)
    for n in lengths:
        for sep, stride in ((" ", 37), ("\n", 11), ("\n\n", 53), ("", 7)):
            cases.append({"text": _join(messages, n, sep, stride), "kind": f"long-{n}", "clear": True})
    hostile = [
        "1 " * 5000, "1" * 20000, "a." * 5000, "w h a t s a p p " * 400, "@" * 3000, "at dot " * 2000,
        ("Call me at +1 555 123 4567. " * 400), ("x" * 30 + ". ") * 600, "。" * 4000, "\n" * 3000,
        "happy? " * 1500, ("好评返现微信" * 600),
    ]
    cases += [{"text": t, "kind": "hostile"} for t in hostile]
    for seed in range(2 if quick else 4):
        draft = _join(messages, 1500, rnd.choice([" ", "\n"]), 13 + seed)
        step = 11 if quick else 5
        cases.append({"text": draft[:1], "kind": f"typing-{seed}", "clear": True})
        cases += [{"text": draft[:i], "kind": f"typing-{seed}"} for i in range(1 + step, len(draft) + 1, step)]
    for seed in range(2 if quick else 6):
        draft = _join(messages, 800, " ", 17 + seed)
        for _ in range(40):
            i = rnd.randrange(len(draft) + 1)
            op = rnd.random()
            if op < 0.5:
                draft = draft[:i] + rnd.choice(_EVASIONS) + draft[i:]
            elif op < 0.8:
                draft = draft[:i] + draft[i + rnd.randint(1, 30):]
            else:
                draft = draft[:i] + rnd.choice(" .\n。!?") + draft[i:]
            cases.append({"text": draft, "kind": f"edits-{seed}"})
    return cases


def _overlay(old: Path, new: Path, only: list[str], tmp: Path) -> Path:
    """A copy of OLD's app/ (and rules-independent files) with ``only`` taken from NEW."""
    root = tmp / "overlay"
    shutil.copytree(old / "app", root / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for rel in only:
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(new / rel, dest)
    return root


def _run(root: Path, rules_dir: Path, cases_file: Path, out: Path, both: bool) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER, str(root), str(rules_dir), str(cases_file), str(out), "1" if both else "0"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker for {root} failed:\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _finding_keys(shape: dict) -> set:
    return {(f["rule"], f["start"], f["end"]) for f in shape["report"]["findings"]}


def compare(old_root: Path, new_root: Path, rules_dir: Path, out_dir: Path, only: list[str], quick: bool) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = build_cases(new_root, rules_dir, quick)
    cases_file = out_dir / "cases.json"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        new_side = _overlay(old_root, new_root, only, Path(tmp)) if only else new_root
        old = _run(old_root, rules_dir, cases_file, out_dir / "old.json", both=False)
        new = _run(new_side, rules_dir, cases_file, out_dir / "new.json", both=True)
    differing = 0
    shown = 0
    kinds: dict[str, int] = {}
    for case, a, b in zip(cases, old["results"], new["results"]):
        kinds[case["kind"].split("-")[0]] = kinds.get(case["kind"].split("-")[0], 0) + 1
        for mode in ("fresh", "cached"):
            if b[mode] != a["fresh"]:
                differing += 1
                if shown < 10:
                    shown += 1
                    gone = _finding_keys(a["fresh"]) - _finding_keys(b[mode])
                    extra = _finding_keys(b[mode]) - _finding_keys(a["fresh"])
                    print(f"DIFF [{case['kind']}, {mode}] missing={sorted(gone)} extra={sorted(extra)} "
                          f"text={case['text'][:120]!r}")
    findings = sum(len(r["fresh"]["report"]["findings"]) for r in old["results"])
    summary = {
        "texts": len(cases),
        "by_kind": kinds,
        "characters": sum(len(c["text"]) for c in cases),
        "old_findings": findings,
        "differing_reports": differing,
        "old_cpu_s": round(old["cpu_s"], 2),
        "new_cpu_s_fresh_and_cached": round(new["cpu_s"], 2),
    }
    print(json.dumps(summary, indent=2))
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old_root", type=Path)
    ap.add_argument("new_root", type=Path)
    ap.add_argument("--rules", type=Path, required=True, help="one frozen rules directory for both engines")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "compare-engines")
    ap.add_argument("--only", nargs="*", default=[], help="files taken from NEW_ROOT (the rest from OLD_ROOT)")
    ap.add_argument("--quick", action="store_true", help="fewer mash-ups, typing steps and long drafts")
    args = ap.parse_args(argv)
    return compare(args.old_root.resolve(), args.new_root.resolve(), args.rules.resolve(), args.out, args.only,
                   args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
