"""A learned judgement of the tone of one sentence: does it read as hostile toward the buyer?

The phrase rules of the ``abusive`` category catch the wordings their authors saw; a new author's sarcasm,
condescension, accusations or guilt-tripping use other words. This module scores a sentence with a small
linear model over character n-grams (trained by ``tools/train_tone.py`` on the labelled corpus and the rules'
own examples; the weights are data, ``app/tone_model.json``), so that wording nobody wrote a phrase for can
still be pointed out. It is pure Python (no NumPy): it runs in the page (Pyodide) as on CPython.

Features (``grams``; the trainer uses this very function): the sentence is NFKC-normalised and case-folded,
digits become ``0``, quotations of three words or more are left out (``without_quotes``: the buyer's words
quoted back are not the seller's tone); each white-space-separated token is padded with one space on each side and every
character n-gram of it for n in ``NGRAMS`` (2–5) is a feature; a Chinese or Japanese sentence, written
without spaces, is one long token, so its n-grams run across the words, and each of its CJK characters is a
feature too. Features are binary and the vector is L2-normalised over *all* the sentence's n-grams (known to
the model or not), so pruning the vocabulary after training changes no other feature's value. (Word uni- and
bigrams beside them were measured leave-one-author-group-out on 2026-12-01 and were no better: see
tools/tone_model_experiment.py.) The trainer's
staleness digest covers exactly this feature code, by its syntax tree (tools/train_tone.py ``code_digest``):
comments, docstrings and the scorer below can change without retraining.

Score: ``sigmoid(bias + sum(weight[g] for g in grams) / sqrt(len(grams) + norm_offset))`` (``norm_offset`` is
recorded in the model, 0 for the shipped one); a sentence is flagged when its score is above the model's
``threshold`` (chosen by the trainer from out-of-fold scores: the higher of a target false-positive rate on
negative sentences and one on the firm clean look-alike messages), unless it is one of the training sentences
known to be fine that the model still scores above it (``known_fine``, see tools/train_tone.py).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from itertools import repeat
from operator import add
from pathlib import Path

__all__ = ["KNOWN_MODELS", "NGRAMS", "ToneModel", "grams", "judgeable", "load_model", "message_grams", "message_windows", "model_path", "union_grams", "quotation_spans", "sentence_spans", "without_quotes"]

#: Model names a rule may declare (``model = "tone"`` in rules/*.toml); each is ``app/<name>_model.json``.
KNOWN_MODELS = ("tone", "off_platform")
#: n-gram lengths inside a padded token (``grams`` is written for exactly these).
NGRAMS = (2, 3, 4, 5)
#: Sentences shorter than this (after stripping) are not scored ("Hi,", "OK.").
MIN_CHARS = 6
#: Sentences longer than this are scored on their first MAX_CHARS characters only (a pasted wall of text
#: without sentence ends would otherwise cost time proportional to its length for one verdict).
MAX_CHARS = 600

_DIGITS = re.compile(r"\d")
# The same sentence ends as the engine's (app/engine.py ``_SENTENCE_END``): a run of ``. ! ? …`` before white
# space or the end, a run of CJK full stops, a line break. The period of a number abbreviation followed by a
# number ("part no. 4410-118-0233", "Art.-Nr. 4410", "Ref. 123", "réf. 06 12 34 56 78", "rif. 4410", "Nº. 5",
# "fattura n. 2026/0412", "núm. 12", a German compound label "Teilenr. 42-118-006" / "Artikelnr. 4410" (de-hl12), and "es. 3" / "ex. 06 …" / "ej. 612 …", "for example" alone)
# or of an approximation before a number ("ca. 6 Wochen", "env. 3 jours", "approx. 5 days", "ungef. 2 Tage")
# ends nothing: the label and its number stay in one sentence, so the precision controls that read the label
# ("part no." is no phone number) see it, and the tone model does not judge "6 Wochen wieder rein." alone.
# Nor does the period closing a day-and-month date before a lower-case word ("erst am 29.12. versendet werden",
# "le 3.5. prochain"): "versendet werden." judged alone was a tone false alarm (de-ci20).
# Nor does a lone period with a space before it and a lower-case word after it ("www . palestracasa . it",
# "shop . de"), nor the period after "www" ("www. vintage-strings-shop .com"): these are spaced web addresses,
# and the engine runs a pattern only over the sentences around its literal, so an address spread over three
# sentences was found or missed depending on which literal gated it (it-fo13's "www . palestracasa . it").
# Nor do the periods of "for example" and "that is" ("e.g.", "i.e.", "z. B.", "d. h.", "u. a.", "p. ex.", "p. ej.",
# "ad es.", "bspw.", "bzw."), whatever follows: "(z. B. 23-0917-04)" cut after "z." hid the label from the number it
# labels, and a rule had to list "b." and "g." alone to see it (de-hd03).
_SENTENCE_END = re.compile(
    r"[.!?…。！？\n](?:(?<=[.!?…])(?!(?:(?<=\b[Nn][orº]\.)|(?<=[a-zäöüß]nr\.)|(?<=\b[Nn]\.)|(?<=\b[Cc]a\.)|(?<=\b(?:[Ee]nv|[Nn]úm)\.)|(?<=\b[Ee][sxj]\.)"
    r"|(?<=\b(?:[Aa]rt|[Rr][eéi]f|[Nn]um)\.)|(?<=\b(?:[Aa]prox|[Uu]ngef)\.)|(?<=\b[Aa]pprox\.))\s+[\d#])"
    r"(?!(?:(?<=\b\d\.\d\.)|(?<=\b\d\d\.\d\.)|(?<=\b\d\.\d\d\.)|(?<=\b\d\d\.\d\d\.))\s+[a-zß-öø-ÿ])"
    r"(?!(?<=\s\.)\s{1,2}[a-zß-öø-ÿ])(?<!\bwww\.)(?<!\bWWW\.)"
    r"(?!(?:(?<=\b[zZ]\.)\s?[bB]|(?<=\b[eE]\.)\s?[gG]|(?<=\b[iI]\.)\s?[eE]|(?<=\b[pP]\.)\s?[eE][xXjJ]|(?<=\b[dD]\.)\s?[hH]"
    r"|(?<=\b[uU]\.)\s?[aA])\.)"
    r"(?<!\b[zZ]\.\s[bB]\.)(?<!\b[zZ]\.[bB]\.)(?<!\b[eE]\.\s[gG]\.)(?<!\b[eE]\.[gG]\.)(?<!\b[iI]\.\s[eE]\.)(?<!\b[iI]\.[eE]\.)"
    r"(?<!\b[pP]\.\s[eE][xXjJ]\.)(?<!\b[pP]\.[eE][xXjJ]\.)(?<!\b[dD]\.\s[hH]\.)(?<!\b[dD]\.[hH]\.)(?<!\b[uU]\.\s[aA]\.)"
    r"(?<!\b[uU]\.[aA]\.)(?<!\b[aA]d\s[eE]s\.)(?<!\b[pP]er\s[eE]s\.)(?<!\b[bB]spw\.)(?<!\b[bB]zw\.)"
    r"[.!?…]*(?=\s|$)|(?<=[。！？])[。！？]*|(?<=\n))")
# A token that is a word (holds a letter or digit), not a lone "?" or "!" set off by a space as French writes them.
_WORDLIKE = re.compile(r"[^\W_]")


def _two_words(sentence: str) -> bool:
    """Does ``sentence`` hold at least two words? (It stops at the second: a keystroke judges every sentence.)"""
    seen = 0
    for tok in sentence.split():
        if _WORDLIKE.search(tok) is not None:
            seen += 1
            if seen == 2:
                return True
    return False


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def judgeable(sentence: str) -> bool:
    """Is ``sentence`` long enough to say something about tone: two words or more, or CJK text (written without
    spaces)? ``ToneModel.judges`` is this and the known-fine list; tools/tone_model_experiment.py uses it alone."""
    return _CJK.search(sentence) is not None or _two_words(sentence)

# Quoted speech is left out of a sentence's features: the buyer's words quoted back ("Vous nous écrivez : « Vous
# êtes des incompétents … »", 「最低の店」とのご指摘) are not the seller's tone. A quotation holds at least
# QUOTE_MIN_WORDS words or QUOTE_MIN_CJK CJK characters; shorter ones stay (scare quotes, 'your "expert" opinion',
# are the seller's own sarcasm). An opening mark left open runs to the sentence's end: sentences are cut at the full
# stop inside the quotation, before its closing mark. A straight double quote after a digit is an inch mark ('a 27"
# monitor'), not a quotation.
_QUOTE_START = re.compile(r'[«“„「『"]')
_QUOTED = re.compile(r'«[^«»\n]*(?:»|$)|“[^“”\n]*(?:”|$)|„[^„“”\n]*(?:[“”]|$)|「[^「」\n]*(?:」|$)|『[^『』\n]*(?:』|$)'
                     r'|(?<!\d)"[^"\n]*(?:"|$)')  # not the inch mark of 27" (digits are 0 here)
QUOTE_MIN_WORDS = 3
QUOTE_MIN_CJK = 5


def _unquote(m: re.Match) -> str:
    body = m.group()
    words = sum(1 for tok in body.split() if _WORDLIKE.search(tok) is not None)  # « a b »: two words, four tokens
    if words >= QUOTE_MIN_WORDS or len(_CJK.findall(body)) >= QUOTE_MIN_CJK:
        return " "
    return body


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every quotation in ``text`` (``_QUOTED``: «…», “…”, „…“, 「…」, 『…』, "…" but not the inch
    mark of 27"), whatever its length: the rewrites never change the buyer's words quoted back (app/rewrites.py)."""
    return [] if _QUOTE_START.search(text) is None else [m.span() for m in _QUOTED.finditer(text)]


def without_quotes(text: str) -> str:
    """``text`` with its quotations (see ``_QUOTED``) replaced by a space."""
    return text if _QUOTE_START.search(text) is None else _QUOTED.sub(_unquote, text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` without its leading and trailing white space, in order;
    sentences too short to judge (``MIN_CHARS``) are left out."""
    out = []
    a = 0
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    for b in ends:
        s, e = a, b
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= MIN_CHARS:
            out.append((s, e))
        a = b
    return out


def sentence_key(sentence: str) -> str:
    """A sentence normalised for the model's list of known-fine sentences (NFKC, case-folded, white space
    collapsed)."""
    return " ".join(unicodedata.normalize("NFKC", sentence).casefold().split())


def _token_grams(tok: str) -> list[str]:
    """The n-grams of " tok " for n = 2, 3, 4, 5, each list made from the one before in C (``map(add, …)``
    stops at the shorter input): a third faster than slicing."""
    w = f" {tok} "
    g2 = list(map(add, w, w[1:]))
    g3 = list(map(add, g2, w[2:]))
    g4 = list(map(add, g3, w[3:]))
    return g2 + g3 + g4 + list(map(add, g4, w[4:]))


# Token -> its n-grams, for tokens of up to _MEMO_LEN characters: words recur across sentences, and a
# keystroke re-scores a sentence whose other words were scored a moment ago.
_memo: dict[str, list[str]] = {}
_MEMO_LEN = 40
_MEMO_SIZE = 30000
# Sentences whose scores a model keeps (``ToneModel._scored``): a long draft has a few hundred.
_SCORES_SIZE = 4096


def grams(sentence: str) -> set[str]:
    """The features of one sentence (see the module docstring)."""
    t = without_quotes(_DIGITS.sub("0", unicodedata.normalize("NFKC", sentence[:MAX_CHARS]).casefold()))
    out: set[str] = set()
    memo = _memo
    for tok in t.split():
        g = memo.get(tok)
        if g is None:
            g = _token_grams(tok)
            if len(tok) <= _MEMO_LEN:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                memo[tok] = g
        out.update(g)
    if _CJK.search(t) is not None:
        out.update(_CJK.findall(t))
    return out


#: A text with at least two judged sentences and at most MESSAGE_MAX of them is judged as one message (when the
#: model has a message part); a longer one in windows of MESSAGE_WINDOW judged sentences, MESSAGE_STRIDE apart.
MESSAGE_MAX = 8
MESSAGE_WINDOW = 6
MESSAGE_STRIDE = 3


def message_windows(text: str, spans: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` into ``sentence_spans(text)`` (or ``spans``) that the message judgement scores: none
    when fewer than two sentences are judgeable (the sentence model judges such a text alone), the whole text when
    at most ``MESSAGE_MAX`` are, else windows of ``MESSAGE_WINDOW`` judgeable sentences every ``MESSAGE_STRIDE``
    (the sentences between them that are too short to judge go with the window)."""
    if spans is None:
        spans = sentence_spans(text)
    judged = [i for i, (s, e) in enumerate(spans) if judgeable(text[s:e])]
    if len(judged) < 2:
        return []
    if len(judged) <= MESSAGE_MAX:
        return [(0, len(spans))]
    out = []
    starts = list(range(0, len(judged) - MESSAGE_WINDOW + 1, MESSAGE_STRIDE))
    if starts[-1] != len(judged) - MESSAGE_WINDOW:
        starts.append(len(judged) - MESSAGE_WINDOW)
    for k in starts:
        out.append((judged[k], judged[k + MESSAGE_WINDOW - 1] + 1))
    return out


def union_grams(sets) -> set[str]:
    """The features of a run of sentences judged as one message: the union of its sentences' ``grams``."""
    out: set[str] = set()
    for g in sets:
        out |= g
    return out


def message_grams(text: str, spans: list[tuple[int, int]]) -> set[str]:
    """The features of the sentences ``spans`` of ``text`` judged as one message (``union_grams``)."""
    return union_grams(grams(text[s:e]) for s, e in spans)


def _margin(p: float) -> float:
    """A probability threshold as a logit, so a score is compared without computing exp()."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


class _Linear:
    """One logistic model over n-grams: weights by n-gram (quantised in the file, ``scale`` each; equal weights
    share one float object through ``pool``: ~9,000 distinct of 24,000, less memory in the page's interpreter
    snapshot), bias, the n-gram count's offset in the normalisation, threshold (and as a margin) and the training
    texts known to be fine that it would still flag (tools/train_tone.py ``known_fine``)."""

    __slots__ = ("weights", "bias", "norm_offset", "threshold", "margin", "known_fine")

    def __init__(self, data: dict, pool: dict):
        scale = float(data["scale"])
        self.weights: dict[str, float] = {g: pool.setdefault(q, q * scale) for g, q in data["weights"].items()}
        self.bias = float(data["bias"])
        # 1/sqrt(count + offset): a short sentence's few n-grams weigh less than 1/sqrt(count) would make them.
        self.norm_offset = float(data.get("norm_offset", 0.0))
        self.threshold = float(data["threshold"])
        self.margin = _margin(self.threshold)
        self.known_fine = frozenset(data.get("known_fine", ()))

    def logit_of(self, g: set[str]) -> float:
        """The logit of a text whose n-grams are ``g``."""
        if not g:
            return self.bias
        return self.bias + sum(map(self.weights.get, g, repeat(0.0))) / math.sqrt(len(g) + self.norm_offset)


class ToneModel(_Linear):
    """A trained model (``tools/train_tone.py`` writes it): the sentence judgement (``_Linear``); for the tone
    model also a message part (``message``: a ``_Linear`` over whole messages and the sentence ``override``
    margin, see ``message_flagged_spans``)."""

    __slots__ = ("meta", "message", "override", "_scores")

    def __init__(self, data: dict):
        pool: dict[int, float] = {}
        super().__init__(data, pool)
        self.meta = {k: v for k, v in data.items() if k not in ("weights", "known_fine", "message")}
        part = data.get("message")
        self.message = _Linear(part, pool) if part else None
        # The sentence margin above which a sentence is flagged whatever its message scores.
        self.override = _margin(float(part.get("sentence_override", 1.0))) if part else math.inf
        # Sentence text -> (n-grams, sentence logit, message logit of its own n-grams): one score per sentence for
        # both judgements; a keystroke changes one sentence of the draft.
        self._scores: dict[str, tuple] = {}

    def _scored(self, sentence: str) -> tuple:
        f = self._scores.get(sentence)
        if f is None:
            g = grams(sentence)
            f = (g, self.logit_of(g), self.message.logit_of(g) if self.message is not None else 0.0)
            if len(self._scores) >= _SCORES_SIZE:
                self._scores.clear()
            self._scores[sentence] = f
        return f

    def logit(self, sentence: str) -> float:
        return self._scored(sentence)[1]

    def score(self, sentence: str) -> float:
        """The probability-like score in (0, 1) that ``sentence`` reads as hostile to the buyer."""
        z = self.logit(sentence)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def flags(self, sentence: str) -> bool:
        """Is ``sentence`` above the threshold (and not a training sentence known to be fine)? A one-word sentence
        written with spaces between words ("Ramos." cut from "Sra. Ramos.", "Danke!", French "Merci !" whose "!" is a
        token of its own) is never flagged: one word says nothing about tone (an insult in one word is the phrase
        rules' to find)."""
        return self.judges(sentence) and self.logit(sentence) > self.margin

    def judges(self, sentence: str) -> bool:
        """Does the model judge ``sentence`` at all: two words or more (or CJK text), and not a training sentence
        known to be fine? ``flags`` is this and the threshold; tools/intent_model_experiment.py ranks the judged
        sentences by ``logit`` without the threshold."""
        return judgeable(sentence) and sentence_key(sentence) not in self.known_fine

    def flagged_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans (offsets into ``text``) of the sentences of ``text`` the model flags."""
        return [(s, e) for s, e in sentence_spans(text) if self.flags(text[s:e])]

    def message_flagged_spans(self, text: str, allowed=None) -> list[tuple[int, int]] | None:
        """The message judgement: None when it does not apply (no message part, or fewer than two judgeable
        sentences: the sentence judgement ``flagged_spans`` stands); else the spans of the sentences it flags: in
        each window of ``message_windows`` whose message score is above the message threshold (and whose text is
        not a training message known to be fine), the sentences the sentence judgement flags, or, when it flags
        none, the window's sentence that weighs most towards hostile (the message weights over that sentence's own
        n-grams). In a window under the threshold only a sentence the sentence judgement scores above ``override``
        (a stricter threshold) is flagged: one plainly hostile sentence is not hidden by neutral ones around it.
        ``allowed(sentence)`` (the rule's ``unless`` patterns) rules sentences out: they are never flagged. When the
        sentence that weighs most is ruled out, no other is blamed in its place: the message's hostility came from it
        (a buyer's words reported, 「加湿器が動かない」とのことですね。), and the next sentence is a neutral one (measured on the
        rules' good examples on 2026-12-07: choosing the next flagged 14 of them)."""
        part = self.message
        if part is None:
            return None
        spans = sentence_spans(text)
        windows = message_windows(text, spans)
        if not windows:
            return None
        sentences = [text[s:e] for s, e in spans]
        scored = [self._scored(t) for t in sentences]
        out: list[tuple[int, int]] = []
        for i, j in windows:
            run = [k for k in range(i, j) if judgeable(sentences[k])]
            hostile = (part.logit_of(union_grams(scored[k][0] for k in range(i, j))) > part.margin
                       and sentence_key(text[spans[i][0]:spans[j - 1][1]]) not in part.known_fine)
            bar = self.margin if hostile else self.override
            own = [k for k in run if scored[k][1] > bar and sentence_key(sentences[k]) not in self.known_fine]
            if hostile and not own and run:
                own = [max(run, key=lambda k: scored[k][2])]
            out.extend(spans[k] for k in own if spans[k] not in out and (allowed is None or allowed(sentences[k])))
        return sorted(out)


def model_path(name: str = "tone") -> Path:
    return Path(__file__).resolve().parent / f"{name}_model.json"


_loaded: dict[str, ToneModel | None] = {}


def load_model(name: str = "tone") -> ToneModel | None:
    """The model ``app/<name>_model.json``, loaded once per process; None when the file is missing or not a
    model (the rule that uses it then reports nothing: the build writes the file)."""
    if name not in _loaded:
        try:
            _loaded[name] = ToneModel(json.loads(model_path(name).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            _loaded[name] = None
    return _loaded[name]
