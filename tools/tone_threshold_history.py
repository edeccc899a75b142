#!/usr/bin/env python3
"""Which tone-model threshold would have served the blind sets best, read with the model of their own day?

    .venv/bin/python tools/tone_threshold_history.py            # every group below; JSON on stdout, a table on stderr
    .venv/bin/python tools/tone_threshold_history.py 06bf429    # only the group first measured at this commit

Each blind group (four new authors' sets, README "How well it checks") was added to the holdout by one commit
and measured there once, before any rule was edited for it. The tone model shipped at that commit was trained on
the main corpus of the day, which never held the group: that model, with the rules of that commit, is what an
unseen author met. For each such commit the tree is extracted into a temporary folder (``git archive``) and a
child process of this interpreter checks every holdout message there with the model's threshold lowered to
``LOW``, keeping per message: is abusive expected / allowed / is the message clean; do the abusive phrase rules
flag it (block or warn, any rule but ``abusive.tone``); the highest model score among its ``abusive.tone``
findings; does any other category flag it. A message is then counted as flagged abusive at a threshold ``t``
when a phrase rule flags it or that score is above ``t`` (the model's findings at ``t`` are exactly its findings
at ``LOW`` that score above ``t``).

Thresholds compared: the shipped one, and those the trainer recorded in the same model file
(``thresholds_by_fpr``: "0.005" is the out-of-fold score exceeded by 0.5 % of the corpus's negative sentences,
"firm0.03" the one exceeded by 3 % of the firm look-alike messages) alone or the higher of two (``KEYS``). Per threshold: abusive messages found,
messages flagged abusive without that label ("false"), clean messages flagged by anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The commit that added each blind group to the holdout (its "measured once" commit), oldest first.
GROUPS = (
    ("7d7d683", "fy..gb"), ("c2e53ae", "gc..gf"), ("3a482c1", "gg..gj"), ("e1193fe", "gk..gn"),
    ("4f339ec", "go..gr"), ("474e480", "gs..gv"), ("d57b438", "gw..gz"), ("10fca1a", "ha..hd"),
    ("73d82a0", "he..hh"), ("2ff8b12", "hi..hl"), ("a852850", "hm..hp"), ("06bf429", "hq..ht"),
)
#: The threshold the child checks with (every threshold compared is above it).
LOW = 0.5
#: Thresholds compared: a key of ``thresholds_by_fpr``, or keys joined by "|" for the higher of them (the trainer's
#: rule: ``fpr`` and ``firm_fpr``; "0.003|firm0.02" was the shipped rule until 2026-12-06, "0.005|firm0.03" is it since).
KEYS = ("shipped", "0.003|firm0.02", "0.003|firm0.03", "0.004|firm0.03", "0.005|firm0.03", "firm0.03", "0.003",
        "0.004", "0.005", "0.0075", "0.01")

# Runs in the extracted tree (its app/, rules/, model and holdout), prints one JSON object.
_CHILD = r"""
import glob, json, math, sys
sys.path.insert(0, ".")
import app
from app import tone
low = float(sys.argv[1])
m = tone.load_model("tone")
shipped, by_fpr = m.threshold, m.meta.get("thresholds_by_fpr") or {}
m.threshold, m.margin = low, math.log(low / (1 - low))
rows = []
for path in sorted(glob.glob("tests/corpus/holdout/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        text = d["text"]
        found = [f for f in app.check(text).findings if f.severity in ("block", "warn")]
        rows.append({
            "id": d["id"], "abusive": "abusive" in d["expect"], "allowed": "abusive" in d.get("allow", []),
            "clean": d["expect"] == [],
            "rules": any(f.category == "abusive" and f.rule != "abusive.tone" for f in found),
            "score": max((m.score(text[f.start:f.end]) for f in found if f.rule == "abusive.tone"), default=0.0),
            "other": any(f.category != "abusive" for f in found),
        })
print(json.dumps({"shipped": shipped, "by_fpr": by_fpr, "rows": rows}))
"""


def read_group(commit: str) -> dict:
    """Check the holdout of ``commit`` with that commit's tree (see the module docstring)."""
    blob = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(blob)) as tar:
            tar.extractall(tmp, filter="data")
        out = subprocess.run([sys.executable, "-c", _CHILD, str(LOW)], cwd=tmp, check=True, capture_output=True,
                             text=True).stdout
    return json.loads(out)


def counts(rows: list[dict], t: float) -> dict:
    """Abusive found, flagged abusive without the label, clean flagged, at threshold ``t``."""
    flagged = [r["rules"] or r["score"] > t for r in rows]
    return {
        "abusive": sum(r["abusive"] for r in rows),
        "found": sum(f for f, r in zip(flagged, rows) if r["abusive"]),
        "false": sum(f for f, r in zip(flagged, rows) if not r["abusive"] and not r["allowed"]),
        "clean": sum(r["clean"] for r in rows),
        "clean_flagged": sum(f or r["other"] for f, r in zip(flagged, rows) if r["clean"]),
    }


def main(argv: list[str]) -> int:
    wanted = [g for g in GROUPS if not argv or g[0] in argv]
    if not wanted:
        print(f"unknown commit(s) {argv}: one of {[c for c, _ in GROUPS]}", file=sys.stderr)
        return 2
    result = {"low": LOW, "groups": [], "total": {}}
    for commit, name in wanted:
        data = read_group(commit)
        group = {"commit": commit, "group": name, "shipped": data["shipped"], "thresholds": {}}
        for key in KEYS:
            parts = [data["by_fpr"].get(k) for k in key.split("|")]
            t = data["shipped"] if key == "shipped" else None if None in parts else max(parts)
            if t is None:
                continue
            group["thresholds"][key] = {"t": t, **counts(data["rows"], t)}
            total = result["total"].setdefault(key, {"groups": 0, "abusive": 0, "found": 0, "false": 0,
                                                      "clean": 0, "clean_flagged": 0})
            total["groups"] += 1
            for k, v in counts(data["rows"], t).items():
                total[k] += v
        result["groups"].append(group)
        print(f"{name} ({commit}): " + " | ".join(
            f"{k} {v['t']:.3f}: {v['found']}/{v['abusive']} false {v['false']} clean {v['clean_flagged']}/{v['clean']}"
            for k, v in group["thresholds"].items()), file=sys.stderr)
    for key, v in result["total"].items():
        print(f"all {v['groups']} groups, {key}: abusive {v['found']}/{v['abusive']}, false {v['false']}, "
              f"clean flagged {v['clean_flagged']}/{v['clean']}", file=sys.stderr)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
