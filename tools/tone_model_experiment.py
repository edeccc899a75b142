#!/usr/bin/env python3
"""Leave-one-author-group-out evaluation of the tone model (tools/train_tone.py, pure Python): does it find
the abusive messages a new author writes that the phrase rules of the time missed, and at what cost on that
author's clean messages, above all on firm but professional replies?

    .venv/bin/python tools/tone_model_experiment.py                      # every group, the shipped parameters
    .venv/bin/python tools/tone_model_experiment.py --groups p+o,n,g --set firm_weight=1 --show firm0.03
    .venv/bin/python tools/tone_model_experiment.py --message whole    # the shipped message judgement, out of fold
    .venv/bin/python tools/tone_model_experiment.py --message spread   # a message judgement, measured, not shipped

For each author group that is now part of the main corpus (by the letters of its ids' set, whole: -dc is not -d
or -c; before 2026-12-02 only the first letter was compared, so "c+d" also held out -ca..-dz), with the rules of
the revision that was measured on it while it was still blind (or, for -g, before it existed):

    t      rules at a36719c  (the commit that moved the -t set into the main corpus)
    s + r  rules at 3985bae
    q      rules at 37931f5
    p + o  rules at 9d9ec4d  (two blind authors' mixed sets, moved in by that commit)
    n      rules at 9d9ec4d  (a blind author's 140 clean firm-but-professional replies, same commit)
    g      rules at 9d9ec4d  (written for the model, not blind: 105 firm clean replies and 56 abusive messages)
    db + dc + dd  rules at 4d8bc6a  (three blind authors' mixed sets, measured as the holdout after round 23)
    de            rules at 4d8bc6a  (a blind author's 140 clean firm replies, same holdout)
    df + dg + dh  rules at 59563c1  (three blind authors' mixed sets, measured as the holdout after round 24)
    di            rules at 59563c1  (a blind author's 140 clean replies, same holdout)

the model is trained exactly as the build trains it (same sentences, same parameters, the threshold from
its own cross-validation) but WITHOUT that group's messages, and with the rule examples and the "which
sentences do the abusive rules flag" of that revision (the rules of today were partly written from the groups'
misses: with today's rules the -p/-o abusive messages were all caught, which says nothing about a new author).
The other groups are training data when one is held out (the earlier groups as well as the later ones); when
-n is held out the firm look-alike sets the trainer weighs and calibrates on are -g and -z, when -g is, -n and -z.
Then, on the group:

- ``abusive``: its messages labelled abusive; ``rules``: those the old rules flag abusive (block/warn);
  ``rules_or_model``: those the old rules or the model flag; ``model_alone``: those the model flags;
- ``clean_flagged``: clean messages (expect []) with a sentence the model flags (where no abusive rule did);
- ``other_flagged``: messages with other labels only (abusive neither expected nor allowed) the model flags.

Each figure is given for the thresholds at 0.3 % … 2 % out-of-fold false positives on the corpus's negative
sentences, at 1 %, 2 % and 3 % of the firm look-alike messages (n, g, z) flagged out of fold, and at the shipped
threshold (the higher of ``PARAMS["fpr"]`` and ``PARAMS["firm_fpr"]``; firm 3 % since 2026-12-06, see
tools/train_tone.py and tools/tone_threshold_history.py). The model's list of known-fine
sentences (training negatives it still flags, never flagged; see tools/train_tone.py) is built from the
training data of each run, for the shipped threshold, and applied at every threshold.

Measured 2026-12-01 ~11:25 (main corpus with both -g batches, the shipped parameters: firm_weight 8, min_df 4,
firm_fpr 0.01; seed 20261201, in brackets seeds 7 and 3):

    threshold          group  abusive  rules  rules|model    model  clean flagged      other flagged
    shipped: firm 1 %  t           21      4    6 (5, 5)        2    0 / 49             0 / 68
    (the higher of     s+r         42     22   28 (27, 25)      8    1 / 99 (1, 0)      0 / 135
    it and 0.3 % of    q           23     10   13 (12, 12)      3    0 / 49             0 / 64
    sentences;         p+o         63     39   49 (46, 46)     21    1 / 100 (0, 0)     0 / 116
    0.925–0.958 by     n            0      0    0               0    0 / 140 (4, 1)     0
    group)             g          112     17   29 (29, 32)     12    0 / 133 (0, 1)     0
                       all        261     92  125 (119, 120)   46    2 / 570 (5, 2)     0 / 383 (0, 0)
        the model adds 33 (27, 28) of the 169 abusive messages the rules missed (16–20 %); clean 0.4 % (0.9 %,
        0.4 %); firm look-alikes n+g 0 (4, 2) of 273 = 0 % (1.5 %, 0.7 %)
    firm 1.5 %         all: adds 41 (34, 36) of 169; clean 3 (7, 9) of 570 = 0.5 % (1.2 %, 1.6 %); firm 1 (6, 8) of 273
    firm 2 %           all: adds 45 (41, 40) of 169; clean 7 (11, 11) of 570 = 1.2 % (1.9 %, 1.9 %); firm 5 (10, 10) of 273
    firm 3 %           all: adds 52 (56, 53) of 169; clean 13 (25, 15) of 570 = 2.3 % (4.4 %, 2.6 %); firm 10 (23, 13)
    0.3 % sentences    all: adds 52 (44, 54) of 169; clean 13 (12, 15) of 570 = 2.3 % (2.1 %, 2.6 %); firm 10 (11, 14);
                       other 1 (0, 0) of 383
    0.5 % sentences    all: adds 72 (61, 66) of 169; clean 20 (26, 22) of 570 = 3.5 % (4.6 %, 3.9 %); firm 16 (24, 20)

Only the firm-1 % target keeps every seed under 1.5 % of clean and 3 % of firm look-alike messages; at 1.5 % one
seed in three is over, at 2 % two (the target is a quantile of ~270–380 messages, so it is noisy, and the
blind -n author's replies move in steps: 0, 4 or 1 of 140 at the shipped threshold). The -t, -s/-r, -q, -p/-o
figures are the same within a message or three as before the second -g batch (56 more abusive and 28 more
firm messages as training data): more data of this kind did not move the others. The clean messages flagged at
the shipped threshold: "Laut DHL kommt das Paket morgen." (de-s14), "Das liegt aber natürlich ganz bei
Ihnen." (de-o19), "C'est tout à fait votre droit." (fr-n07), "Si vous la gardez, vous n'avez rien à faire."
(fr-n06), "È un suo diritto." (it-n07), "Abbiamo già fatto reclamo." (it-n09), "I do not doubt that you have
not found it." (en-g05): short sentences that, out of context, read like the passive aggression ("do what you
want", "usted sabrá") and veiled threats ("we have filed a complaint") of the abusive training messages.

Before this round (parameters min_df 2, no firm weighting, threshold at 0.3 % of sentences), on p+o, n and g
alone: the model added 18 of the 72 abusive messages the rules missed and flagged 12 of 245 firm look-alikes
(4.9 %; 13 of 345 clean); at 0.5 % 22 of 72 for 18 of 245. Variants measured on those three groups (added of 72 /
firm flagged of 245 at the 0.3 % sentence threshold, or where the firm target was computed at firm 2 %):
positives "flagged" (other_weight 0.3) and "mil" (multiple-instance, other_weight 0.1) no better than "all";
word uni/bigrams 17 / 13; stronger L2 (lam 1e-4) and a length offset in the normalisation (norm_offset 40)
worse (14 / 11); 3 epochs 21 / 14; min_df 4 with firm_weight 3, 5, 8, 12: 17 / 7, 20 / 8, 21 / 8, 21 / 8 at
0.3 %, and at the firm-2 % target 18 / 3 (weight 5), 19 / 2 (8), 17 / 1 (12). The gain comes from weighing the
firm look-alikes as hard negatives and from calibrating the threshold on them, not from the features. Choosing
among these on the same groups is itself a little tuning on them; the next blind set will say more.

It did (2026-12-01 ~11:45): the -m/-l/-j holdout, scored once with the shipped model as a warning, gained 3 abusive
messages over the rules (31 -> 34 of 57; recall 0.850 -> 0.861 with the rule changes of the round). Then with the
training-only sets (tools/tone_training: c, d and g24-g35), -j as a firm look-alike set too, and two more groups
(m+l and j, rules of a7c93f6, the commit that moved them into the corpus; c+d with the rules of the working tree):

    threshold          group  abusive  rules  rules|model  model  clean flagged  other flagged
    shipped (firm 1 %) c+d        168     56           94     49    0 / 168          -
                       m+l         57     31           33      6    0 / 85          0 / 129
                       j            0      0            0      0    0 / 124          -
                       n            0      0            0      0    3 / 140          -
                       all        486    179          257    109    3 / 947         0 / 512
        adds 78 of the 307 abusive messages the rules miss; firm look-alikes (n+g+c+d+j) 3 of 565
    firm 2 %           all: adds 107 of 307; clean 11 of 947 (1.2 %); firm 9 of 565; m+l 37 of 57
    firm 3 %           all: adds 127 of 307; clean 13 of 947 (1.4 %); firm 11 of 565; other 6 of 512

The newest authors (m+l) are where it helps least: 2 of their 26 rule misses at the shipped threshold.

At 12:00 four more authors' training-only sets (tools/tone_training c25-c72, d25-d72: 336 hostile, 336 firm) were
scored by that model before being added: it added none of their hostile messages to the rules' 126 and flagged
none of their firm replies. With them (12:05; c+d is now six authors, 504 + 504):

    threshold          group  abusive  rules  rules|model  model  clean flagged  other flagged
    shipped (firm 1 %) c+d        504    144          225     92    0 / 504          -
                       m+l         57     31           35      8    0 / 85          1 / 129
                       n            0      0            0      0    5 / 140          -
                       all        822    267          399    163    9 / 1283        1 / 512
        adds 132 of the 555 abusive messages the rules miss; firm look-alikes 8 of 901 (0.9 %), clean 0.7 %
    firm 2 %           all: adds 177 of 555; clean 1.7 %; firm 19 of 901 (2.1 %)
    firm 3 %           all: adds 206 of 555; clean 2.4 %; firm 28 of 901 (3.1 %)

At 12:10 four more authors' sets (c100-c147, d100-d147) were scored by that model first: it again added none of
their hostile messages to the rules' 144 of 336 (their hostile sentences scored 0.70-0.88 under a threshold of
0.886) and flagged 2 of their 336 firm replies. With them (c+d is ten authors, 840 + 840):

    shipped (firm 1 %) c+d        840    222          360    156    2 / 840          -
                       m+l         57     31           36      8    0 / 85          1 / 129
                       all       1158    345          542    235   12 / 1619        1 / 512
        adds 197 of the 813 abusive messages the rules miss (24 %); clean 0.7 %; firm look-alikes 11 of 1237 (0.9 %)
    firm 2 %           all: adds 255 of 813; clean 1.2 %; firm 18 of 1237
    firm 3 %           all: adds 277 of 813; clean 1.5 %; firm 23 of 1237

More authors keep the share the model adds over the rules at about a quarter: each new author's hostile
sentences land just under a threshold set to keep firm replies silent.

Measured 2026-12-02 ~15:42: the four newest blind groups, each with the rules it was measured against while
unseen (db+dc+dd and de at 4d8bc6a, df+dg+dh and di at 59563c1), the shipped parameters, seed 20261201 only.
Set codes are now compared whole (-dc is neither -d nor -c; the first-letter match held out no -db..-di message
at all and put -ca..-dz in "c+d"). de and di count as firm look-alikes in the table (FIRM), but they are not in
train_tone.FIRM_LETTERS, so when another group is held out they train as ordinary negatives, not hard ones:

    threshold          group     abusive  rules  rules|model  model  clean flagged  other flagged
    shipped (firm 1 %) db+dc+dd       91     28           43     25    0 / 126        1 / 201
    0.900-0.913        de              0      0            0      0    0 / 140        -
                       df+dg+dh       84     43           52     24    0 / 126        0 / 203
                       di              0      0            0      0    1 / 140        -
                       all           175     71           95     49    1 / 532        1 / 404
        adds 24 of the 104 abusive messages the rules missed (db+dc+dd 15 of 63, df+dg+dh 9 of 41); clean 0.2 %;
        firm look-alikes de+di 1 of 280 ("and is why the guard won't close.", en-di15, 0.908)
    firm 1.5 %         all: adds 32 of 104; clean 1 of 532 (0.2 %); firm 1 of 280; other 1 of 404
    firm 2 %           all: adds 41 of 104; clean 1 of 532 (0.2 %); firm 1 of 280; other 1 of 404
    firm 3 %           all: adds 51 of 104; clean 3 of 532 (0.6 %); firm 3 of 280 (all di); other 1 of 404
    0.3 % sentences    all: adds 48 of 104; clean 3 of 532 (0.6 %); firm 3 of 280 (all di); other 1 of 404
    0.5 % sentences    all: adds 58 of 104 (42 of 63, 16 of 41); clean 4 of 532 (0.8 %); firm 3 of 280 (di 3 of
                       140 = 2.1 %); other 1 of 404
    0.75 % sentences   all: adds 69 of 104; clean 7 of 532 (1.3 %); firm 5 of 280; other 1 of 404
    1 % sentences      all: adds 73 of 104; clean 11 of 532 (2.1 %); firm 7 of 280; other 2 of 404

On these groups the shipped threshold is the most cautious level and adds a quarter of the misses: firm 2 %
adds 41 instead of 24 for the same one clean message, and 0.5 % of sentences adds the most within ~1 % of clean
(58 for 4 of 532) but flags 2.1 % of the di author's replies, on one seed (seeds moved these counts by a few
messages before), so these favour lowering the threshold to the firm-2 % target rather than to a sentence target.

Measured 2026-12-04 ~23:20-23:50 (groups "gg..gj", rules of bbeae37, and "gc..gf", rules of badba19: each is three
blind authors' mixed sets and one clean set, held out whole; ``--set folds=3`` for time; seed 20261201), added of the
abusive messages the rules miss / clean messages flagged:

    threshold          gg..gj (69 missed, 271 clean)   gc..gf (62 missed, 266 clean)   c+d (606, 1152 firm; folds 5)
    shipped (firm 2 %)         22 / 1                          32 / 3                          185 / 3
    firm 3 %                   28 / 1                          36 / 4                          219 / 4
    0.3 % sentences            25 / 1                          34 / 3                          333 / 23
    0.5 % sentences            37 / 1                          42 / 4                          385 / 51

A sentence target finds more on the two newest groups for about one more clean message each, but flags 2-4 % of the
c+d authors' firm replies (held out, they are no longer hard negatives); firm 3 % adds 4-6 per group and 34 on c+d
for one clean message more: a small gain within the noise of one seed, so the shipped threshold was left as it was.

Cross-language concept features were tried the same day and not shipped: eight multilingual word lists in
app/tone.py (legal threat, report to Amazon, fraud, ultimatum, reading, irony, blame, guilt), each found in a
sentence a feature ``§name``, each pair of them one more, quotations left out. On gg..gj, whose misses the lists
were written from, the shipped threshold added 29 instead of 22 for 0 instead of 1 clean; on gc..gf, which they were
not written from, 31 instead of 32 for the same 3 clean (0.3 % sentences 35 / 3 against 34 / 3; firm 3 % 38 / 4
against 36 / 4). Like the phrase rules, the lists helped on the text they were written from and not on other
authors'.

A message judgement by averaged sentence scores, measured 2026-12-06 19:30-20:45 and not shipped (``--message``;
the message judgement that shipped at 23:00 is a model trained on whole messages: tools/train_tone.py ``train_message``): sarcasm and insinuation spread
over sentences that each stay under the threshold, so each run of two to six consecutive judged sentences was scored
by its mean logit less 1 / its length (``_windows``), its top sentence flagged above a message threshold set, with
the sentence threshold, to a share of the firm look-alike messages out of fold. The cross-validation keeps each
author set in one fold (by message, an author's other firm replies are training data when one is scored: the message
threshold came out at 0.43 and flagged two-sentence clean replies such as "Ihr Konto wurde nicht belastet."). Out of
fold, of the 2,972 abusive corpus messages the phrase rules miss (firm 2,998, clean 16,675, other 11,355):

    decision                                            found        firm  clean  other
    sentence alone, firm 3 % (shipped)                  1,858 0.625    89     65     58
    message alone ('spread'), firm 3 %                  1,948 0.655    89     15     30
    sentence 3 % or message 'spread', 3.5 %             2,192 0.738   104     66     63
    sentence 0.5 % or message 'any' (penalty 0.5), 3 %  2,168 0.729    89     15     32   (scratch study, 19:25)

On the holdout -is..-iv (read before: 0.873 at 0.969, abusive 87 of 111, 6 of 257 clean flagged): sentence 0.5 % or
message 'any' (penalty 1, calibrated by message) 0.907 at 0.971, abusive 101, 7 of 257; the same calibrated by author
set 0.897 at 0.973, abusive 97, 7 of 257; sentence 0.5 % or 'spread' 0.870 (abusive 86); sentence 3 % or 'spread' at
3.5 % 0.880 at 0.975, abusive 90, 6 of 257. Every variant flagged rules' good examples written as look-alikes, two
sentences that each score near even odds: 'any' about fifteen of the abusive rules' ("What is this part for? It is the
wall bracket.", "Was wollen Sie noch bestellen? Wir beraten Sie gern."), 'spread' about thirty across the catalogue,
most of them review replies ("Ihre Bewertung erwähnt einen Kratzer. Wir hoffen, dass er verschwindet.", "Votre avis
est juste."). The sentence scores are too noisy near even odds for a mean of two or three of them to be read as the
message's tone; a message judgement needs a model trained on messages, or sentence scores that are calibrated.
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

# (name, id letters, rules revision; None = the rules in the working tree)
GROUPS = (("t", ("t",), "a36719c"), ("s+r", ("s", "r"), "3985bae"), ("q", ("q",), "37931f5"),
          ("p+o", ("p", "o"), "9d9ec4d"), ("n", ("n",), "9d9ec4d"), ("g", ("g",), "9d9ec4d"),
          ("c+d", ("c", "d"), None), ("m+l", ("m", "l"), "a7c93f6"), ("j", ("j",), "a7c93f6"),
          ("db+dc+dd", ("db", "dc", "dd"), "4d8bc6a"), ("de", ("de",), "4d8bc6a"),
          ("df+dg+dh", ("df", "dg", "dh"), "59563c1"), ("di", ("di",), "59563c1"),
          ("gc..gf", ("gc", "gd", "ge", "gf"), "badba19"), ("gg..gj", ("gg", "gh", "gi", "gj"), "bbeae37"))
#: Groups of clean look-alikes (firm or emotional but professional replies): the strictest false-alarm check.
FIRM = ("n", "g", "c+d", "j", "de", "di")
FPRS = ("0.003", "0.004", "0.005", "0.0075", "0.01", "0.02", "firm0.01", "firm0.015", "firm0.02", "firm0.03", "shipped")


def group_of(msg_id: str) -> str:
    """All the letters of an id's set, between the language and the number: "dc" for "de-dc08", "d" for "de-d07"
    (as train_tone.set_code). Matching only the first letter put -ca..-dz in the "c+d" group and left the
    two-letter groups empty."""
    return re.match(r"[a-z]{2}-([a-z]*)", msg_id).group(1) or "base"


def catalogue_at(rev: str | None):
    from app.catalogue import load_catalogue

    if rev is None:
        return load_catalogue(ROOT / "rules")
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
        return bias + sum(weights.get(x, 0.0) for x in g) / math.sqrt(len(g) + model["norm_offset"]) if g else bias

    rows = []
    for m in held:
        flagged = train_tone.category_spans(m.text, cat)
        free = [(s, e) for s, e in tone.sentence_spans(m.text) if not any(a < e and s < b for a, b in flagged)]
        scored = [(logit(m.text[s:e]), m.text[s:e]) for s, e in free]
        top = max(scored, default=(-1e9, ""))
        rows.append((m, bool(flagged), top[0], top[1], [z for z, _ in scored]))
    abusive = [r for r in rows if "abusive" in r[0].expect]
    clean = [r for r in rows if not r[0].expect]
    other = [r for r in rows if r[0].expect and "abusive" not in r[0].expect and "abusive" not in r[0].allow]
    out = {"group": name, "rules_rev": rev, "messages": len(held), "abusive": len(abusive), "clean": len(clean),
           "other": len(other), "rules": sum(r[1] for r in abusive), "train_sentences": len(data),
           "seconds": round(time.perf_counter() - t0, 1), "by_fpr": {},
           "scores": [{"id": r[0].id, "expect": sorted(r[0].expect), "allow": sorted(r[0].allow), "rules": r[1],
                       "logits": [round(z, 4) for z in r[4]], "top": r[3]} for r in rows]}
    for fpr in FPRS:
        p = model["threshold"] if fpr == "shipped" else model["thresholds_by_fpr"][fpr]
        z = math.log(p / (1 - p))
        out["by_fpr"][fpr] = {
            "threshold": p,
            "rules_or_model": sum(r[1] or r[2] > z for r in abusive),
            "model_alone": sum(r[2] > z for r in abusive),
            "clean_flagged": sum(r[2] > z for r in clean),
            "clean_flagged_ids": [r[0].id for r in clean if r[2] > z],
            "clean_flagged_sentences": [(r[0].id, r[3], train_tone.sigmoid(r[2])) for r in clean if r[2] > z],
            "other_flagged": sum(r[2] > z for r in other),
        }
    return out


def table(results: list[dict]) -> str:
    lines = []
    for fpr in FPRS:
        if fpr == "shipped":
            lines.append("the shipped threshold (the higher of the sentence and the firm-message target of PARAMS)")
        elif fpr[0].isdigit():
            lines.append(f"threshold at {float(fpr):.1%} out-of-fold sentence false positives")
        else:
            lines.append(f"threshold at {float(fpr[4:]):.1%} out-of-fold firm look-alike messages "
                         f"({', '.join(train_tone.FIRM_LETTERS)}) flagged")
        lines.append(f"  {'group':6} {'thr':>6} {'abusive':>7} {'rules':>5} {'rules|model':>11} {'model':>5} "
                     f"{'clean flagged':>13} {'other flagged':>13}")
        tot = [0, 0, 0, 0, 0, 0, 0, 0]
        firm = [0, 0]
        for r in results:
            f = r["by_fpr"][fpr]
            lines.append(f"  {r['group']:6} {f['threshold']:6.3f} {r['abusive']:7d} {r['rules']:5d} "
                         f"{f['rules_or_model']:11d} {f['model_alone']:5d} {f['clean_flagged']:>6d} / {r['clean']:<4d} "
                         f"{f['other_flagged']:>6d} / {r['other']:<4d}")
            for i, v in enumerate((r["abusive"], r["rules"], f["rules_or_model"], f["model_alone"],
                                   f["clean_flagged"], r["clean"], f["other_flagged"], r["other"])):
                tot[i] += v
            if r["group"] in FIRM:
                firm[0] += f["clean_flagged"]
                firm[1] += r["clean"]
        lines.append(f"  {'all':6} {'':>6} {tot[0]:7d} {tot[1]:5d} {tot[2]:11d} {tot[3]:5d} {tot[4]:>6d} / {tot[5]:<4d} "
                     f"{tot[6]:>6d} / {tot[7]:<4d}")
        missed = tot[0] - tot[1]
        lines.append(f"  -> model adds {tot[2] - tot[1]} of the {missed} abusive messages the rules miss; clean flagged "
                     f"{tot[4] / max(tot[5], 1):.1%}, firm look-alikes ({'+'.join(FIRM)}) {firm[0]} / {firm[1]} "
                     f"= {firm[0] / max(firm[1], 1):.1%}")
    return "\n".join(lines)


def flagged_listing(results: list[dict], fpr: str) -> str:
    lines = [f"clean messages flagged at {fpr}:"]
    for r in results:
        for mid, sentence, p in r["by_fpr"][fpr]["clean_flagged_sentences"]:
            lines.append(f"  {mid:8} {p:.3f}  {sentence}")
    return "\n".join(lines)


def _windows(logits: list[float], window: int = 6, penalty: float = 1.0, least: int = 2,
             floor: float | None = 0.0) -> list[tuple[int, int, float]]:
    """A message judgement that was measured and not shipped (``--message``): each run of ``window`` consecutive
    sentence logits (all of them when fewer; none when fewer than ``least``), with at least two above ``floor``
    (None: no such condition), scored by its mean less ``penalty`` / its length."""
    n = len(logits)
    if n < least:
        return []
    w = min(window, n)
    out = []
    for i in range(n - w + 1):
        part = logits[i:i + w]
        if floor is None or sum(z > floor for z in part) >= 2:
            out.append((i, w, (sum(part) - penalty) / w))
    return out


def message_study(params: dict, floor: float | None = 0.0, whole: bool = False) -> str:
    """``--message``: sentence threshold alone versus the message judgement, out of fold with the folds by author
    set (every corpus set of one author in one fold; the rules' examples by rule), on the main corpus and the
    training-only sets with today's rules. For each decision, at the same share of the firm look-alike messages
    flagged out of fold: how many of the abusive messages the phrase rules miss it finds, and how many firm, clean
    and other messages (no abusive label) it flags that the phrase rules leave alone. About 10 minutes."""
    from app.catalogue import load_catalogue

    cat = load_catalogue()
    messages = train_tone.load_corpus()
    data = train_tone.samples(messages, cat, params)
    feats = train_tone.Features(data, params["min_df"], params.get("norm_offset", 0.0))
    nf = len(feats.names)

    # The folds by author set (train_tone.folds_of by_set, which the shipped message judgement uses too; the figures
    # in the module docstring were measured with the same grouping under an earlier hash key, so the folds differ).
    folds = train_tone.folds_of(data, params["folds"], params["seed"], by_set=True)
    ranks = train_tone.sample_ranks(data, params)
    oof = train_tone.out_of_fold(feats.rows, data, folds, nf, params, ranks)
    seqs: dict[str, list[float]] = {}
    for z, s in zip(oof, data):
        if s.corpus and tone.judgeable(s.text):
            seqs.setdefault(s.key, []).append(z)
    by_id = {m.id: m for m in messages}
    ruled = {k: bool(train_tone.category_spans(by_id[k].text, cat)) for k in seqs}
    firm = [k for k in seqs if not by_id[k].expect and train_tone.set_code(k) in train_tone.FIRM_LETTERS]
    clean = [k for k in seqs if not by_id[k].expect and train_tone.set_code(k) not in train_tone.FIRM_LETTERS]
    other = [k for k in seqs if by_id[k].expect and "abusive" not in by_id[k].expect and "abusive" not in by_id[k].allow]
    missed = [k for k in seqs if "abusive" in by_id[k].expect and not ruled[k]]
    top = {k: max(v) for k, v in seqs.items()}
    msg = {k: max((x for _, _, x in _windows(v, floor=floor)), default=-1e9) for k, v in seqs.items()}

    cut = train_tone.threshold_at  # the score exceeded by a share of the values, as the trainer sets its thresholds

    lines = [f"abusive messages the rules miss: {len(missed)}; firm {len(firm)}, clean {len(clean)}, other {len(other)}",
             f"  {'decision':44} {'found':>11} {'firm':>6} {'clean':>6} {'other':>6}"]

    def row(name, flag):
        n = lambda g: sum(flag(k) and not ruled[k] for k in g)  # noqa: E731
        lines.append(f"  {name:44} {n(missed):>5} {n(missed) / max(len(missed), 1):.3f} {n(firm):>6} {n(clean):>6} "
                     f"{n(other):>6}")

    def union(th, share):
        """The message cut that keeps the firm messages flagged by sentence (above ``th``) or message at ``share``."""
        room = int(len(firm) * share) - sum(top[k] > th for k in firm)
        rest = sorted((msg[k] for k in firm if not top[k] > th), reverse=True)
        return rest[min(max(room, 0), len(rest) - 1)] if room > 0 and rest else math.inf

    if whole:
        # The shipped judgement (app/tone.py ``ToneModel.message_flagged_spans``, trained by train_tone.train_message):
        # the message model out of fold with the same folds by author set; a message of two judgeable sentences or more
        # is flagged when a window scores above the message threshold or a sentence above the override, one of fewer
        # when its top sentence is above the sentence threshold (the known-fine lists, fitted on everything, left out).
        mdata = train_tone.message_samples(messages, cat, params, frozenset(train_tone.FIRM_LETTERS))
        mfeats = train_tone.Features(mdata, params["min_df"], 0.0, featurize=train_tone.message_features)
        mfolds = train_tone.folds_of(mdata, params["folds"], params["seed"], by_set=True)
        moof = train_tone.out_of_fold(mfeats.rows, mdata, mfolds, len(mfeats.names), params,
                                      train_tone.sample_ranks(mdata, params))
        whole_score: dict[str, float] = {}
        for z, s in zip(moof, mdata):
            if s.corpus:
                whole_score[s.key] = max(whole_score.get(s.key, -1e9), z)
        multi = {k: bool(tone.message_windows(by_id[k].text)) for k in seqs}
        th = cut([top[k] for k in firm], params["firm_fpr"])
        tm = cut([whole_score.get(k, -1e9) for k in firm if multi[k]], params["message_firm_fpr"])
        over = cut([top[k] for k in firm], params["message_override_fpr"])
        row(f"sentence alone, firm {params['firm_fpr']:.1%}", lambda k: top[k] > th)
        row(f"message, firm {params['message_firm_fpr']:.1%}, no override",
            lambda k: whole_score.get(k, -1e9) > tm if multi[k] else top[k] > th)
        row(f"message + override at firm {params['message_override_fpr']:.1%}",
            lambda k: (whole_score.get(k, -1e9) > tm or top[k] > over) if multi[k] else top[k] > th)
        return "\n".join(lines)
    for share in (0.02, 0.03):
        t = cut([top[k] for k in firm], share)
        row(f"sentence alone, firm {share:.1%}", lambda k, t=t: top[k] > t)
        t = cut([msg[k] for k in firm], share)
        row(f"message alone, firm {share:.1%}", lambda k, t=t: msg[k] > t)
    th = cut([top[k] for k in firm], params["firm_fpr"])  # the shipped sentence target
    for share in (0.035, 0.04):
        tm = union(th, share)
        row(f"sentence at firm {params['firm_fpr']:.1%} or message, {share:.1%}",
            lambda k, th=th, tm=tm: top[k] > th or msg[k] > tm)
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a training parameter (JSON value), e.g. --set other_weight=1")
    ap.add_argument("--groups", default=",".join(name for name, _, _ in GROUPS))
    ap.add_argument("--show", metavar="FPR", help="list the clean messages flagged at this threshold (e.g. 0.005)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--message", choices=("spread", "any", "whole"),
                    help="measure a message judgement against the sentence threshold, folds by author set: 'whole' is "
                         "the shipped one (a model of whole messages, train_tone.train_message; ~15 min); 'spread' and "
                         "'any', measured and not shipped, average sentence scores in windows, 'spread' with two "
                         "sentences above even odds, 'any' without (~10 min)")
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
        tone._memo.clear()
    if args.message:
        print(message_study(params, 0.0 if args.message == "spread" else None, whole=args.message == "whole"))
        return 0
    wanted = args.groups.split(",")
    results = [evaluate(name, letters, rev, params) for name, letters, rev in GROUPS if name in wanted]
    print("parameters:", json.dumps(params, sort_keys=True))
    print(table(results))
    if args.show:
        print(flagged_listing(results, args.show))
    if args.json:
        args.json.write_text(json.dumps({"params": params, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
