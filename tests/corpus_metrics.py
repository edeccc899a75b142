"""Scoring the checker against the labelled corpus in ``tests/corpus/``.

Pure helpers shared by ``tests/test_corpus.py`` and usable by hand::

    .venv/bin/python tests/corpus_metrics.py            # main corpus table + misses
    .venv/bin/python tests/corpus_metrics.py --holdout  # holdout table (do not tune rules on it)

The metric
----------
Only findings at severity ``block`` or ``warn`` count. ``unnecessary-message`` is info-only advice and is
ignored on both sides (never expected, never counted when raised).

For one message with expected categories E, allowed categories A and raised categories R (the set of
``finding["category"]`` over its block/warn findings in ``report.to_dict()["findings"]``)::

    TP = E ∩ R        (a category the message must raise, and did)
    FN = E − R        (a category it must raise, and did not)
    FP = R − E − A    (a category raised that is neither expected nor honestly ambiguous)

Counts are per (message, category) pair: a category raised by three findings in one message is one TP.
Per category c, per language and overall, TP/FN/FP are summed over the messages in scope, and

    precision = TP / (TP + FP)   (1.0 when nothing was raised: no false alarm was made)
    recall    = TP / (TP + FN)   (1.0 when nothing was expected)

A message is *clean* when E is empty. The false-alarm rate is the share of clean messages with FP ≠ ∅,
i.e. with any block/warn finding whose category the label does not allow.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
HOLDOUT_DIR = CORPUS_DIR / "holdout"
LANGS = ("en", "de", "fr", "es", "it", "ja", "zh")

#: Categories a label may name in "expect" or "allow".
SCORED_CATEGORIES = (
    "abusive",
    "contact-details",
    "off-platform",
    "external-link",
    "review-manipulation",
    "marketing",
    "emoji",
    "cancel-request",
    "sensitive-data",
    "html-markup",
    "important-tag",
)
#: Known to the engine but info-only: ignored by the metric.
UNSCORED_CATEGORIES = ("unnecessary-message",)
COUNTED_SEVERITIES = ("block", "warn")

RECORD_KEYS = ("id", "lang", "text", "expect", "allow", "note")


@dataclass(frozen=True)
class Message:
    id: str
    lang: str
    text: str
    expect: frozenset[str]
    allow: frozenset[str]
    note: str

    @property
    def clean(self) -> bool:
        return not self.expect


@dataclass
class Outcome:
    """What the checker did with one message."""

    message: Message
    raised: frozenset[str] = frozenset()
    findings: tuple[dict, ...] = ()  # block/warn findings in scored categories, as in to_dict()
    error: str | None = None

    @property
    def tp(self) -> frozenset[str]:
        return self.message.expect & self.raised

    @property
    def fn(self) -> frozenset[str]:
        return self.message.expect - self.raised

    @property
    def fp(self) -> frozenset[str]:
        return self.raised - self.message.expect - self.message.allow

    @property
    def false_alarm(self) -> bool:
        return self.message.clean and bool(self.fp)


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    messages: int = 0
    clean: int = 0
    false_alarms: int = 0
    offenders: list[Outcome] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0


# ── loading ──────────────────────────────────────────────────────────────────────────────────────────

def corpus_files(holdout: bool = False) -> list[Path]:
    base = HOLDOUT_DIR if holdout else CORPUS_DIR
    return [base / f"{lang}.jsonl" for lang in LANGS]


def read_records(path: Path) -> list[tuple[int, dict]]:
    """(line number, raw object) for every non-blank line; raises ValueError naming file:line."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path.name}:{number}: invalid JSON: {err}") from err
        if not isinstance(obj, dict):
            raise ValueError(f"{path.name}:{number}: expected a JSON object")
        out.append((number, obj))
    return out


def record_problems(obj: dict, where: str, id_re, lang: str, seen_ids: dict[str, str]) -> list[str]:
    """What is wrong with one corpus record (the format shared by tests/corpus and tools/tone_training):
    exact keys, an id matching ``id_re`` and not in ``seen_ids`` (which it joins), the file's language, a
    text and a note, ``expect``/``allow`` as lists of scored category ids without repeats or overlap, and no
    ``allow`` on a clean message (a false-alarm rate must be exact). Empty when the record is well formed."""
    problems: list[str] = []
    if sorted(obj) != sorted(RECORD_KEYS):
        return [f"{where}: keys {sorted(obj)}, want exactly {sorted(RECORD_KEYS)}"]
    if not isinstance(obj["id"], str) or not id_re.fullmatch(obj["id"]):
        problems.append(f"{where}: id {obj['id']!r} does not match {id_re.pattern}")
    elif obj["id"] in seen_ids:
        problems.append(f"{where}: id {obj['id']} already used at {seen_ids[obj['id']]}")
    else:
        seen_ids[obj["id"]] = where
    if obj["lang"] != lang:
        problems.append(f"{where}: lang {obj['lang']!r} in a {lang} file")
    if not isinstance(obj["text"], str) or not obj["text"].strip():
        problems.append(f"{where}: empty text")
    if not isinstance(obj["note"], str) or not obj["note"].strip():
        problems.append(f"{where}: every label needs a note saying why")
    known = set(SCORED_CATEGORIES)
    for key in ("expect", "allow"):
        value = obj[key]
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            problems.append(f"{where}: {key} must be a list of category ids")
            continue
        if len(set(value)) != len(value):
            problems.append(f"{where}: {key} repeats a category")
        for cat in set(value) - known:
            problems.append(f"{where}: unknown or unscored category {cat!r} in {key}")
    if isinstance(obj["expect"], list) and isinstance(obj["allow"], list):
        both = set(obj["expect"]) & set(obj["allow"])
        if both:
            problems.append(f"{where}: {sorted(both)} both expected and allowed")
        if not obj["expect"] and obj["allow"]:
            problems.append(f"{where}: a clean message allows nothing (false-alarm rate must be exact)")
    return problems


def read_messages(path: Path) -> list[Message]:
    """The messages of one file in the corpus format (also tools/tone_training/<lang>.jsonl)."""
    return [
        Message(id=obj["id"], lang=obj["lang"], text=obj["text"], expect=frozenset(obj["expect"]),
                allow=frozenset(obj["allow"]), note=obj["note"])
        for _, obj in read_records(path)
    ]


def load(holdout: bool = False) -> list[Message]:
    return [m for path in corpus_files(holdout) for m in read_messages(path)]


def holdout_present() -> bool:
    """The holdout slot holds messages (between rounds it is emptied into the main corpus while the next blind
    authors write; the holdout tests skip then, and every other test runs)."""
    return any(path.is_file() and path.read_text(encoding="utf-8").strip() for path in corpus_files(holdout=True))


# ── near-copies ──────────────────────────────────────────────────────────────────────────────────────

# Two messages of one language whose difflib ratio exceeds this are near-copies (tests/test_corpus_near_duplicates.py).
NEAR_DUPLICATE_RATIO = 0.85


def lcs_length(a: str, b: str) -> int:
    """The length of the longest common subsequence of ``a`` and ``b``, bit-parallel (Hyyrö's form of Allison and
    Dix's algorithm: a bit per character of ``b`` in one Python int, one addition and a few logical operations per
    character of ``a``). difflib's matching blocks are a common subsequence, so 2 * this / (len(a) + len(b)) is an
    upper bound of its ratio(), worked out ~100 times faster."""
    where: dict[str, int] = {}
    for k, ch in enumerate(b):
        where[ch] = where.get(ch, 0) | (1 << k)
    full = (1 << len(b)) - 1
    v = full
    for ch in a:
        u = v & where.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def near_duplicates(messages: Sequence[Message], r: float = NEAR_DUPLICATE_RATIO) -> list[tuple[str, str, float]]:
    """Pairs of messages of one language whose difflib ratio exceeds r, each pair in corpus order (ratio
    depends on which text comes first). difflib is asked only of pairs that can pass: by length (sorted, so
    a message meets only those short enough to pass: difflib's real_quick_ratio), and sharing at least half
    of their character trigrams (two messages 85 % alike share far more). The trigram sets are bit sets
    (Python ints over the language's trigram numbering): an AND and a bit count per pair instead of a set
    intersection, 15 times faster on ~1 million pairs a language; then two upper bounds of ratio() before it:
    difflib's quick_ratio (the letters alone) and the longest common subsequence (``lcs_length``)."""
    pairs = []
    for lang in LANGS:
        mine = sorted(enumerate(m for m in messages if m.lang == lang), key=lambda x: len(x[1].text))
        texts = [m.text.casefold() for _, m in mine]
        number: dict = {}
        bits, sizes = [], []
        for x in texts:
            grams = set(zip(x, x[1:], x[2:]))
            b = 0
            for g in grams:
                b |= 1 << number.setdefault(g, len(number))
            bits.append(b)
            sizes.append(len(grams))
        lengths = [len(x) for x in texts]
        for i, (a_at, _) in enumerate(mine):
            a_bits, a_size, a_len = bits[i], sizes[i], lengths[i]
            for j in range(i + 1, len(mine)):
                if 2 * a_len <= r * (a_len + lengths[j]):
                    break  # longer messages from here on: the length ratio only falls
                if 2 * (a_bits & bits[j]).bit_count() < min(a_size, sizes[j]):
                    continue
                first, second = (i, j) if a_at < mine[j][0] else (j, i)
                matcher = difflib.SequenceMatcher(None, texts[first], texts[second], autojunk=False)
                if matcher.quick_ratio() <= r:
                    continue  # an upper bound of ratio() from the letters alone: 40 % of pairs end here
                if 2 * lcs_length(texts[first], texts[second]) <= r * (a_len + lengths[j]):
                    continue  # ratio() counts a common subsequence, so its longest bounds it (~70 % of the time)
                ratio = matcher.ratio()
                if ratio > r:
                    pairs.append((mine[first][1].id, mine[second][1].id, ratio))
    return sorted(pairs)



# ── running and scoring ──────────────────────────────────────────────────────────────────────────────

def run(messages: Sequence[Message], check: Callable[[str], object]) -> list[Outcome]:
    """Check every message; an exception is recorded on the message, not raised."""
    outcomes = []
    for msg in messages:
        try:
            report = check(msg.text).to_dict()  # type: ignore[attr-defined]
        except Exception as err:  # the corpus must report every message, even when one crashes
            outcomes.append(Outcome(msg, error=f"{type(err).__name__}: {err}"))
            continue
        kept = tuple(
            f
            for f in report["findings"]
            if f["severity"] in COUNTED_SEVERITIES and f["category"] not in UNSCORED_CATEGORIES
        )
        outcomes.append(Outcome(msg, raised=frozenset(f["category"] for f in kept), findings=kept))
    return outcomes


def _add(tally: Tally, o: Outcome, tp: int, fn: int, fp: int) -> None:
    tally.tp += tp
    tally.fn += fn
    tally.fp += fp
    if fn or fp or o.error:
        tally.offenders.append(o)


def score(outcomes: Iterable[Outcome]) -> dict[str, dict[str, Tally]]:
    """{"overall": {"all": T}, "lang": {lang: T}, "category": {cat: T}}."""
    overall = Tally()
    by_lang: dict[str, Tally] = {lang: Tally() for lang in LANGS}
    by_cat: dict[str, Tally] = {cat: Tally() for cat in SCORED_CATEGORIES}
    for o in outcomes:
        for t in (overall, by_lang.setdefault(o.message.lang, Tally())):
            t.messages += 1
            t.clean += o.message.clean
            t.false_alarms += o.false_alarm
            _add(t, o, len(o.tp), len(o.fn), len(o.fp))
        for cat, t in by_cat.items():
            tp, fn, fp = cat in o.tp, cat in o.fn, cat in o.fp
            if cat in o.message.expect or cat in o.raised:
                t.messages += 1
            if tp or fn or fp:
                _add(t, o, tp, fn, fp)
    return {"overall": {"all": overall}, "lang": by_lang, "category": by_cat}


# ── reporting ────────────────────────────────────────────────────────────────────────────────────────

def table(scores: Mapping[str, Mapping[str, Tally]], title: str = "") -> str:
    head = f"{'':22} {'expected':>8} {'TP':>5} {'FN':>5} {'FP':>5} {'recall':>7} {'precision':>9} {'false alarms on clean':>22}"
    lines = [title, head, "-" * len(head)] if title else [head, "-" * len(head)]

    def row(name: str, t: Tally, with_clean: bool) -> str:
        clean = f"{t.false_alarms}/{t.clean} = {t.false_alarm_rate:6.1%}" if with_clean else ""
        return (f"{name:22} {t.expected:8d} {t.tp:5d} {t.fn:5d} {t.fp:5d} {t.recall:7.3f} "
                f"{t.precision:9.3f} {clean:>22}")

    lines.append(row("OVERALL", scores["overall"]["all"], True))
    lines.append("by language")
    for lang, t in scores["lang"].items():
        lines.append(row(f"  {lang}", t, True))
    lines.append("by category")
    for cat, t in scores["category"].items():
        lines.append(row(f"  {cat}", t, False))
    return "\n".join(lines)


def describe(o: Outcome, only: str | None = None) -> str:
    """One offender, with what the rules author needs to act: expected, got, and each finding's rule and text."""
    m = o.message
    text = m.text if len(m.text) <= 240 else m.text[:237] + "..."
    head = (f"{m.id}: expected {sorted(m.expect)} allow {sorted(m.allow)} got {sorted(o.raised)}"
            f"  (missed {sorted(o.fn)}, false {sorted(o.fp)})")
    if o.error:
        head += f"  ERROR {o.error}"
    lines = [head, f"    text: {text!r}", f"    why:  {m.note}"]
    for f in o.findings:
        if only is None or f["category"] == only or only in m.expect:
            lines.append(f"    - {f['rule']} [{f['severity']}] {f['text']!r} @{f['start']}:{f['end']}")
    return "\n".join(lines)


def describe_all(offenders: Sequence[Outcome], only: str | None = None) -> str:
    return "\n".join(describe(o, only) for o in offenders) or "(none)"


def main(argv: Sequence[str]) -> int:
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    import app  # noqa: PLC0415 - the engine is optional for this helper until it exists

    holdout = "--holdout" in argv
    outcomes = run(load(holdout), app.check)
    scores = score(outcomes)
    print(table(scores, "HOLDOUT" if holdout else "MAIN CORPUS"))
    if not holdout:
        print("\noffending messages")
        print(describe_all(scores["overall"]["all"].offenders))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
