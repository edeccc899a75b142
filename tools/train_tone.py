#!/usr/bin/env python3
"""Train the learned models the model rules use: the tone model (app/tone_model.json) of ``abusive.tone``
(rules/tone.toml) and, made the same way for another category, the off-platform model
(app/off_platform_model.json) of ``off-platform.learned-invitation`` (rules/off-platform-model.toml); ``MODELS``.

    .venv/bin/python tools/train_tone.py                        # train every stale model and write it
    .venv/bin/python tools/train_tone.py --model off_platform   # only this one
    .venv/bin/python tools/train_tone.py --check                # exit 1 when a model is stale (its inputs changed)

What follows describes the tone model; the off-platform model is the same with ``off-platform`` for ``abusive``
and, as its hard negatives, every set of at least CLEAN_SET_MIN messages that are all clean (``ModelSpec.firm``).

Pure Python (standard library only), deterministic, run by ``build.py`` (which retrains only when the model's
recorded input digest no longer matches). What it does:

Training data (sentences, split as the engine splits them: app/tone.py ``sentence_spans``)
  - the main corpus (``tests/corpus/<lang>.jsonl`` through tests/corpus_metrics.py; never the holdout) and the
    messages written only to train this model (``tools/tone_training/<lang>.jsonl``, same format):
    every sentence of a message with ``abusive`` neither expected nor allowed is a negative; the sentences
    of the clean look-alike sets (ids ``<lang>-n``, ``-g``, ``-z``, ``-c``, ``-d``, ``-j``: ``FIRM_LETTERS``, firm, serious or
    emotional but professional replies, written to be mistaken for hostile ones) weigh ``firm_weight`` (8):
    hard negatives. A message labelled abusive is usually one hostile sentence among neutral ones, so its
    sentences are positives: ``positives = "all"`` (shipped) weighs them all 1; ``"flagged"`` weighs those no
    abusive rule flags ``other_weight``; ``"mil"`` (multiple-instance) does so after a first cross-validation
    only for the sentences that are neither flagged, nor their message's top-scoring one, nor above the
    ``mil_fpr`` cut. Neither was better measured leave-one-author-group-out. Messages that only *allow*
    abusive are left out.
  - the rules' own examples: each bad example of an abusive rule gives its sentences holding a marked span as
    positives; every other example (good examples of every rule, bad examples of the other categories)
    gives negatives, and so do the rules' suggestions, the bad examples after their rule's one-click fix, the
    message templates (app/message_templates.toml) and the phrase rewrites' replacements (app/rewrites.toml):
    what the product proposes to write is fine. The examples of a rule that is itself a model (``model = "tone"``: rules/tone.toml) are
    never used, so that the rule-example tests judge the model on sentences it never saw.
Features: app/tone.py ``grams`` (character 2–5-grams inside padded tokens of the NFKC-casefolded sentence,
  digits as 0, CJK characters as unigrams too), binary, L2-normalised over all the sentence's n-grams (plus
  ``norm_offset``, 0: an offset of 40 that shrinks short sentences' scores was measured worse). Only n-grams
  seen in at least ``min_df`` (4; 2 before the firm weighting) training sentences are kept.
Model: logistic regression with L2 penalty ``lam``, classes balanced (positives weighted n/(2·n_pos), negatives
  n/(2·n_neg), times each sentence's own weight), trained by plain SGD: ``epochs`` passes, each in the order
  of a keyed hash of (seed, epoch, the sentence's message or rule, its text) (``sample_ranks``), step ``eta0 / (1 + eta0·lam·t)``, the penalty applied through a scale factor so a
  step touches only the sentence's own features. Then pruned to the ``max_features`` largest weights.
  (Averaging the weights of the last epochs was tried: no better on the leave-one-author-out figures.)
Known-fine sentences: a linear model cannot fit every training sentence (sentences of abusive messages are
  positives even where they are neutral, and the rules' good examples are look-alikes on purpose), so a few
  sentences it was taught are fine still score above the threshold (a quoted insult, "Usted no tiene que hacer
  nada más."). They are listed in the model (``known_fine``, normalised) and never flagged: the main corpus
  and the rules' good examples, which are training data, thus stay silent by construction, and say nothing
  about the model's false alarms; the leave-one-author-out evaluation (tools/tone_model_experiment.py), which
  builds this list from its own training data, does.
Threshold: ``folds``-fold cross-validation on the training data alone (sentences of one message or of one
  rule's examples stay in one fold: the fold is a keyed hash of the message id or rule id, ``folds_of``). Each fold's model (trained and pruned the
  same way) scores the sentences it did not see; the threshold is the out-of-fold score exceeded by a share
  ``fpr`` of the negative sentences of the corpus or, when ``firm_fpr`` is set (it is for both models: 3 % for the
  tone model since 2026-12-06, 2 % for the off-platform model, ``OFF_PLATFORM_PARAMS``), the higher of it and the
  one exceeded by the top sentence of a share ``firm_fpr`` of the firm look-alike messages (a message is flagged when one sentence
  is: the goal is stated per message). It is recorded in the model file, with the thresholds at other
  targets (``thresholds_by_fpr``; ``firm0.03`` is the firm target at 3 %).
Staleness: the model records a SHA-256 over its inputs (``inputs_digest``): the corpus files, rules/*.toml, the
  templates and rewrites files, the parameters, and the code that makes the model: this trainer and the feature
  code of app/tone.py (``TONE_FEATURE_NAMES``: ``grams`` and what it uses, ``sentence_spans``, the constants),
  each hashed as its Python syntax tree without docstrings (``code_digest``). So editing a comment, a docstring,
  the scorer (``ToneModel``) or any other function of app/tone.py leaves the model up to date, and a change to the
  feature code makes it stale without anyone having to remember a version number (tests/test_tone.py checks
  both ways). ``--check`` and tests/test_tone.py compare the digest with the tree ("run build.py"). Which
  sentences the abusive rules flag also depends on the engine's code, which is not hashed.

Stable under small changes of its input (since 2026-12-03): a seeded shuffle of the sentence list (and of the
  fold keys) reorders *every* sentence when one is added, and plain SGD stopped after 8 epochs depends on the
  order, so adding ten good examples to the rules used to move the threshold (0.865 → 0.854) and the verdict on
  181 corpus messages (135 fewer of 2,870 abusive ones flagged), 4 of them in a held-out set. Ordering by a hash of
  each sentence's own content keeps the relative order of the others, and hashing the fold key keeps every other
  message in its fold: the same ten examples now change the verdict on 4 messages and leave the threshold as it
  was (tools/train_tone.py trained on the tree at b45a85b with and without the ten examples; held-out -eg..-ej
  verdicts unchanged). The hash is BLAKE2b, so the order is the same on every Python.
Floating-point sums make the weights identical across runs on one CPython version; they are rounded in the
file, so other versions give the same file but for rare last-digit differences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import tone  # noqa: E402
from app.report import apply_fixes  # noqa: E402
from app.catalogue import parse_example  # noqa: E402

CORPUS_DIR = ROOT / "tests" / "corpus"
#: Messages written only to train this model (not scored by the corpus tests): tools/tone_training/<lang>.jsonl.
TRAINING_DIR = ROOT / "tools" / "tone_training"
LANGS = ("en", "de", "fr", "es", "it", "ja", "zh")
MODEL_FORMAT = 1

PARAMS = {
    "positives": "all",       # "flagged": sentences of abusive messages flagged by an abusive rule weigh 1, the others other_weight
    "other_weight": 0.3,
    "min_df": 4,
    "epochs": 8,
    "lam": 1e-5,
    "eta0": 0.5,
    "seed": 20261201,
    "folds": 5,
    "fpr": 0.005,             # threshold: share of the corpus's negative sentences scored above it out of fold
                              # (0.003 until 2026-12-06; see firm_fpr)
    "max_features": 24000,
    "suggestions": True,      # the rules' suggestions (en, zh) are negatives too
    "product_texts": True,    # so are the message templates, the phrase rewrites' replacements, the fixed bad examples
    "known_fine": True,       # training negatives the model still flags are listed in it and never flagged
    "norm_offset": 0.0,       # a sentence's n-gram count is normalised as 1/sqrt(count + norm_offset)
    "firm_weight": 8.0,       # weight of the sentences of clean look-alike sets (ids <lang>-n, -g, -z: firm replies)
    "mil_fpr": 0.02,          # positives = "mil": a sentence of an abusive message above this out-of-fold cut keeps weight 1
    "firm_fpr": 0.03,         # the threshold is also above all but this share of the firm look-alike messages out of fold
                              # (0.01 until 2026-12-02, 0.02 until 2026-12-06, with fpr 0.003). Each of the twelve blind
                              # groups -fy..-gb … -hq..-ht was read, while it was the holdout, with the model shipped at
                              # that moment (trained without it; tools/tone_threshold_history.py). With each model's own
                              # thresholds, the higher of 0.5 % of sentences and 3 % of firm messages (the firm one, in
                              # all twelve) instead of the higher of 0.3 % and 2 %, the rules and model found 1,032
                              # instead of 971 of the groups' 1,300 abusive messages, for 20 instead of 16 messages
                              # flagged abusive without the label and 104 instead of 102 of their 3,147 clean messages
                              # flagged. Lower was better still on them (0.5 % of sentences alone: 1,057, 24, 106) but
                              # flagged 47 of the 1,152 firm replies of the -c/-d authors when trained without them
                              # (with the firm 3 % target: 4; tools/tone_model_experiment.py --groups c+d), which
                              # test_tone bounds at 1 %.
    "message": True,          # also train the message judgement (``train_message``; the tone model only)
    "message_firm_fpr": 0.025,  # its threshold: this share of the firm look-alike messages of two judged sentences
                              # or more flagged out of fold, the folds by author set (see ``train_message``)
    "message_override_fpr": 0.005,  # a sentence above the sentence threshold at this share of the firm messages is
                              # flagged even when its message reads fine as a whole (see ``train_message``)
}

#: The off-platform model's parameters: those of the tone model before 2026-12-06 (its rule is a hint, and its
#: threshold was not measured again).
OFF_PLATFORM_PARAMS = dict(PARAMS, fpr=0.003, firm_fpr=0.02, message=False)


def params_for(name: str) -> dict:
    """The training parameters of model ``name`` (``MODELS``)."""
    return PARAMS if name == "tone" else OFF_PLATFORM_PARAMS

#: Id letters of the corpus's sets of clean look-alikes (firm, serious or emotional but professional replies):
#: their sentences weigh ``firm_weight`` as negatives.
FIRM_LETTERS = ("n", "g", "z", "c", "d", "j")
#: A set of at least this many messages, all clean, is a set of clean look-alikes (``firm = "clean-sets"``).
CLEAN_SET_MIN = 100


@dataclass(frozen=True)
class ModelSpec:
    """One learned model the trainer makes: ``app/<name>_model.json``, asked by the rules with ``model = "<name>"``."""

    name: str
    category: str  # the category whose labelled messages give the positives (and whose rules' bad examples do)
    firm: str      # the hard negatives (weight ``firm_weight``) and the threshold's look-alike messages:
                   # "letters": the sets FIRM_LETTERS (firm replies written for the tone model); "clean-sets": every
                   # set of at least CLEAN_SET_MIN messages that are all clean (the blind authors' clean look-alikes,
                   # full of refusals: "we cannot use WhatsApp", "please do not pay by PayPal")


#: The models, by name (app/tone.py ``KNOWN_MODELS`` names the same). ``off_platform`` since 2026-12-03: the phrase
#: rules of off-platform found 74 of the 88 such messages of the blind set -fa..-fd; a model trained like this one on
#: the main corpus found 4 of the 14 they missed at this trainer's threshold rule, flagging none of its 283 clean
#: messages and one message without off-platform (tools/intent_model_experiment.py; marketing and
#: review manipulation were tried the same way and left out: 4 of 11 for 2 false, 5 of 6 for 4 false, among them
#: cheerful one-line shipping notes read as marketing).
#: On the next two blind sets it found 3 and 3 for 3 and 6 false, so its rule is a hint (severity info), not a warning.
MODELS = {
    "tone": ModelSpec("tone", "abusive", "letters"),
    "off_platform": ModelSpec("off_platform", "off-platform", "clean-sets"),
}


def firm_codes(messages, spec: ModelSpec) -> frozenset:
    """The set codes whose clean messages are the model's hard negatives (see ``ModelSpec.firm``)."""
    if spec.firm == "letters":
        return frozenset(FIRM_LETTERS)
    sizes: dict[str, int] = {}
    dirty: set[str] = set()
    for m in messages:
        code = set_code(m.id)
        sizes[code] = sizes.get(code, 0) + 1
        if m.expect or m.allow:
            dirty.add(code)
    return frozenset(c for c, n in sizes.items() if n >= CLEAN_SET_MIN and c not in dirty and c)


def set_code(message_id: str) -> str:
    """The letters of an id's set, between the language and the number: "n" for "de-n07", "cc" for "de-cc07"
    (two-letter sets such as -ca, -cc are other authors' sets than -c, whatever their first letter)."""
    return message_id[3:].rstrip("0123456789")


@dataclass(frozen=True)
class Sample:
    text: str
    y: int           # 1 hostile, 0 not
    weight: float
    key: str         # what must stay in one fold (a message id, a rule id)
    corpus: bool     # a sentence of a corpus message (the threshold's false-positive rate is measured on these)
    hit: bool = True  # a positive an abusive rule flags (or a marked span of a rule's bad example)


# ------------------------------------------------------------------------------------------------- data


def load_corpus():
    """The main corpus, through the loader the tests use (never the holdout), and the messages written only to
    train this model (``TRAINING_DIR``, the same format; see its README)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import corpus_metrics
    finally:
        sys.path.pop(0)
    return corpus_metrics.load(holdout=False) + training_messages(corpus_metrics)


def training_messages(corpus_metrics) -> list:
    return [m for lang in LANGS for m in corpus_metrics.read_messages(TRAINING_DIR / f"{lang}.jsonl")]


def category_spans(text: str, catalogue, category: str = "abusive") -> list[tuple[int, int]]:
    """Spans of the findings (block/warn) of the rules of ``category`` on ``text``; model rules are not asked."""
    from app import engine

    model_rules = {r.id for r in catalogue.rules if getattr(r, "model", None)}
    return [(f.start, f.end) for f in engine.check(text, catalogue=catalogue).findings
            if f.category == category and f.severity != "info" and f.rule not in model_rules]


def samples(messages, catalogue, params=PARAMS, spec: ModelSpec = MODELS["tone"]) -> list[Sample]:
    """The training sentences of the model ``spec`` (see the module docstring; "abusive" there is ``spec.category``),
    in a fixed order."""
    category = spec.category
    firm_sets = firm_codes(messages, spec)
    out: list[Sample] = []
    for rule in catalogue.rules:
        if getattr(rule, "model", None):
            continue
        for i, ex in enumerate(rule.bad):
            plain, marks = parse_example(ex)
            if params.get("product_texts") and rule.fix is not None and marks:
                # The example after the rule's one-click fix (its marked spans replaced) is the product's text.
                fixed = _fixed(plain, marks, rule.fix)
                for s, e in tone.sentence_spans(fixed):
                    out.append(Sample(fixed[s:e], 0, 1.0, rule.id, False))
                # and as a seller who clicks every fix leaves it (a phrase rewrite replaces more than the marked span:
                # 'Non : répondez simplement à ce message.' was flagged by the tone model before it learnt these)
                by_engine = _fixed_by_engine(plain, catalogue)
                if by_engine != fixed:
                    for s, e in tone.sentence_spans(by_engine):
                        out.append(Sample(by_engine[s:e], 0, 1.0, rule.id, False))
            for s, e in tone.sentence_spans(plain):
                if rule.category == category:
                    if any(a < e and s < b for a, b in marks):
                        out.append(Sample(plain[s:e], 1, 1.0, rule.id, False))
                else:
                    out.append(Sample(plain[s:e], 0, 1.0, rule.id, False))
        for ex in (*rule.good, *(rule.suggestion.values() if params.get("suggestions") else ())):
            for s, e in tone.sentence_spans(ex):
                out.append(Sample(ex[s:e], 0, 1.0, rule.id, False))
    if params.get("product_texts"):
        # What the product itself proposes to write (message templates, phrase rewrites' replacements) is fine.
        for key, text in _product_texts():
            for s, e in tone.sentence_spans(text):
                out.append(Sample(text[s:e], 0, 1.0, key, False))
    for m in messages:
        if category in m.allow:
            continue
        spans = tone.sentence_spans(m.text)
        if category in m.expect:
            flagged = category_spans(m.text, catalogue, category) if params["positives"] in ("flagged", "mil") else None
            for s, e in spans:
                hit = flagged is None or any(a < e and s < b for a, b in flagged)
                weight = 1.0 if hit or params["positives"] != "flagged" else params["other_weight"]
                out.append(Sample(m.text[s:e], 1, weight, m.id, True, hit))
        else:
            firm = params.get("firm_weight", 1.0) if not m.expect and set_code(m.id) in firm_sets else 1.0
            for s, e in spans:
                out.append(Sample(m.text[s:e], 0, firm, m.id, True))
    return out


def _fixed(plain: str, marks, fix: str) -> str:
    """A bad example after its rule's one-click fix: its marked spans replaced by ``fix``."""
    out, last = [], 0
    for a, b in marks:
        out += [plain[last:a], fix]
        last = b
    return "".join(out) + plain[last:]


def _fixed_by_engine(plain: str, catalogue) -> str:
    """``plain`` after the one-click fix of every finding that has one (app/report.py ``apply_fixes``: what a seller
    who clicks every fix is left with)."""
    import app

    if _FIXED_BY_ENGINE.catalogue is not catalogue:
        # the cache holds the catalogue itself, so an identity test cannot mistake a new catalogue for a freed one
        _FIXED_BY_ENGINE.catalogue = catalogue
        _FIXED_BY_ENGINE.texts = {}
    texts = _FIXED_BY_ENGINE.texts
    if plain not in texts:
        # app.check, not engine.check: the phrase rewrites (app/rewrites.py) are part of the page's fixes
        texts[plain] = apply_fixes(plain, app.check(plain, catalogue=catalogue).findings)
    return texts[plain]


class _FixedCache:
    """``_fixed_by_engine``'s results for one catalogue, kept for the message model's samples after the sentence
    model's; a call with another catalogue starts afresh."""

    def __init__(self) -> None:
        self.catalogue: object = None
        self.texts: dict[str, str] = {}


_FIXED_BY_ENGINE = _FixedCache()


def _product_texts() -> list[tuple[str, str]]:
    """(key, text) of what the product itself proposes to write: the message templates, the phrase rewrites'
    replacements."""
    from app.rewrites import load_rewrites
    from app.templates_library import list_templates

    texts = [(f"template:{t['id']}", t["text"]) for t in list_templates()]
    return texts + [(f"rewrite:{rw.id}", rw.replacement) for rw in load_rewrites()]


# --------------------------------------------------------------------------------------------- features


class Features:
    """Every sample's kept n-gram ids and its scale (1/sqrt of its n-gram count). ``featurize``: the features of
    one sample's text (a sentence's ``grams``; ``message_features`` for the message judgement)."""

    def __init__(self, data: list[Sample], min_df: int, norm_offset: float = 0.0, featurize=None):
        sets = [(featurize or tone.grams)(s.text) for s in data]
        df: dict[str, int] = {}
        for g in sets:
            for x in g:
                df[x] = df.get(x, 0) + 1
        self.names = sorted(x for x, c in df.items() if c >= min_df)
        ids = {x: i for i, x in enumerate(self.names)}
        self.rows = []
        for g in sets:
            kept = sorted(ids[x] for x in g if x in ids)
            self.rows.append((kept, 1.0 / math.sqrt(len(g) + norm_offset) if g else 0.0))


def _keyed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def sample_ranks(data: list[Sample], params=PARAMS) -> list[list[int]]:
    """Per epoch, each sample's place in the SGD order: a hash of the seed, the epoch and the sample's own key and
    text, so adding or removing samples leaves the relative order of all the others as it was."""
    seed = params["seed"]
    return [[_keyed(f"{seed}:{epoch}:{s.key}:{s.text}") for s in data] for epoch in range(params["epochs"])]


def fit(rows, data: list[Sample], idx: list[int], n_features: int, params=PARAMS,
        ranks: list[list[int]] | None = None) -> tuple[list[float], float]:
    """SGD for L2-penalised, class-balanced, sample-weighted logistic regression on ``data[idx]``; pruned.
    ``ranks``: ``sample_ranks(data, params)``, computed once by the caller for every fit on the same data."""
    lam, eta0 = params["lam"], params["eta0"]
    n = len(idx)
    n_pos = sum(data[i].y for i in idx)
    w_pos, w_neg = n / (2.0 * max(n_pos, 1)), n / (2.0 * max(n - n_pos, 1))
    v = [0.0] * n_features
    scale = 1.0  # weights are scale * v
    b = 0.0
    if ranks is None:
        ranks = sample_ranks(data, params)
    exp = math.exp
    t = 0
    for epoch in range(params["epochs"]):
        for i in sorted(idx, key=ranks[epoch].__getitem__):
            feats, x = rows[i]
            sample = data[i]
            eta = eta0 / (1.0 + eta0 * lam * t)
            t += 1
            z = b + scale * x * sum(map(v.__getitem__, feats))
            p = 1.0 / (1.0 + exp(-z)) if z > -30 else 0.0
            g = (p - sample.y) * sample.weight * (w_pos if sample.y else w_neg)
            scale *= 1.0 - eta * lam
            if g > 1e-6 or g < -1e-6:
                step = -eta * g * x / scale
                for j in feats:
                    v[j] += step
                b -= eta * g * 0.1
            if scale < 1e-3:
                v = [a * scale for a in v]
                scale = 1.0
    w = [a * scale for a in v]
    keep = params["max_features"]
    if keep and sum(1 for a in w if a) > keep:
        cut = sorted((abs(a) for a in w), reverse=True)[keep - 1]
        kept = 0
        for j, a in enumerate(w):
            if abs(a) >= cut and kept < keep and a:
                kept += 1
            else:
                w[j] = 0.0
    return w, b


def logit(w: list[float], b: float, row) -> float:
    feats, x = row
    return b + x * sum(map(w.__getitem__, feats))


def folds_of(data: list[Sample], k: int, seed: int, by_set: bool = False) -> list[int]:
    """Each sample's fold: a hash of the seed and its key (message or rule id), so a message keeps its fold when
    others are added. ``by_set``: a corpus message's fold is its author set's (``set_code``), so that no message of
    the author of the one scored is training data (by message, an author's other firm replies teach the model that
    author's own wording, and a threshold calibrated on such scores is too low for a new author)."""
    def key_of(s):
        return f"set:{set_code(s.key)}" if by_set and s.corpus else s.key

    salt = "setfold" if by_set else "fold"
    fold = {key: _keyed(f"{seed}:{salt}:{key}") % k for key in {key_of(s) for s in data}}
    return [fold[key_of(s)] for s in data]


def out_of_fold(rows, data: list[Sample], folds: list[int], n_features: int, params, ranks) -> list[float]:
    """Each sample's logit under the model fitted (``fit``) on the other folds (``folds``: a fold index per sample)."""
    oof = [0.0] * len(data)
    for k in sorted(set(folds)):
        w, b = fit(rows, data, [i for i, f in enumerate(folds) if f != k], n_features, params, ranks)
        for i, f in enumerate(folds):
            if f == k:
                oof[i] = logit(w, b, rows[i])
    return oof


def threshold_at(scores: list[float], fpr: float) -> float:
    """The logit exceeded by a share ``fpr`` of ``scores`` (the negatives' out-of-fold logits)."""
    ranked = sorted(scores, reverse=True)
    return ranked[min(int(len(ranked) * fpr), len(ranked) - 1)]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def mil_weights(data: list[Sample], oof: list[float], params=PARAMS) -> list[Sample]:
    """Positives re-weighted after a first cross-validation (multiple-instance learning: an abusive message is
    known to hold a hostile sentence, not which one). A corpus positive keeps weight 1 when an abusive rule
    flags it, when it is its message's highest-scoring sentence out of fold, or when it scores above the
    ``mil_fpr`` threshold of the negatives out of fold; the others get ``other_weight``."""
    negatives = [z for z, s in zip(oof, data) if not s.y and s.corpus]
    cut = threshold_at(negatives, params.get("mil_fpr", 0.02))
    top: dict[str, float] = {}
    for z, s in zip(oof, data):
        if s.y and s.corpus:
            top[s.key] = max(top.get(s.key, -1e9), z)
    out = []
    for z, s in zip(oof, data):
        if s.y and s.corpus and not s.hit and z < top[s.key] and z <= cut:
            s = Sample(s.text, s.y, params["other_weight"], s.key, s.corpus, s.hit)
        out.append(s)
    return out


def train(data: list[Sample], params=PARAMS, log=None, firm_sets=frozenset(FIRM_LETTERS), name: str = "tone") -> dict:
    """Cross-validate, fit on everything, and return the model as a dict (see ``model_json``). ``firm_sets``: the
    set codes of the look-alike messages the threshold keeps mostly silent (``firm_codes``)."""
    t0 = time.perf_counter()
    feats = Features(data, params["min_df"], params.get("norm_offset", 0.0))
    nf = len(feats.names)
    t_feat = time.perf_counter() - t0
    folds = folds_of(data, params["folds"], params["seed"])

    ranks = sample_ranks(data, params)

    oof = out_of_fold(feats.rows, data, folds, nf, params, ranks)
    if params["positives"] == "mil":
        data = mil_weights(data, oof, params)
        oof = out_of_fold(feats.rows, data, folds, nf, params, ranks)
    t_cv = time.perf_counter() - t0 - t_feat
    w, b = fit(feats.rows, data, list(range(len(data))), nf, params, ranks)
    negatives = [z for z, s in zip(oof, data) if not s.y and s.corpus]
    fpr_thresholds = {str(f): round(sigmoid(threshold_at(negatives, f)), 6) for f in (0.003, 0.004, 0.005, 0.0075, 0.01, 0.02)}
    # The firm look-alike sets' messages (``firm_sets``): the highest out-of-fold logit of each message's sentences.
    firm_top: dict[str, float] = {}
    for z, s in zip(oof, data):
        if s.corpus and not s.y and set_code(s.key) in firm_sets:
            firm_top[s.key] = max(firm_top.get(s.key, -1e9), z)
    firm_msgs = list(firm_top.values()) or [0.0]
    for f in (0.005, 0.01, 0.015, 0.02, 0.03):
        fpr_thresholds[f"firm{f}"] = round(sigmoid(threshold_at(firm_msgs, f)), 6)
    thr = threshold_at(negatives, params["fpr"])
    if params.get("firm_fpr"):
        # Also at most a share firm_fpr of the firm look-alike messages flagged out of fold.
        thr = max(thr, threshold_at(firm_msgs, params["firm_fpr"]))
    # Training negatives (sentences of messages without abuse, rules' good examples and suggestions) that the
    # final model still scores above the threshold: with ``known_fine`` they are listed in the model
    # (normalised as app/tone.py ``sentence_key``) and never flagged. Raising the threshold above them all
    # instead was measured: the highest is ~0.99, and the model then finds almost nothing.
    known_fine = sorted({tone.sentence_key(s.text) for i, s in enumerate(data)
                         if not s.y and logit(w, b, feats.rows[i]) > thr}) if params.get("known_fine") else []
    pos = [z for z, s in zip(oof, data) if s.y and s.corpus and s.weight == 1.0]
    oof_recall = sum(z > thr for z in pos) / max(len(pos), 1)
    weights = {feats.names[j]: a for j, a in enumerate(w) if a}
    elapsed = time.perf_counter() - t0
    if log:
        log(f"{name} model: {len(data)} sentences ({sum(s.y for s in data)} positive), {nf} n-grams kept of "
            f"min_df {params['min_df']}, {len(weights)} in the model; features {t_feat:.1f} s, "
            f"cross-validation {t_cv:.1f} s, total {elapsed:.1f} s; threshold {sigmoid(thr):.4f} (the higher of "
            f"{fpr_thresholds[str(params['fpr'])]:.4f} at {params['fpr']:.1%} out-of-fold false positives on corpus "
            f"sentences and {fpr_thresholds.get('firm' + str(params.get('firm_fpr')), 0):.4f} at "
            f"{params.get('firm_fpr') or 0:.0%} of the firm look-alike messages); out-of-fold recall on corpus "
            f"positives {oof_recall:.3f}; {len(known_fine)} known-fine sentences above it")
    return {
        "weights": weights, "bias": b, "threshold": sigmoid(thr), "thresholds_by_fpr": fpr_thresholds,
        "known_fine": known_fine, "norm_offset": params.get("norm_offset", 0.0),
        "sentences": len(data), "positives": sum(s.y for s in data), "seconds": round(elapsed, 1),
        "oof_recall_flagged": round(oof_recall, 4),
    }


# ------------------------------------------------------------------------------------------ message judgement


def message_units(text: str) -> list[str]:
    """The texts the message judgement scores in ``text`` (app/tone.py ``message_windows``: the whole text, or windows
    of a long one), each from its first sentence's start to its last sentence's end; a text of fewer than two
    judgeable sentences is one unit too (a training sample; the engine leaves such a text to the sentence model)."""
    spans = tone.sentence_spans(text)
    if not spans:
        return []
    windows = tone.message_windows(text, spans) or [(0, len(spans))]
    return [text[spans[i][0]:spans[j - 1][1]] for i, j in windows]


def message_features(text: str) -> set[str]:
    return tone.message_grams(text, tone.sentence_spans(text))


def message_samples(messages, catalogue, params=PARAMS, firm_sets=frozenset(FIRM_LETTERS)) -> list[Sample]:
    """The message judgement's training texts: every corpus and training-only message (abusive expected: positive;
    neither expected nor allowed: negative, weighing ``firm_weight`` in the firm look-alike sets), the bad examples
    of the abusive rules (positive) and of the others, the good examples and the suggestions of every rule, the bad
    examples after their rule's one-click fix, the message templates and the rewrites' replacements (negative),
    whole. The model rules' own examples are left out, as for the sentence model."""
    out: list[Sample] = []
    for rule in catalogue.rules:
        if getattr(rule, "model", None):
            continue
        for ex in rule.bad:
            plain, marks = parse_example(ex)
            out += [Sample(t, int(rule.category == "abusive"), 1.0, rule.id, False) for t in message_units(plain)]
            if params.get("product_texts") and rule.fix is not None and marks:
                out += [Sample(t, 0, 1.0, rule.id, False) for t in message_units(_fixed(plain, marks, rule.fix))]
                # and as the page's one-click fixes leave it: every finding's fix applied (tests/test_rules_examples.py)
                out += [Sample(t, 0, 1.0, rule.id, False) for t in message_units(_fixed_by_engine(plain, catalogue))]
        for ex in (*rule.good, *rule.suggestion.values()):
            out += [Sample(t, 0, 1.0, rule.id, False) for t in message_units(ex)]
    if params.get("product_texts"):
        for key, text in _product_texts():
            out += [Sample(t, 0, 1.0, key, False) for t in message_units(text)]
    for m in messages:
        if "abusive" in m.allow:
            continue
        y = int("abusive" in m.expect)
        firm = params.get("firm_weight", 1.0) if not y and not m.expect and set_code(m.id) in firm_sets else 1.0
        out += [Sample(t, y, firm, m.id, True) for t in message_units(m.text)]
    return out


def train_message(data: list[Sample], params=PARAMS, log=None, firm_sets=frozenset(FIRM_LETTERS)) -> dict:
    """The message judgement: the same logistic regression as the sentence model (``fit``), on whole messages
    (``message_samples``; features: the union of the sentences' n-grams). Cross-validated with the folds by author
    set (``folds_of(by_set=True)``); the threshold is the out-of-fold score exceeded by ``message_firm_fpr`` of the
    firm look-alike messages that have at least two judgeable sentences (the only ones the engine judges as a message).
    Training negatives of two judgeable sentences or more that the final model still scores above it are listed
    (``known_fine``, normalised as app/tone.py ``sentence_key``) and never flagged.

    Measured before it was shipped (2026-12-06 22:30, /work/tmp study, the same folds): of the 2,972 abusive corpus
    messages the phrase rules miss, the sentence model alone at its firm-3 % threshold found 1,858, flagging 89 of the
    2,998 firm replies, 65 of the 16,675 other clean messages and 58 of the 11,355 messages with only other labels;
    judged as a message when it has two judgeable sentences or more (sentence model otherwise), at 2.5 % of those firm
    messages: 2,086, 70, 19, 30. Single sentences are why the sentence model stays for them: judged as messages, one
    sentence good examples of the rules were flagged 7.4 % of the time (698 of 9,494) out of fold.
    A neutral logistics sentence can pull a message with one plainly hostile sentence under the threshold ("The
    replacement ships tomorrow with tracking. Some people apparently never read a manual."), so a sentence above the
    sentence model's threshold at ``message_override_fpr`` (0.5 %) of the firm messages is flagged whatever its
    message scores (``sentence_override``, recorded in the model's message part): in the same study 2,161, 79, 26, 39."""
    t0 = time.perf_counter()
    feats = Features(data, params["min_df"], 0.0, featurize=message_features)
    nf = len(feats.names)
    folds = folds_of(data, params["folds"], params["seed"], by_set=True)
    ranks = sample_ranks(data, params)
    oof = out_of_fold(feats.rows, data, folds, nf, params, ranks)
    multi = [bool(tone.message_windows(s.text)) for s in data]
    firm_top: dict[str, float] = {}
    for z, s, mu in zip(oof, data, multi):
        if mu and s.corpus and not s.y and set_code(s.key) in firm_sets:
            firm_top[s.key] = max(firm_top.get(s.key, -1e9), z)
    firm_scores = list(firm_top.values()) or [0.0]
    thr = threshold_at(firm_scores, params["message_firm_fpr"])
    by_fpr = {f"firm{f}": round(sigmoid(threshold_at(firm_scores, f)), 6) for f in (0.01, 0.02, 0.025, 0.03)}
    w, b = fit(feats.rows, data, list(range(len(data))), nf, params, ranks)
    known_fine = sorted({tone.sentence_key(s.text) for i, (s, mu) in enumerate(zip(data, multi))
                         if mu and not s.y and logit(w, b, feats.rows[i]) > thr})
    weights = {feats.names[j]: a for j, a in enumerate(w) if a}
    if log:
        log(f"message judgement: {len(data)} texts ({sum(s.y for s in data)} positive), {len(weights)} n-grams; "
            f"threshold {sigmoid(thr):.4f} at {params['message_firm_fpr']:.1%} of {len(firm_scores)} firm messages; "
            f"{len(known_fine)} known-fine messages; {time.perf_counter() - t0:.1f} s")
    return {"weights": weights, "bias": b, "threshold": sigmoid(thr), "thresholds_by_fpr": by_fpr,
            "known_fine": known_fine, "texts": len(data), "positives": sum(s.y for s in data)}


# ------------------------------------------------------------------------------------------------ model file


#: What of app/tone.py makes the features and the sentences the model is trained on: these functions and
#: module-level names, compared by their syntax tree (``code_digest``).
TONE_FEATURE_NAMES = ("NGRAMS", "MIN_CHARS", "MAX_CHARS", "_DIGITS", "_SENTENCE_END", "_CJK",
                      "_WORDLIKE", "_QUOTE_START", "_QUOTED", "QUOTE_MIN_WORDS", "QUOTE_MIN_CJK", "_unquote", "without_quotes",
                      "sentence_spans", "sentence_key", "_token_grams", "grams", "_two_words", "judgeable",
                      "MESSAGE_MAX", "MESSAGE_WINDOW", "MESSAGE_STRIDE", "message_windows", "union_grams", "message_grams")


def code_digest(source: str, names: tuple[str, ...] | None = None) -> str:
    """SHA-256 of the syntax tree of ``source`` (only the top-level definitions and assignments of ``names``
    when given), docstrings left out: a comment, a docstring, blank lines or a change to another function do not
    change it; a change to the code does."""
    import ast

    tree = ast.parse(source)
    body = tree.body
    if names is not None:
        def defines(node) -> set[str]:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                return {node.name}
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                return {t.id for t in targets if isinstance(t, ast.Name)}
            return set()

        body = [node for node in body if defines(node) & set(names)]
        missing = set(names) - set().union(*(defines(node) for node in body))
        if missing:
            raise ValueError(f"code_digest: {sorted(missing)} not defined at the top level")
    module = ast.Module(body=body, type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    dump = "\n".join(ast.dump(node, annotate_fields=True, include_attributes=False) for node in module.body)
    return hashlib.sha256(dump.encode()).hexdigest()


def inputs_digest(rules_dir: Path | None = None, params=None, name: str = "tone") -> str:
    """SHA-256 over what the model is made from: the corpus files, rules/*.toml, the templates and rewrites, the
    parameters, and the code: this trainer and the feature code of app/tone.py (``TONE_FEATURE_NAMES``), each
    as its syntax tree without docstrings (``code_digest``), so that editing a comment, a docstring or app/tone.py's
    scorer does not make the model stale. (Which sentences the abusive rules flag also depends on the engine's
    code, which is not hashed; it matters only for ``positives`` "flagged" and "mil".)"""
    model_name = name
    params = params_for(name) if params is None else params
    rules_dir = Path(rules_dir) if rules_dir is not None else ROOT / "rules"
    h = hashlib.sha256()

    def add(name: str, data: bytes) -> None:
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)

    for lang in LANGS:
        add(f"tests/corpus/{lang}.jsonl", (CORPUS_DIR / f"{lang}.jsonl").read_bytes())
        add(f"tools/tone_training/{lang}.jsonl", (TRAINING_DIR / f"{lang}.jsonl").read_bytes())
    for path in sorted(rules_dir.glob("*.toml")):
        add(f"rules/{path.name}", path.read_bytes())
    for name in ("app/message_templates.toml", "app/rewrites.toml"):
        add(name, (ROOT / name).read_bytes())
    add("tools/train_tone.py", code_digest(Path(__file__).read_text("utf-8")).encode())
    add("app/tone.py", code_digest(Path(tone.__file__).read_text("utf-8"), TONE_FEATURE_NAMES).encode())
    add("params", json.dumps(params, sort_keys=True).encode())
    if model_name != "tone":  # the tone model's digest is made as it was before there were other models
        spec = MODELS[model_name]
        add("model", json.dumps([spec.name, spec.category, spec.firm, CLEAN_SET_MIN]).encode())
    return h.hexdigest()


def recorded_digest(path: Path | None = None) -> str | None:
    path = path or tone.model_path()
    try:
        return json.loads(path.read_text("utf-8")).get("inputs_sha256")
    except (OSError, ValueError, AttributeError):
        return None


def is_stale(rules_dir: Path | None = None, name: str = "tone") -> bool:
    return recorded_digest(tone.model_path(name)) != inputs_digest(rules_dir, name=name)


def model_json(model: dict, digest: str, params=PARAMS) -> bytes:
    """The model file: weights quantised to integers (times ``scale``), deterministic JSON."""
    scale = 1e-4
    weights = {g: round(a / scale) for g, a in sorted(model["weights"].items())}
    weights = {g: q for g, q in weights.items() if q}
    data = {
        "format": MODEL_FORMAT,
        "inputs_sha256": digest,
        "params": params,
        "ngrams": list(tone.NGRAMS),
        "threshold": round(model["threshold"], 6),
        "thresholds_by_fpr": model["thresholds_by_fpr"],
        "bias": round(model["bias"], 6),
        "norm_offset": model["norm_offset"],
        "scale": scale,
        "training": {"sentences": model["sentences"], "positives": model["positives"],
                     "oof_recall_flagged": model["oof_recall_flagged"]},
        "known_fine": model["known_fine"],
        "weights": weights,
    }
    if model.get("message"):
        mm = model["message"]
        mw = {g: round(a / scale) for g, a in sorted(mm["weights"].items())}
        data["message"] = {
            "threshold": round(mm["threshold"], 6), "thresholds_by_fpr": mm["thresholds_by_fpr"],
            "bias": round(mm["bias"], 6), "scale": scale, "known_fine": mm["known_fine"],
            "sentence_override": mm["sentence_override"],
            "training": {"texts": mm["texts"], "positives": mm["positives"]},
            "weights": {g: q for g, q in mw.items() if q},
        }
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def write_model(catalogue=None, *, rules_dir: Path | None = None, force: bool = False, log=print,
                name: str = "tone") -> bool:
    """Train and write app/<name>_model.json unless it is up to date (``force``: anyway). True when written."""
    digest = inputs_digest(rules_dir, name=name)
    path = tone.model_path(name)
    if not force and recorded_digest(path) == digest:
        return False
    if catalogue is None:
        from app.catalogue import load_catalogue

        catalogue = load_catalogue(rules_dir)
    spec = MODELS[name]
    params = params_for(name)
    messages = load_corpus()
    data = samples(messages, catalogue, params, spec=spec)
    firm_sets = firm_codes(messages, spec)
    model = train(data, params, log=log, firm_sets=firm_sets, name=name)
    if params.get("message"):
        model["message"] = train_message(message_samples(messages, catalogue, params, firm_sets), params, log=log,
                                         firm_sets=firm_sets)
        model["message"]["sentence_override"] = model["thresholds_by_fpr"][f"firm{params['message_override_fpr']}"]
    blob = model_json(model, digest, params)
    if not path.is_file() or path.read_bytes() != blob:
        path.write_bytes(blob)
    if log:
        log(f"wrote {path.relative_to(ROOT)} ({len(blob):,} bytes)")
    tone._loaded.pop(name, None)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when a model file (app/<name>_model.json) is stale")
    ap.add_argument("--force", action="store_true", help="train even when the model is up to date")
    ap.add_argument("--model", choices=sorted(MODELS), action="append",
                    help="train or check only this model (repeatable; default: every model)")
    args = ap.parse_args(argv)
    names = args.model or list(MODELS)
    if args.check:
        stale = [n for n in names if is_stale(name=n)]
        for n in names:
            state = "stale — run build.py (or tools/train_tone.py)" if n in stale else "up to date"
            print(f"app/{n}_model.json is {state}", file=sys.stderr if n in stale else sys.stdout)
        return 1 if stale else 0
    for n in names:
        t0 = time.perf_counter()
        write_model(force=args.force, name=n)
        print(f"{n}: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
