#!/usr/bin/env python3
"""Would a learned model (like the tone model) help one category on messages nobody tuned the rules on?

    .venv/bin/python tools/intent_model_experiment.py off-platform
    .venv/bin/python tools/intent_model_experiment.py marketing --firm letters

Trains a sentence model for CATEGORY exactly as tools/train_tone.py trains the shipped ones (same sentences,
parameters and threshold rule; hard negatives: every set of at least CLEAN_SET_MIN messages that are all clean,
or with ``--firm letters`` the tone model's firm sets) on the main corpus, then scores the holdout
(tests/corpus/holdout, never training data) and prints, at the trainer's threshold and at the other thresholds its
cross-validation records:

- how many of the holdout's CATEGORY messages the phrase rules of CATEGORY flag (block/warn; model rules not
  asked), and how many of those they miss the model flags (its best sentence above the threshold);
- how many clean holdout messages, and how many messages without CATEGORY (neither expected nor allowed), that
  no phrase rule of CATEGORY flags, the model would flag (false alarms and false categories).

Ids only, no message text. Takes ~3 min (the cross-validation). This is how ``off_platform`` was chosen on
2026-12-03 (on the holdout of then, -fa..-fd: 4 of 14 missed found, 0 of 283 clean and 1 other message
flagged) and marketing and review manipulation were not (4 of 11 for 2 false categories; 5 of 6 for 4).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests", ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus_metrics  # noqa: E402
import train_tone  # noqa: E402
from app import engine, tone  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("category")
    ap.add_argument("--firm", choices=("clean-sets", "letters"), default="clean-sets")
    ap.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                    help="a training parameter other than the shipped one (tools/train_tone.py OFF_PLATFORM_PARAMS)")
    args = ap.parse_args(argv)
    params = dict(train_tone.OFF_PLATFORM_PARAMS)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in params:
            ap.error(f"unknown parameter {key!r}: one of {sorted(params)}")
        params[key] = value if isinstance(params[key], str) else type(params[key])(value)
    cat = engine.default_catalogue()
    if args.category not in {r.category for r in cat.rules}:
        ap.error(f"unknown category {args.category!r}")
    spec = train_tone.ModelSpec("experiment", args.category, args.firm)
    messages = train_tone.load_corpus()
    data = train_tone.samples(messages, cat, params, spec=spec)
    model = train_tone.train(data, params, firm_sets=train_tone.firm_codes(messages, spec), name=args.category,
                             log=lambda line: print(line, file=sys.stderr))
    scorer = tone.ToneModel({"weights": model["weights"], "scale": 1, "bias": model["bias"],
                             "threshold": model["threshold"], "known_fine": model["known_fine"]})
    model_rules = {r.id for r in cat.rules if r.model}
    rows = []
    for m in corpus_metrics.load(holdout=True):
        found = any(f.category == args.category and f.severity != "info" and f.rule not in model_rules
                    for f in engine.check(m.text, catalogue=cat).findings)
        top = max((scorer.logit(m.text[s:e]) for s, e in tone.sentence_spans(m.text) if scorer.judges(m.text[s:e])),
                  default=-1e9)
        rows.append((m, found, top))
    if not rows:
        print("the holdout is empty", file=sys.stderr)
        return 1
    positives = [r for r in rows if args.category in r[0].expect]
    missed = [r for r in positives if not r[1]]
    print(f"{args.category}: {len(positives)} holdout messages, the phrase rules flag {len(positives) - len(missed)}")
    shipped = model["threshold"]
    for p in sorted({shipped, *model["thresholds_by_fpr"].values()}):
        z = math.log(p / (1 - p))
        added = [r[0].id for r in missed if r[2] > z]
        clean = [r[0].id for r in rows if not r[0].expect and not r[1] and r[2] > z]
        other = [r[0].id for r in rows if r[0].expect and args.category not in r[0].expect
                 and args.category not in r[0].allow and not r[1] and r[2] > z]
        label = " (the trainer's)" if p == shipped else ""
        print(f"threshold {p:.4f}{label}: adds {len(added)} of {len(missed)} {added}; clean flagged "
              f"{len(clean)} of {sum(not r[0].expect for r in rows)} {clean}; other flagged {len(other)} {other}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
