#!/usr/bin/env python3
"""Leave-one-author-out evaluation of the tone model (tools/train_tone.py, pure Python): does it find the
abusive messages a new author writes that the phrase rules of the time missed, and at what cost on that
author's clean messages?

    .venv/bin/python tools/tone_model_experiment.py                 # the three blind groups, the shipped parameters
    .venv/bin/python tools/tone_model_experiment.py --set positives=all --set other_weight=1

For each blind author group that is now part of the main corpus, with the rules of the revision that was
measured on it while it was still blind:

    t      rules at a36719c  (the commit that moved the -t set into the main corpus)
    s + r  rules at 3985bae
    q      rules at 37931f5

the model is trained exactly as the build trains it (same sentences, same parameters, the threshold from
its own cross-validation) but WITHOUT that group's messages, and with the rule examples and the "which
sentences do the abusive rules flag" of that old revision (the rules of today were partly written from the
group's misses). Then, on the group:

- ``abusive``: its messages labelled abusive; ``rules``: those the old rules flag abusive (block/warn);
  ``rules_or_model``: those the old rules or the model flag; ``model_alone``: those the model flags;
- ``clean_flagged``: clean messages (expect []) with a sentence the model flags (where no abusive rule did);
- ``other_flagged``: messages with other labels only (abusive neither expected nor allowed) the model flags.

Each figure is given for the thresholds at 0.3 %, 0.4 %, 0.5 %, 0.75 %, 1 % and 2 % out-of-fold false positives on the
corpus's negative sentences (the shipped model uses ``PARAMS["fpr"]``). The model's list of known-fine
sentences (training negatives it still flags, never flagged; see tools/train_tone.py) is built from the
training data of each run, for the shipped threshold, and applied at every threshold.

The -t/-s/-r/-q sets are in the main corpus now, so the other groups are training data when one is held
out (the earlier groups as well as the later ones).

Measured 2026-12-01 (main corpus and rules of that morning, the shipped parameters, seed 20261201):

    threshold (fpr)    group  abusive  rules  rules|model  model  clean flagged  other flagged
    0.3 % (shipped)    t           21      4            9      5     1 / 49         0 / 68
                       s+r         42     22           30     12     2 / 99         0 / 135
                       q           23     10           14      6     0 / 49         0 / 64
                       all         86     36           53     23     3 / 197        0 / 267
    0.5 %              all         86     36           59     31     4 / 197        1 / 267
    1 %                all         86     36           69     48     7 / 197        3 / 267
    2 %                all         86     36           77     59    12 / 197        6 / 267

With seed 7 (another SGD order and other folds): 56 / 3 of 197 at 0.3 %, 61 / 4 at 0.5 %, 72 / 9 at 1 %. The
clean messages flagged at 0.3 % quote the buyer's accusation ("Entendemos su enfado cuando escribe que somos
unos 'estafadores'", en-s17 the same) or are curt ("Non serve nessun abbonamento."). So the model ships on
(severity warn) at 0.3 %: it adds 17–20 of the 50 abusive messages the rules of the time missed, at 1.5 % of
clean messages (the bar was about 1 in 50). Variants measured on the same groups before choosing (at 1 %):
positives only the rule-flagged sentences of abusive messages, the others at weight 0.3: 64 / 3 of 197; at
weight 0: 59 / 3; every sentence weight 1 (shipped: it needs no engine run and its inputs are exactly the
corpus and the rules' examples): 68 / 4; averaging the last epochs' weights: 69 / 7. Choosing among these on
the same groups is itself a little tuning on them; the next blind set will say more.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import io
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import train_tone  # noqa: E402
from app import tone  # noqa: E402

GROUPS = (("t", ("t",), "a36719c"), ("s+r", ("s", "r"), "3985bae"), ("q", ("q",), "37931f5"))
FPRS = ("0.003", "0.004", "0.005", "0.0075", "0.01", "0.02")


def group_of(msg_id: str) -> str:
    return re.match(r"[a-z]{2}-([a-z]?)", msg_id).group(1) or "base"


def catalogue_at(rev: str):
    from app.catalogue import load_catalogue

    tmp = Path(tempfile.mkdtemp(prefix="tone-rules-"))
    blob = subprocess.run(["git", "archive", rev, "rules"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(tmp, filter="data")
    return load_catalogue(tmp / "rules")


def evaluate(name: str, letters: tuple[str, ...], rev: str, params: dict) -> dict:
    t0 = time.perf_counter()
    cat = catalogue_at(rev)
    messages = train_tone.load_corpus()
    held = [m for m in messages if group_of(m.id) in letters]
    rest = [m for m in messages if group_of(m.id) not in letters]
    data = train_tone.samples(rest, cat, params)
    model = train_tone.train(data, params)
    weights, bias = model["weights"], model["bias"]

    known_fine = set(model["known_fine"])

    def logit(sentence: str) -> float:
        if tone.sentence_key(sentence) in known_fine:
            return -1e9
        g = tone.grams(sentence)
        return bias + sum(weights.get(x, 0.0) for x in g) / math.sqrt(len(g)) if g else bias

    rows = []
    for m in held:
        flagged = train_tone.abusive_spans(m.text, cat)
        free = [(s, e) for s, e in tone.sentence_spans(m.text) if not any(a < e and s < b for a, b in flagged)]
        rows.append((m, bool(flagged), max((logit(m.text[s:e]) for s, e in free), default=-1e9)))
    abusive = [r for r in rows if "abusive" in r[0].expect]
    clean = [r for r in rows if not r[0].expect]
    other = [r for r in rows if r[0].expect and "abusive" not in r[0].expect and "abusive" not in r[0].allow]
    out = {"group": name, "rules_rev": rev, "messages": len(held), "abusive": len(abusive), "clean": len(clean),
           "other": len(other), "rules": sum(r[1] for r in abusive), "train_sentences": len(data),
           "seconds": round(time.perf_counter() - t0, 1), "by_fpr": {}}
    for fpr in FPRS:
        p = model["thresholds_by_fpr"][fpr]
        z = math.log(p / (1 - p))
        out["by_fpr"][fpr] = {
            "threshold": p,
            "rules_or_model": sum(r[1] or r[2] > z for r in abusive),
            "model_alone": sum(r[2] > z for r in abusive),
            "clean_flagged": sum(r[2] > z for r in clean),
            "clean_flagged_ids": [r[0].id for r in clean if r[2] > z],
            "other_flagged": sum(r[2] > z for r in other),
        }
    return out


def table(results: list[dict]) -> str:
    lines = []
    for fpr in FPRS:
        lines.append(f"threshold at {float(fpr):.1%} out-of-fold sentence false positives")
        lines.append(f"  {'group':6} {'thr':>6} {'abusive':>7} {'rules':>5} {'rules|model':>11} {'model':>5} "
                     f"{'clean flagged':>13} {'other flagged':>13}")
        tot = [0, 0, 0, 0, 0, 0, 0, 0]
        for r in results:
            f = r["by_fpr"][fpr]
            lines.append(f"  {r['group']:6} {f['threshold']:6.3f} {r['abusive']:7d} {r['rules']:5d} "
                         f"{f['rules_or_model']:11d} {f['model_alone']:5d} {f['clean_flagged']:>6d} / {r['clean']:<4d} "
                         f"{f['other_flagged']:>6d} / {r['other']:<4d}")
            for i, v in enumerate((r["abusive"], r["rules"], f["rules_or_model"], f["model_alone"],
                                   f["clean_flagged"], r["clean"], f["other_flagged"], r["other"])):
                tot[i] += v
        lines.append(f"  {'all':6} {'':>6} {tot[0]:7d} {tot[1]:5d} {tot[2]:11d} {tot[3]:5d} {tot[4]:>6d} / {tot[5]:<4d} "
                     f"{tot[6]:>6d} / {tot[7]:<4d}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a training parameter (JSON value), e.g. --set other_weight=1")
    ap.add_argument("--groups", default="t,s+r,q")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    params = dict(train_tone.PARAMS)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in params:
            ap.error(f"unknown parameter {key!r}: one of {sorted(params)}")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    wanted = args.groups.split(",")
    results = [evaluate(name, letters, rev, params) for name, letters, rev in GROUPS if name in wanted]
    print("parameters:", json.dumps(params, sort_keys=True))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"params": params, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
