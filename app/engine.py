r"""The checker: draft → views → raw hits → findings → report.

How a rule's patterns become findings
-------------------------------------
0. The draft is cut into pieces after sentence ends (at least ``_PIECE_MIN`` characters; shorter sentences
   stay with the next one). Each piece is checked on its own text followed by the next piece (context):
   a piece owns the matches that start in it, which may run into the context ("… on Telegram. @handle").
   A piece's hits depend only on those two texts, the draft's language, ``lang`` and ``own_terms``, so they
   are cached (typing re-checks the edited piece and the one before it). Rules anchored to the whole
   message (``\Z``, or ``\A`` first: scope "draft") see the whole draft instead.
1. Each pattern runs (``finditer``) over the rule's view of the text (app/normalize.py). The hit is the
   match, or the first of its ``hit``, ``hit2``, ``hit3``… groups that took part in it. For speed, a
   pattern whose every match must contain one of a few literals (found at load time, app/prefilter.py)
   runs only over the sentences where such a literal occurs, each extended by the sentence before and the
   sentence after it; a match may therefore cross one sentence end on either side of its literal, not
   more. (Both sides: a pattern with two required words is gated by the rarer one, and what it finds must
   not depend on which; see ``_matches``.) Patterns without such literals see the whole text; they are
   skipped only when a match is impossible: a case-insensitive pattern whose (ASCII) literals are absent
   from the lower-cased text, or one that needs a character of a non-ASCII class the text lacks (emoji).
   A pattern with word-edge sets (app/prefilter.py ``required_word_sets``: "se" as a whole word in
   ``\bse\b``) is a candidate only when a member of each occurs with its edges, which leaves out most of
   the patterns whose short or common literal only sits inside other words ("sent", "use"); its windows
   are still made of its literals.
   Which patterns are candidates is read per white-space-free token (``_ViewPlan``; the tokens of a piece's
   context are read once per check, as they are the next piece's own), and each candidate window gets one C
   search before any Python work: most candidates match nowhere. A pattern that begins with a look-behind
   or ``\b`` is run with a look-ahead for its possible first characters in front (app/prefilter.py
   ``gated``): the same matches, but most positions fail on one class test instead of a full try.
2. ``near``: the hit counts only if one of these patterns matches inside the sentence(s) holding the hit
   (sentences end at ``. ! ?`` + space, CJK full stops and line breaks), in the same view.
3. ``unless``: the hit is dropped if one of these patterns has a match overlapping it (same view; leftmost,
   non-overlapping matches as ``finditer`` finds them in the 200 characters around the hit — or in the
   whole view once a rule has more than 8 hits, which keeps long drafts linear). Precision controls live here: "order 123-1234567-1234567"
   is not a phone number, a carrier's number is allowed, and so on.
4. ``digits = [min, max]``: the hit must hold that many digits.
5. The view span is mapped back to the draft: the finding covers exactly the characters the seller typed.
6. Hits of one rule that overlap are merged into one finding (two patterns of a rule that agree on
   "add me on WhatsApp" and "WhatsApp" make one finding covering both).
7. Overlaps between rules: a finding lying inside (or on) a finding of higher severity is dropped (the
   domain ``gmail.com`` inside the e-mail ``john@gmail.com``), and so is one inside a finding of the same
   category (the bigger, more specific one explains it). Findings of different categories at the same
   severity are all kept: each names a different problem. An emoji, an HTML tag or an "[Important]" tag is
   never explained by a finding of another category ("a 5⭐ review" inside a review request, "<b>contact us
   first</b>" inside review gating): it flags the characters themselves, which Amazon blocks or strips
   whatever the sentence says.

How languages decide which rules apply
--------------------------------------
A rule lists the languages it is written for (``["*"]`` = any). The draft is split into sentences and
each sentence gets a language (app/langdetect.py): script first (kana → ja, Han → zh), function words for
Latin sentences, and the draft's language when a sentence is too short to tell. A rule's hit counts only
when the sentence it starts in is in one of the rule's languages. So:

- a Chinese note inside an English message is a Chinese sentence and gets the Chinese rules;
- French "con" (an insult) is only looked for in French sentences, so Spanish/Italian "con" (with) never
  trips it, while a French insult inside a Spanish draft is still caught (its sentence is French);
- ``lang=`` (the seller's marketplace language) is trusted for every Latin sentence; CJK sentences keep
  their script's language.

Rules whose languages appear in no sentence are skipped before matching, which is most of the cost saving
on a one-language draft.

Rules made of a learned model
-----------------------------
A rule with ``model = "tone"`` (rules/tone.toml) has no patterns: each sentence of a piece (app/tone.py
``sentence_spans``: the sentence without its leading and trailing white space) that the model scores above
its threshold is a hit of the rule, found with the piece's other hits and cached with them (a keystroke
scores only the edited piece's sentences; scores are also kept per piece, so a piece whose context changed
is not scored again). A sentence that another rule of the same category flags at block or warn keeps that
finding only: the model's finding is for the sentences no phrase rule explains. A model rule's ``unless``
patterns are searched in each sentence its model flags (NFKC-normalised, case-folded): a match drops it
(rules/off-platform-model.toml: a sentence that reports the buyer's own request).
The tone model also judges whole messages: a draft of two judgeable sentences or more is scored as one text (a
long one in windows) and its hits replace the sentences' (``_message_judgement``; app/tone.py
``ToneModel.message_flagged_spans``): veiled hostility spreads over sentences that each read as mild alone.
"""

from __future__ import annotations

import os
import re
import unicodedata
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Sequence

from .catalogue import LANGUAGES, Catalogue, Rule, hit_groups, load_default
from .langdetect import doc_lang, segments, text_stats
from .normalize import View, Views, fold_text, join_views, letters_view
from .prefilter import fold_text as fold_case
from .prefilter import (WORD_MARK, gate_class, gated, literal_cost, marked_word_sets, required_class,
                        required_literal_sets, word_edges, word_in)
from .report import SEVERITY_RANK, Finding, Report, verdict_of
from .tone import _SENTENCE_END as SENTENCE_END, load_model

__all__ = ["check", "compile_all", "keep_only_what_checks_need", "default_catalogue", "validate_own_term", "OWN_TERMS_RULE", "OWN_TERMS_CATEGORY"]

OWN_TERMS_RULE = "own-terms.custom"
OWN_TERMS_CATEGORY = "own-terms"
_UNLESS_WINDOW = 200
#: How far before a hit a rule's ``unless_before`` patterns look (``_drop_excepted_before``): two or three sentences;
#: and how far after it, so that a pattern can reach the number a rule's hit stops before ("Puede llamar al" is
#: off-platform.call-number's hit, the maker's line it belongs to ends on the number's digits).
UNLESS_BEFORE = 240
UNLESS_AFTER = 80

_default: Catalogue | None = None
_default_lock = threading.Lock()


def default_catalogue() -> Catalogue:
    """The catalogue in ``<repo>/rules``, loaded and compiled once per process."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = load_default()
    return _default


def compile_all(catalogue: Catalogue | None = None) -> int:
    """Compile every pattern now (rule patterns as the engine runs them, ``near`` and ``unless``), instead of
    each the first time a draft holds its literal; returns how many were compiled. The build's interpreter
    snapshot calls it, so the page never compiles a pattern while the seller types."""
    cat = catalogue if catalogue is not None else default_catalogue()
    plan = _plan_for(cat)
    count = 0
    for ri, rule in enumerate(cat.rules):
        for pi in range(len(rule.patterns)):
            if plan.compiled[ri][pi] is None:
                plan.pattern(ri, pi)
                count += 1
        for patterns in (rule.near, rule.unless, rule.unless_before):  # PatternList compiles on first access
            done = patterns.compiled_count() if hasattr(patterns, "compiled_count") else len(patterns)
            count += len(list(patterns)) - done
        if plan.guards[ri] is None:
            plan.guard(ri)
    return count


def keep_only_what_checks_need(catalogue: Catalogue | None = None) -> int:
    """Drop from the catalogue what checking no longer reads once ``compile_all`` has run: the rules'
    examples (the page never shows them) and the inputs of the engine's plan (prefilter literals, condition
    sets, word-edge sets, gates: the plan holds its own index of them). For the build's interpreter
    snapshot: it is what the page downloads, and these are ~6 MB of Python objects. Returns how many rules
    were slimmed. A plan built again for this catalogue would still be right (it works everything out from
    the patterns, as for a catalogue loaded from TOML), only slower to build."""
    cat = catalogue if catalogue is not None else default_catalogue()
    compile_all(cat)
    plan = _plan_for(cat)
    slim = tuple(
        replace(rule, bad=(), good=(), prefilters=(None,) * len(rule.patterns), conditions=(), words=(), gates=())
        for rule in cat.rules
    )
    object.__setattr__(cat, "rules", slim)  # the same rules in the same order: positions in the plan hold
    plan.rules = slim
    return len(slim)


# --------------------------------------------------------------------------------------------- sentences

# Sentence ends: a run of ``. ! ? …`` followed by white space or the end, a run of CJK full stops, a line
# break. Written to start with one character class so that ``re`` skips ahead to the next candidate in C
# (the same matches as ``[.!?…]+(?=\s|$)|[。！？]+|\n``, pinned by tests/test_engine.py). One definition,
# in app/tone.py, which scores the same sentences.
_SENTENCE_END = SENTENCE_END


class _Sentences:
    """Sentence boundaries of one view, computed on first use, and where literals occur among them."""

    __slots__ = ("ends", "n", "text", "_lits", "_windows")

    def __init__(self, text: str):
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not ends or ends[-1] != len(text):
            ends.append(len(text))
        self.ends = ends
        self.n = len(text)
        self.text = text
        self._lits: dict[str, tuple[int, int]] = {}
        self._windows: dict[int, list[tuple[int, int]]] = {}

    def _literal(self, lit: str) -> tuple[int, int]:
        """(occurrences, capped at 49; bit mask of the sentences holding one, each with the sentence after)."""
        found = self._lits.get(lit)
        if found is None:
            text, ends = self.text, self.ends
            last = len(ends) - 1
            width = len(lit) - 1
            count = mask = 0
            i = text.find(lit)
            while i != -1:
                count += 1
                if count > _WINDOW_HITS:
                    break
                a = bisect_right(ends, i)
                b = bisect_right(ends, i + width) + 1  # and the next sentence: "… Telegram。@handle"
                if b > last:
                    b = last
                mask |= (1 << (b + 1)) - (1 << a)
                i = text.find(lit, i + 1)
            found = self._lits[lit] = (count, mask)
        return found

    def windows(self, literals: list[str]) -> list[tuple[int, int, int]]:
        """The sentences holding an occurrence of any of ``literals``, each with the sentence after it
        (context first, target next: "… on Telegram. @handle"), merged into ranges ``(start, end, core)``;
        each range also takes the sentence before it, from ``start`` to ``core`` (see ``_matches``).

        A pattern that needs one of these literals can only match in such a sentence, so it is run there
        instead of over the whole draft; when that would cover most of the draft anyway, one range is
        returned (fewer calls).
        """
        count = mask = 0
        lit_info = self._literal
        for lit in literals:
            c, m = lit_info(lit)
            count += c
            mask |= m
        if count > _WINDOW_HITS:
            return [(0, self.n, 0)]
        spans = self._windows.get(mask)
        if spans is None:
            spans = self._windows[mask] = self._spans(mask)
        return spans

    def _spans(self, mask: int) -> list[tuple[int, int, int]]:
        ends, n = self.ends, self.n
        spans: list[tuple[int, int, int]] = []
        covered = 0
        while mask:
            a = (mask & -mask).bit_length() - 1  # the first sentence of a run of consecutive ones
            x = mask >> a
            run = (x ^ (x + 1)).bit_length() - 1
            b = a + run - 1
            s = ends[a - 1] if a else 0
            e = ends[b]
            # Runs are at least one sentence apart, so taking the sentence before each never overlaps them.
            spans.append((ends[a - 2] if a > 1 else 0, e, s))
            covered += e - s
            mask &= ~((1 << (b + 1)) - 1)
        if len(spans) > 16 or covered * 10 > n * 9:
            return [(0, n, 0)]  # nearly everything: one call is cheaper than many
        return spans

    def around(self, start: int, end: int) -> tuple[int, int]:
        i = bisect_right(self.ends, start)
        a = self.ends[i - 1] if i > 0 else 0
        j = bisect_right(self.ends, max(start, end - 1))
        b = self.ends[j] if j < len(self.ends) else self.ends[-1]
        return a, b


# A pattern whose literals occur more often than this in a text runs over the whole text.
_WINDOW_HITS = 48


# ------------------------------------------------------------------------------------------------ matching


_UNLESS_GLOBAL_AFTER = 8


class _Unless:
    """Does an ``unless`` pattern of a rule match over a hit?

    For a rule's first hits each pattern scans the 200 characters around the hit (leftmost, non-
    overlapping matches, as ``finditer`` finds them); once a rule has many hits in one check (long or
    hostile drafts), its patterns scan the whole view once and hits are looked up by bisection, so the
    cost stays linear in the draft instead of hits × window.
    """

    __slots__ = ("rule", "text", "hits", "spans", "pats")

    def __init__(self, rule: Rule, text: str, pats: tuple):
        self.rule = rule
        self.text = text
        self.hits = 0
        self.spans: list[tuple[list[int], list[int]]] | None = None
        self.pats = pats  # (pattern, literals one of which each match holds, or None): ``_Plan.guards``

    def overlaps(self, s: int, e: int) -> bool:
        self.hits += 1
        text = self.text
        if self.spans is None and self.hits > _UNLESS_GLOBAL_AFTER:
            self.spans = []
            for pat, lits in self.pats:
                if lits is not None and not any(lit in text for lit in lits):
                    continue  # no match anywhere
                found = [m.span() for m in pat.finditer(text) if m.end() > m.start()]
                self.spans.append(([a for a, _ in found], [b for _, b in found]))
        if self.spans is not None:
            for starts, ends in self.spans:
                # Matches are non-overlapping and sorted: the last one starting before e is the only one
                # that can reach past s.
                i = bisect_right(starts, e - 1) - 1
                if i >= 0 and ends[i] > s:
                    return True
            return False
        lo = max(0, s - _UNLESS_WINDOW)
        hi = min(len(text), e + _UNLESS_WINDOW)
        for pat, lits in self.pats:
            if lits is not None:
                # A match inside [lo, hi) holds one of the literals there (look-arounds hold none).
                for lit in lits:
                    if text.find(lit, lo, hi) != -1:
                        break
                else:
                    continue
            for m in pat.finditer(text, lo, hi):
                if m.start() >= e:
                    break
                if m.end() > s and m.end() > m.start():
                    return True
        return False


def _sentences_of(text: str, sentences: dict) -> _Sentences:
    sent = sentences.get(id(text))
    if sent is None:
        sent = sentences[id(text)] = _Sentences(text)
    return sent


def _matches(pat: re.Pattern, text: str, windows, vlimit: int):
    """Matches of ``pat`` in ``text`` that start before ``vlimit`` (a view offset), found in ``windows``
    (``_Sentences.windows``; None: the whole text).

    A window runs from the sentence before the first one holding a literal (``core``): a pattern that needs
    two words is gated by the rarer one, and a match may start a sentence before it ("星1の評価 …。… 削除"
    gated by 削除). What is found must not depend on which word gates it, nor may the extra sentence change a
    match found without it: a match starting before ``core`` gives way to the match starting at or after
    ``core`` that overlaps it (the one the sentence holding the literal yields on its own)."""
    if windows is None:
        for m in pat.finditer(text):
            if m.start() >= vlimit:
                return
            yield m
        return
    n = len(text)
    for a, b, core in windows:
        if a >= vlimit:
            return  # windows start at sentence starts: nothing in this one or later starts before the limit
        for m in pat.finditer(text, a, b):
            if m.start() >= vlimit:
                return
            if m.start() < core:
                own = pat.search(text, core, b)
                if own is not None and own.start() < m.end():
                    # ``finditer`` goes on after ``m``: the matches after ``own`` are those it finds there,
                    # as the window from ``core`` would (a match starts where the one before it ended).
                    yield from _matches(pat, text, ((core, b, core),), vlimit)
                    break
            if m.end() == b and b < n:
                # Cut by the window's end: let the pattern see the rest of the draft.
                full = pat.match(text, m.start())
                if full is not None:
                    m = full
            yield m


def _first_window(pat: re.Pattern, text: str, windows, vlimit: int):
    """The windows from the first one where ``pat`` matches before ``vlimit`` (None: no match at all), or
    ``None``/``windows`` unchanged when the whole text is searched. One C call per window: most candidate
    patterns match nowhere, and then nothing else is done for them."""
    if windows is None:
        m = pat.search(text)
        return _NOWHERE if m is None or m.start() >= vlimit else None
    for k, (a, b, _) in enumerate(windows):
        if a >= vlimit:
            return _NOWHERE
        if b > vlimit and vlimit - a <= _FEW_STARTS:
            # A window that starts just before the limit (the sentence after the piece begins in the piece's
            # trailing white space): only a match starting in those few characters counts, and ``search``
            # would find the leftmost one only after trying them. Trying them with ``match`` (the same
            # attempt ``search`` makes at each position) spares reading the rest of the sentence.
            for p in range(a, vlimit):
                if pat.match(text, p, b) is not None:
                    return windows[k:]
            return _NOWHERE  # the leftmost match, if any, starts at or after the limit; later windows too
        m = pat.search(text, a, b)
        if m is not None:
            return _NOWHERE if m.start() >= vlimit else windows[k:]
    return _NOWHERE


_NOWHERE: list = []
_FEW_STARTS = 4


def _rule_hits(rule: Rule, langs, pattern_ids, view: View, vlimit: int, segs, sentences: dict,
               limit: int, patterns: list, guards) -> list[tuple[int, int]]:
    """Draft spans of the rule's hits that start before ``limit`` (the end of the piece being checked; the
    text after it is context), merged where they overlap. ``pattern_ids``: (pattern position, windows to
    search from) of the patterns that match somewhere (``_first_window``); ``patterns``: the rule's compiled
    patterns (``_Plan.pattern``)."""
    text = view.text
    spans: list[tuple[int, int]] = []
    near_memo: dict[tuple[int, int], bool] = {}
    unless: _Unless | None = None
    for pi, windows in pattern_ids:
        pat = patterns[pi]
        hits_of = hit_groups(pat) if pat.groupindex else ()
        starts = view.starts
        for m in _matches(pat, text, windows, vlimit):
            # The piece owns the matches that start in it (a ``hit`` group may lie in the context after it:
            # "Telegram。@handle").
            ms = m.start()
            if starts is not None:
                if ms >= len(starts):
                    continue  # an empty match at the very end
                ms = starts[ms]
            if ms >= limit:
                continue
            for name in hits_of:
                if m.group(name) is not None:
                    s, e = m.span(name)
                    break
            else:
                s, e = m.span()
            if e <= s:
                continue
            ds, de = view.span(s, e)
            if langs is not None and segs.lang_at(ds) not in langs:
                continue
            if rule.digits is not None:
                nd = sum(1 for ch in text[s:e] if ch.isdigit())
                if not rule.digits[0] <= nd <= rule.digits[1]:
                    continue
            if rule.near:
                a, b = _sentences_of(text, sentences).around(s, e)
                # The answer depends only on the sentence: asked once per sentence, however many hits it has.
                ok = near_memo.get((a, b))
                if ok is None:
                    ok = near_memo[(a, b)] = any(
                        p.search(text, a, b) for p, lits in guards[0]
                        if lits is None or any(text.find(lit, a, b) != -1 for lit in lits))
                if not ok:
                    continue
            if rule.unless:
                if unless is None:
                    unless = _Unless(rule, text, guards[1])
                if unless.overlaps(s, e):
                    continue
            spans.append((ds, de))
    return _merge_overlapping(spans)


def _drop_explained_model_hits(cat: Catalogue, model_rules: frozenset, by_rule: dict) -> None:
    """A model rule's hit (a sentence) is dropped when a block/warn hit of another rule of its category
    overlaps it: that rule names the problem more precisely."""
    for mri in model_rules:
        spans = by_rule.get(mri)
        if not spans:
            continue
        category = cat.rules[mri].category
        others = [(s, e) for ri, hits in by_rule.items() if ri not in model_rules
                  and cat.rules[ri].category == category and cat.rules[ri].severity != "info" for s, e in hits]
        if others:
            kept = [(s, e) for s, e in spans if not any(a < e and s < b for a, b in others)]
            if kept:
                by_rule[mri] = kept
            else:
                del by_rule[mri]


def _merge_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones joined: one rule reports overlapping matches as one finding."""
    if len(spans) <= 1:
        return spans
    spans = sorted(spans)
    merged = [spans[0]]
    for s, e in spans[1:]:
        ps, pe = merged[-1]
        if s < pe:
            merged[-1] = (ps, max(pe, e))
        else:
            merged.append((s, e))
    return merged


# ------------------------------------------------------------------------------------------- matching plan

# Rough letter frequencies (per cent) over English, German, French, Spanish and Italian text, with space
# the most frequent "letter": an index key made of rare letters ("xyz") is found in few drafts, so fewer
# literals need a substring search.
_FREQ = {
    " ": 16.0, "e": 12.0, "a": 8.5, "i": 7.5, "n": 7.5, "o": 7.5, "t": 7.0, "s": 6.5, "r": 6.5, "l": 4.5,
    "d": 4.0, "u": 3.5, "c": 3.5, "h": 3.0, "m": 2.8, "p": 2.4, "g": 1.8, "v": 1.5, "b": 1.4, "f": 1.3,
    "y": 1.0, "w": 1.0, "k": 0.8, "z": 0.6, "j": 0.3, "x": 0.3, "q": 0.2, ".": 1.5, ",": 1.5, "'": 0.5,
}


def _key_gram(lit: str) -> tuple[str, str, str]:
    """The trigram of a literal to index it by: the least frequent one (the first of equals)."""
    f = _FREQ.get
    costs = [f(ch, 0.4) for ch in lit]
    best, at = costs[0] + costs[1] + costs[2], 0
    for i in range(1, len(lit) - 2):
        c = costs[i] + costs[i + 1] + costs[i + 2]
        if c < best:
            best, at = c, i
    return lit[at], lit[at + 1], lit[at + 2]


def _key_char(lit: str) -> str:
    return min(lit, key=lambda ch: (literal_cost(ch), lit.index(ch)))


_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"\w+")
_TOKEN_MEMO_LEN = 40  # longer tokens (a CJK paragraph, a pasted table) are looked at but not kept
_TOKEN_MEMO_SIZE = 50000  # distinct tokens kept per view plan (then the memo starts over)
_FEW_LITERALS = 48


class _ViewPlan:
    """Which patterns of one view can match a given text, decided from literals they require.

    Patterns and literals are numbered, and sets of them are ints used as bit sets (``|`` and ``&`` run in
    C). A literal without white space can only occur inside one white-space-free token of a text, so the
    literals of each distinct token are found once (the token's least frequent trigrams, or its characters
    for literals shorter than 3, select the literals worth a substring search) and remembered with the
    patterns they name: a text's literals and candidate patterns are then the union over its tokens. The
    few literals holding white space are searched in the text itself. A pattern with further literal sets
    (``Rule.conditions``) also needs one member of each of those to be present.
    """

    __slots__ = ("rps", "masks", "always", "non_ascii", "classes", "folded", "lits", "lit_patterns", "pattern_lits", "conditions",
                 "index3", "keys3", "index1", "keys1", "spanning", "memo", "_ids", "view_names", "edges",
                 "lit_patterns2", "single", "whole")

    def __init__(self) -> None:
        self.rps: list[tuple[int, int]] = []  # pattern number -> (rule position, pattern position)
        self.masks: dict[str, int] = {}  # view name -> its patterns
        self.always = 0  # patterns without prefilter
        # Patterns (of ``always``) that only match a text holding a character of a class of non-ASCII ones:
        # (pattern bit, compiled class).
        self.non_ascii = 0
        self.classes: list[tuple[int, re.Pattern]] = []
        # Patterns without prefilter that need case-insensitive literals: their own plan, asked about the
        # case-folded text (app/prefilter.py ``fold_text``); they still run over the whole text.
        self.folded: _ViewPlan | None = None
        self.lits: list[str] = []
        # Literal number -> None, or (string, word edge before, word edge after) for a literal with word edges
        # (app/prefilter.py ``required_word_sets``), which occurs only with those edges (``word_in``).
        self.edges: list[tuple[str, bool, bool] | None] = []
        self.lit_patterns: list[int] = []  # literal number -> patterns that need it (prefilter literal)
        # Literal number -> patterns whose second literal set it is in (``Rule.conditions``, word-edge sets):
        # a pattern is a candidate only when a literal of each of the two sets is present, which two big-int
        # ANDs tell at once instead of a test per pattern. ``single``: the patterns without a second set.
        self.lit_patterns2: list[int] = []
        self.single = 0
        # A whole word (a word edge on both sides, word characters only) -> its literal numbers: found by
        # looking a token's words up, not by a search per literal.
        self.whole: dict[str, list[int]] = {}
        self.pattern_lits: list[frozenset[int]] = []  # pattern number -> its prefilter literals
        self.conditions: dict[int, tuple[frozenset[int], ...]] = {}  # pattern number -> literal sets, one of each
        self.index3: dict[tuple, list[int]] = {}
        self.index1: dict[str, list[int]] = {}
        self.keys3: frozenset = frozenset()
        self.keys1: frozenset = frozenset()
        self.spanning: list[tuple[int, str]] = []  # literals holding white space
        self.memo: dict[str, tuple[tuple[int, ...], int]] = {}  # token -> (literals in it, patterns they name)
        self._ids: dict[str, int] = {}

    def _lid(self, lit: str) -> int:
        lid = self._ids.get(lit)
        if lid is None:
            lid = self._ids[lit] = len(self.lits)
            self.lits.append(lit)
            self.lit_patterns.append(0)
            self.lit_patterns2.append(0)
            edges = word_edges(lit) if WORD_MARK in lit else None
            self.edges.append(edges)
            if edges is not None:
                lit = edges[0]
                if edges[1] and edges[2] and _WORD.fullmatch(lit):
                    self.whole.setdefault(lit, []).append(lid)
                    return lid
            if _TOKEN.fullmatch(lit) is None:
                self.spanning.append((lid, lit))
            elif len(lit) >= 3:
                self.index3.setdefault(_key_gram(lit), []).append(lid)
            else:
                self.index1.setdefault(_key_char(lit), []).append(lid)
        return lid

    def add(self, view: str, rp: tuple[int, int], lits: frozenset[str] | None, conditions,
            source: str | None = None, words=()) -> None:
        """Index pattern ``rp`` under its prefilter literals (``lits``, one of which every match holds) and
        further ``conditions``, and ``words`` (its word-edge sets: conditions too). A pattern without
        prefilter runs on every text; with its ``source`` it is analysed for cheaper gates first (see
        ``folded`` and ``non_ascii``)."""
        if lits is None and source is not None:
            sets = required_literal_sets(source, 4, fold=True)
            if sets:
                if self.folded is None:
                    self.folded = _ViewPlan()
                self.folded.add(view, rp, sets[0], sets[1:])
                return
        j = len(self.rps)
        self.rps.append(rp)
        self.masks[view] = self.masks.get(view, 0) | 1 << j
        if lits is None:
            self.always |= 1 << j
            self.single |= 1 << j
            cls = required_class(source) if source is not None else None
            if cls is not None:
                self.non_ascii |= 1 << j
                self.classes.append((1 << j, re.compile(cls)))
            self.pattern_lits.append(frozenset())
            return
        ids = frozenset(self._lid(lit) for lit in sorted(lits))
        self.pattern_lits.append(ids)  # the literals its windows are made of
        conds = [frozenset(self._lid(x) for x in sorted(c)) for c in conditions]
        if words:
            # The pattern is a candidate when its first word-edge set is met (rarer than its literals: "se"
            # as a word, not inside "sent"), and one of its literals (``candidates``).
            select = frozenset(self._lid(x) for x in words[0])
            conds.extend(frozenset(self._lid(x) for x in ws) for ws in words[1:])
        else:
            select = ids
        for lid in select:
            self.lit_patterns[lid] |= 1 << j
        if conds:
            second = min(conds, key=lambda c: (sum(literal_cost(self.lits[x]) for x in c), sorted(c)))
            for lid in second:
                self.lit_patterns2[lid] |= 1 << j
            conds.remove(second)
        else:
            self.single |= 1 << j
        if conds:
            self.conditions[j] = tuple(conds)

    def freeze(self) -> None:
        if self.folded is not None:
            self.folded.freeze()
        self.view_names = tuple(sorted(self.masks.keys() | (self.folded.masks.keys() if self.folded else ())))
        self.keys3 = frozenset(self.index3)
        self.keys1 = frozenset(self.index1)
        self.index3 = {k: tuple(v) for k, v in self.index3.items()}
        self.index1 = {k: tuple(v) for k, v in self.index1.items()}
        # Most literals name one pattern: equal masks share one int (a mask is ~300 bytes).
        pool: dict[int, int] = {}
        self.lit_patterns = [pool.setdefault(m, m) for m in self.lit_patterns]
        self.lit_patterns2 = [pool.setdefault(m, m) for m in self.lit_patterns2]

    def _token(self, tok: str) -> tuple[tuple[int, ...], int, int]:
        """(literals, patterns naming them, patterns whose second set they are in) of one token."""
        ids: list[int] = []
        if self.keys3 and len(tok) > 2:
            index3 = self.index3
            for g in self.keys3.intersection(zip(tok, tok[1:], tok[2:])):
                ids.extend(index3[g])
        if self.keys1:
            index1 = self.index1
            for ch in self.keys1.intersection(tok):
                ids.extend(index1[ch])
        found_ids = []
        pm = pm2 = 0
        lits, lit_patterns, lit_patterns2, edges = self.lits, self.lit_patterns, self.lit_patterns2, self.edges
        for lid in ids:
            e = edges[lid]
            if lits[lid] in tok if e is None else e[0] in tok and word_in(tok, *e):
                found_ids.append(lid)
                pm |= lit_patterns[lid]
                pm2 |= lit_patterns2[lid]
        if self.whole:
            whole = self.whole
            for w in (tok,) if tok.isalnum() else set(_WORD.findall(tok)):  # (a plain word is its only word)
                for lid in whole.get(w, ()):
                    found_ids.append(lid)
                    pm |= lit_patterns[lid]
                    pm2 |= lit_patterns2[lid]
        found = (tuple(found_ids), pm, pm2)
        if len(tok) <= _TOKEN_MEMO_LEN:
            if len(self.memo) >= _TOKEN_MEMO_SIZE:
                self.memo.clear()
            self.memo[tok] = found
        return found

    def present(self, text: str, split: int = 0, parts: dict | None = None) -> tuple[set[int], int, int]:
        """(numbers of the literals that occur in ``text``, bit set of the patterns they name, bit set of the
        patterns whose second literal set they are in).

        ``split``: where the piece ends and its context begins in ``text``. When white space is on one side
        of it no token crosses it, so the tokens' literals are those of ``text[:split]`` plus those of
        ``text[split:]``, each looked up in ``parts`` (one dict per check): the context of one piece is
        usually the next piece's own text, read once instead of twice."""
        lits = self.lits
        if len(lits) <= _FEW_LITERALS:
            # A few literals (the whole-draft rules): searching each is cheaper than reading the tokens.
            lids: set[int] = set()
            pm = pm2 = 0
            edges = self.edges
            for lid, lit in enumerate(lits):
                e = edges[lid]
                if lit in text if e is None else word_in(text, *e):
                    lids.add(lid)
                    pm |= self.lit_patterns[lid]
                    pm2 |= self.lit_patterns2[lid]
            return lids, pm, pm2
        if parts is not None and 0 < split < len(text) and (text[split - 1].isspace() or text[split].isspace()):
            head, tail = text[:split], text[split:]
            found = parts.get(head)
            if found is None:
                found = parts[head] = self._tokens(head)
            found2 = parts.get(tail)
            if found2 is None:
                found2 = parts[tail] = self._tokens(tail)
            lids = found[0] | found2[0]
            pm = found[1] | found2[1]
            pm2 = found[2] | found2[2]
        else:
            lids, pm, pm2 = self._tokens(text)
        if self.spanning:
            edges = self.edges
            for lid, lit in self.spanning:
                e = edges[lid]
                if lit in text if e is None else word_in(text, *e):
                    if type(lids) is frozenset:
                        lids = set(lids)
                    lids.add(lid)
                    pm |= self.lit_patterns[lid]
                    pm2 |= self.lit_patterns2[lid]
        return lids, pm, pm2

    def _tokens(self, text: str) -> tuple[frozenset[int], int, int]:
        """(literals, patterns naming them) of the white-space-free tokens of ``text``."""
        lids: set[int] = set()
        pm = pm2 = 0
        memo = self.memo
        for tok in set(_TOKEN.findall(text)):
            found = memo.get(tok)
            if found is None:
                found = self._token(tok)
            if found[0]:
                lids.update(found[0])
                pm |= found[1]
                pm2 |= found[2]
        return frozenset(lids), pm, pm2

    def candidates(self, view: str, text: str, cache: dict, split: int = 0,
                   parts: dict | None = None) -> list[tuple[int, int, frozenset[int] | None]]:
        """Patterns of ``view`` that can match ``text``: (rule position, pattern position, the numbers of its
        required literals present or None when the pattern has no prefilter). ``cache`` keeps what was found per text
        for the other views of one piece (most views of a plain draft are the same string); ``split`` and
        ``parts``: see ``present``."""
        found = cache.get(id(text))
        if found is None:
            found = cache[id(text)] = (*self.present(text, split, parts), text)  # the text too: its id stays its own
        lids, pm, pm2, _ = found
        pm = ((pm & (pm2 | self.single)) | self.always) & self.masks.get(view, 0)
        if pm & self.non_ascii:
            if text.isascii():
                pm &= ~self.non_ascii
            else:
                for bit, cls in self.classes:
                    if pm & bit and cls.search(text) is None:
                        pm &= ~bit
        out: list[tuple[int, int, list[str] | None]] = []
        folded = self.folded
        if folded is not None and view in folded.masks:
            # Gated by case-insensitive literals, run over the whole text as before (no windows).
            key = ("fold", id(text))
            ft = cache.get(key)
            if ft is None:
                ft = cache[key] = (fold_case(text), text)
            out.extend((ri, pi, None) for ri, pi, _ in folded.candidates(view, ft[0], cache))
        rps, conditions, pattern_lits = self.rps, self.conditions, self.pattern_lits
        if not pm:
            return out
        # The set bits of pm, lowest first, found by a C search in its binary digits.
        bits = bin(pm)
        top = len(bits) - 1
        i = bits.rfind("1", 2)
        while i != -1:
            j = top - i
            i = bits.rfind("1", 2, i)
            conds = conditions.get(j)
            if conds is not None:
                # Every other literal set the pattern needs must also be met ("contact" AND "directly").
                for c in conds:
                    if c.isdisjoint(lids):
                        break
                else:
                    conds = None
                if conds is not None:
                    continue
            ri, pi = rps[j]
            here = pattern_lits[j]
            if here:
                here = here.intersection(lids)
                if not here:
                    continue  # selected by its words, but none of its literals is here
                out.append((ri, pi, here))
            else:
                out.append((ri, pi, None))
        return out


class _Plan:
    """What the engine derives from a catalogue once: the literal indexes of the sentence-scoped rules and of
    the whole-draft rules, and the cache of checked pieces (see ``check``)."""

    __slots__ = ("rules", "views", "raw_views", "draft_views", "sentence_indexes", "rule_langs", "_skip_cache", "cache", "compiled", "findings",
                 "models", "model_rules", "model_unless", "guards", "message_models", "before_rules")

    def guard(self, ri: int) -> tuple:
        """The rule's ``near`` and ``unless`` patterns, each with the literals one of which every match holds
        (app/prefilter.py; None when unknown): a pattern is not run where none of them occurs. Worked out
        on the rule's first hit (``compile_all`` does every rule)."""
        rule = self.rules[ri]
        out = []
        for patterns in (rule.near, rule.unless):
            sources = getattr(patterns, "sources", None) or [p.pattern for p in patterns]
            out.append(tuple((p, _guard_literals(src)) for p, src in zip(patterns, sources)))
        g = self.guards[ri] = (out[0], out[1])
        return g

    def skip_for(self, present: set[str]) -> frozenset[int]:
        """Positions of the rules none of whose languages is in the draft (cached per language set)."""
        key = frozenset(present)
        skip = self._skip_cache.get(key)
        if skip is None:
            skip = self._skip_cache[key] = frozenset(
                ri for ri, langs in enumerate(self.rule_langs) if langs is not None and key.isdisjoint(langs)
            )
        return skip

    def pattern(self, ri: int, pi: int) -> re.Pattern:
        """Pattern ``pi`` of rule ``ri``, compiled on first use: with a look-ahead for its first characters
        in front when it begins with a look-behind or ``\\b`` (``prefilter.gated``; same matches and groups,
        a fraction of the tries), else the catalogue's own."""
        rule = self.rules[ri]
        source = _source(rule, pi)
        # A compiled catalogue brings the class (worked out at build time); else it is read from the pattern.
        cls = rule.gates[pi] if len(rule.gates) == len(rule.patterns) else gate_class(source)
        fast = gated(source, cls) if cls is not None else None
        pat = self.compiled[ri][pi] = re.compile(fast) if fast is not None else rule.patterns[pi]
        return pat

    def __init__(self, cat: Catalogue):
        self.rules = cat.rules
        # None: the rule applies in every language (``*`` or all seven listed), so no sentence language is
        # ever looked up for it.
        self.rule_langs = [
            None if r.any_language or set(r.languages) >= set(LANGUAGES) else frozenset(r.languages)
            for r in cat.rules
        ]
        self._skip_cache: dict[frozenset, frozenset[int]] = {}
        # Compiled patterns by rule and pattern position, taken from the catalogue on first use (a list
        # lookup instead of the catalogue's lazily compiling sequence on every candidate).
        self.compiled: list[list[re.Pattern | None]] = [[None] * len(r.patterns) for r in cat.rules]
        self.guards: list[tuple | None] = [None] * len(cat.rules)  # see ``guard``
        # One literal index per scope over all views: views of a plain draft are often one string, read once.
        # The raw view (the draft as typed) is never that string, and its few patterns name few literals:
        # they get an index of their own, whose literals are looked for one by one, instead of reading every
        # token of the raw text in the big index.
        self.views = _ViewPlan()
        self.raw_views = _ViewPlan()
        self.draft_views = _ViewPlan()
        self.cache = _LRU(_CACHE_SIZE, _CACHE_CHARS)
        self.findings: dict[tuple, Finding] = {}  # (rule position, start, end, text) -> Finding (see _report)
        for ri, rule in enumerate(cat.rules):
            vp = self.draft_views if rule.scope == "draft" else self.raw_views if rule.view == "raw" else self.views
            for pi, lits in enumerate(rule.prefilters):
                # A pattern without literals is analysed for cheaper gates (case-insensitive literals, a
                # non-ASCII class). Not whole-draft ones: their gate would read every token of the whole
                # draft on every check, cached or not, which costs more than running them (measured).
                source = _source(rule, pi) if lits is None and rule.scope != "draft" else None
                vp.add(rule.view, (ri, pi), lits, rule.conditions[pi] if rule.conditions and lits is not None else (),
                       source, _word_sets(rule, pi) if lits is not None and rule.scope != "draft" else ())
        self.views.freeze()
        self.raw_views.freeze()
        self.draft_views.freeze()
        self.sentence_indexes = (self.views, self.raw_views)
        # Rules made of a learned model: (rule position, the loaded model); a rule whose model file is missing
        # reports nothing (build.py writes it).
        self.model_rules = frozenset(ri for ri, r in enumerate(cat.rules) if r.model is not None)
        self.models = tuple((ri, m) for ri in sorted(self.model_rules)
                            if (m := load_model(cat.rules[ri].model)) is not None)
        # The model rules whose model also judges whole messages (``_message_judgement``).
        self.message_models = tuple((ri, m) for ri, m in self.models if getattr(m, "message", None) is not None)
        # A model rule's ``unless`` patterns, searched in each sentence its model flags (``_model_hits``).
        self.model_unless = {ri: cat.rules[ri].unless for ri in self.model_rules if cat.rules[ri].unless}
        # The rules with ``unless_before`` patterns (``_drop_excepted_before``).
        self.before_rules = frozenset(ri for ri, r in enumerate(cat.rules) if r.unless_before)


def _word_sets(rule: Rule, pi: int) -> tuple[tuple[str, ...], ...]:
    """The word-edge sets of a rule's pattern, as marked literals (app/prefilter.py ``marked_word_sets``; a
    compiled catalogue brings them, worked out at build time)."""
    return rule.words[pi] if len(rule.words) == len(rule.patterns) else marked_word_sets(_source(rule, pi))


def _guard_literals(source: str) -> tuple[str, ...] | None:
    sets = required_literal_sets(source, 1)
    return tuple(sorted(sets[0])) if sets else None


def _source(rule: Rule, pi: int) -> str:
    """The source of a rule's pattern (without compiling it)."""
    sources = getattr(rule.patterns, "sources", None)
    return sources[pi] if sources is not None else rule.patterns[pi].pattern


def _plan_for(cat: Catalogue) -> _Plan:
    plan = cat.__dict__.get("_plan")
    if plan is None:
        plan = _Plan(cat)
        object.__setattr__(cat, "_plan", plan)  # a cache on the frozen catalogue, built once
    return plan


class _LRU:
    """A bounded mapping that forgets the least recently used entries (dicts keep insertion order). Bounded
    by entry count and by the characters of text held (each ``put`` says how many its key holds)."""

    __slots__ = ("size", "chars", "data", "held")

    def __init__(self, size: int, chars: int):
        self.size = size
        self.chars = chars
        self.data: dict = {}  # key -> (value, characters)
        self.held = 0

    def get(self, key):
        data = self.data
        item = data.pop(key, None)
        if item is None:
            return None
        data[key] = item
        return item[0]

    def put(self, key, value, chars: int) -> None:
        data = self.data
        old = data.pop(key, None)
        if old is not None:
            self.held -= old[1]
        data[key] = (value, chars)
        self.held += chars
        while len(data) > self.size or (self.held > self.chars and len(data) > 1):
            oldest = next(iter(data))
            self.held -= data.pop(oldest)[1]

    def clear(self) -> None:
        self.data.clear()
        self.held = 0


_DIGITS = "0123456789"


def _digit_count(text: str) -> int:
    return sum(text.count(d) for d in _DIGITS)


# ----------------------------------------------------------------------------------------------- own terms


@dataclass(frozen=True)
class _OwnTerm:
    term: str
    pattern_text: re.Pattern
    pattern_letters: re.Pattern


_OWN_MIN, _OWN_MAX = 3, 100


def validate_own_term(term: str) -> dict[str, str] | None:
    """Why ``term`` cannot be used as one of the seller's own terms ({en, zh}), or None when it can."""
    if not isinstance(term, str) or not term.strip():
        return {"en": "The term is empty.", "zh": "词条为空。"}
    t = term.strip()
    if len(t) < _OWN_MIN:
        return {
            "en": f"“{t}” is too short: use at least {_OWN_MIN} characters, or it would match inside ordinary words.",
            "zh": f"“{t}”太短：至少需要 {_OWN_MIN} 个字符，否则会误报普通单词。",
        }
    if len(t) > _OWN_MAX:
        return {
            "en": f"The term is too long ({len(t)} characters): use at most {_OWN_MAX}.",
            "zh": f"词条太长（{len(t)} 个字符）：最多 {_OWN_MAX} 个字符。",
        }
    if not any(ch.isalnum() for ch in t):
        return {
            "en": f"“{t}” has no letters or digits: it cannot be recognised in a message.",
            "zh": f"“{t}”不含字母或数字，无法在消息中识别。",
        }
    return None


def _term_regex(folded: str) -> str:
    """A pattern for a folded term: separators between its characters may vary (``my-shop`` ~ ``my shop``
    ~ ``myshop``), and a term starting/ending with a letter or digit must not sit inside a longer word."""
    parts: list[str] = []
    prev_alnum = False
    stripped = folded.strip()
    if stripped.startswith("+"):
        # "+1 555 …": the plus of an international number is part of the term, but may be left out.
        parts.append(r"\+?\s{0,2}")
        folded = stripped[1:]
    for ch in folded:
        if ch.isalnum():
            if prev_alnum:
                parts.append(r"[\s._\-·/()+]{0,2}")
            parts.append(re.escape(ch))
            prev_alnum = True
        elif ch.isspace() or ch in "._-·/()+":
            continue  # separators are optional and interchangeable (handled above)
        else:
            parts.append(r"\s{0,2}" + re.escape(ch) + r"\s{0,2}")
            prev_alnum = False
    body = "".join(parts)
    first, last = folded.strip()[:1], folded.strip()[-1:]
    # Word edges only for scripts with word boundaries: a CJK store name may sit in a CJK sentence.
    pre = r"(?<![^\W_])" if first.isascii() and first.isalnum() else ""
    post = r"(?![^\W_])" if last.isascii() and last.isalnum() else ""
    return pre + body + post


@lru_cache(maxsize=32)
def _compile_own_terms(terms: tuple[str, ...]) -> tuple[_OwnTerm, ...]:
    out = []
    for term in terms:
        if validate_own_term(term) is not None:
            continue
        folded = fold_text(term.strip()).text
        lettered = letters_view(View("text", folded)).text
        p_text = re.compile(_term_regex(folded))
        # Always searched in the letters view too: the draft may spread or leet-spell the term.
        p_letters = re.compile(_term_regex(lettered))
        out.append(_OwnTerm(term.strip(), p_text, p_letters))
    return tuple(out)


_OWN_TITLE = MappingProxyType({"en": "Your own contact detail or shop name", "zh": "您自己的联系方式或店铺名"})
_OWN_SUGGESTION = MappingProxyType(
    {
        "en": "Remove it. Buyers reach you through Buyer-Seller Messaging; do not name other channels.",
        "zh": "请删除。买家通过亚马逊买家与卖家消息服务联系您，不要提及其他渠道。",
    }
)


def _own_message(term: str) -> MappingProxyType:
    return MappingProxyType(
        {
            "en": f"This is “{term}”, a term you listed as your own (site, phone, store name). "
            "Sharing it sends the buyer off Amazon.",
            "zh": f"这是您登记的自有词条“{term}”（网站、电话、店铺名等）。发给买家会把买家引导到亚马逊之外。",
        }
    )


def _own_term_hits(terms: Sequence[str], views: Views) -> list[tuple[str, int, int]]:
    """(term, start, end) for each span of the draft where one of the seller's own terms occurs."""
    compiled = _compile_own_terms(tuple(terms))
    if not compiled:
        return []
    found: dict[tuple[int, int], str] = {}
    for ot in compiled:
        for view_name, pat in (("text", ot.pattern_text), ("letters", ot.pattern_letters)):
            view = views[view_name]
            for m in pat.finditer(view.text):
                if m.end() > m.start():
                    found.setdefault(view.span(m.start(), m.end()), ot.term)
    return [(term, s, e) for (s, e), term in found.items()]


def _own_finding(term: str, s: int, e: int, draft: str) -> Finding:
    return Finding(
        rule=OWN_TERMS_RULE,
        category=OWN_TERMS_CATEGORY,
        severity="block",
        start=s,
        end=e,
        text=draft[s:e],
        title=_OWN_TITLE,
        message=_own_message(term),
        suggestion=_OWN_SUGGESTION,
        fix="",
        policy=OWN_TERMS_CATEGORY,
    )


def _merge_same_rule(findings: list[Finding]) -> list[Finding]:
    findings.sort(key=lambda f: (f.start, f.end))
    out: list[Finding] = []
    for f in findings:
        if out and f.start < out[-1].end:
            prev = out.pop()
            end = max(prev.end, f.end)
            f = Finding(prev.rule, prev.category, prev.severity, prev.start, end, "", prev.title,
                        prev.message, prev.suggestion, prev.fix, prev.policy)
        out.append(f)
    return out


# ------------------------------------------------------------------------------------------------ resolving


# Categories that flag the characters themselves (an emoji inside a review request, "a 5⭐ review", a <b> tag inside
# a review-gating sentence, an "[Important]" tag opening it): no finding of another category explains them, and
# the seller must remove them whatever else changes, so they are kept inside a more severe one.
_NEVER_EXPLAINED = frozenset({"emoji", "html-markup", "important-tag"})


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Drop findings explained by a bigger one (see the module docstring, point 7)."""
    if len(findings) < 2:
        return findings
    # Longest first among equal starts, then most severe: a container is always seen before its content.
    order = sorted(findings, key=lambda f: (f.start, -f.end, -SEVERITY_RANK[f.severity], f.rule))
    kept: list[Finding] = []
    active: list[Finding] = []  # kept findings that may still contain later ones
    for f in order:
        active = [g for g in active if g.end > f.start or (g.end == f.start and g.start == f.start)]
        contained = False
        for g in active:
            if g.start <= f.start and f.end <= g.end:
                rank_g, rank_f = SEVERITY_RANK[g.severity], SEVERITY_RANK[f.severity]
                if g.category != f.category and f.category in _NEVER_EXPLAINED:
                    continue
                if rank_g > rank_f or (g.category == f.category and rank_g >= rank_f):
                    contained = True
                    break
        if not contained:
            kept.append(f)
            active.append(f)
    return kept


# ------------------------------------------------------------------------------------------------- check

# Pieces: the draft is cut after sentence ends (and the white space after them) into pieces of at least one
# sentence of _PIECE_MIN characters: a shorter sentence ("Hi.", "OK!", "w. ") stays with the next one.
# Whether a sentence end cuts depends only on that sentence, so an edit moves no cut outside its sentence.
_PIECE_END = re.compile(_SENTENCE_END.pattern + r"\s*")
_PIECE_MIN = 24
# Enough for the pieces of a 100,000-character paste (three entries per piece: hits, language counts,
# folded text), at most ~4 million characters of keys.
_CACHE_SIZE = 16384
_CACHE_CHARS = 4_000_000
# Pieces longer than this (with their context) are not kept: text without sentence ends (a pasted table, a
# run of digits) would fill memory with one-off keys, and such a piece is checked in one go anyway.
_CACHE_MAX_CHARS = 2000
_NO_HITS: tuple = ()
_FINDINGS_KEPT = 4096


def _pieces(text: str) -> list[int]:
    """Offsets where pieces end (the last is ``len(text)``)."""
    cuts: list[int] = []
    last = 0
    for m in _PIECE_END.finditer(text):
        e = m.end()
        if m.start() - last >= _PIECE_MIN:
            cuts.append(e)
            last = e
        elif m.start() == last:
            last = e  # sentence ends and spaces only: nothing to measure, keep the piece open
    n = len(text)
    if not cuts or cuts[-1] != n:
        cuts.append(n)
    return cuts


def _scan(plan: _Plan, cat: Catalogue, work: str, limit: int, doc: str, lang: str | None,
          own_terms: tuple[str, ...], indexes: tuple[_ViewPlan, ...], views: Views | None = None,
          parts: dict | None = None) -> tuple:
    """Raw hits ``(rule position, start, end)`` (own terms: ``(term, start, end)``) of the rules in
    ``indexes`` (a scope's literal indexes) on ``work``, keeping those that start before ``limit``. ``parts``:
    the literals of texts already read in this check (``_ViewPlan.present``)."""
    if views is None:
        views = Views(work)
    segs = segments(work, lang, doc)
    sentences: dict = {}
    by_rule: dict[int, list[tuple[int, list | None]]] = {}
    rules = cat.rules
    compiled = plan.compiled
    digit_counts: dict[str, int] = {}
    vlimits: dict[str, int] = {}
    for index in indexes:
        found: dict = {}
        lits = index.lits
        by_text: dict = {}  # id of a view's text -> {present literal numbers -> windows} (views share texts)
        for view_name in index.view_names:
            view = views[view_name]
            text = view.text
            # The first view offset whose draft offset is at or after the limit (view maps are non-decreasing).
            vlimit = vlimits[view_name] = min(limit, len(text)) if view.starts is None else bisect_left(view.starts, limit)
            sent = None
            known = by_text.get(id(text))
            if known is None:
                known = by_text[id(text)] = {}
            for ri, pi, present in index.candidates(view_name, text, found, vlimit, parts):
                rule = rules[ri]
                if rule.digits is not None:
                    nd = digit_counts.get(view_name)
                    if nd is None:
                        nd = digit_counts[view_name] = _digit_count(text)
                    if nd < rule.digits[0]:
                        continue
                if present is None:
                    windows = None
                else:
                    # Patterns needing the same literals (of those present) search the same windows.
                    windows = known.get(present)
                    if windows is None:
                        if sent is None:
                            sent = _sentences_of(text, sentences)
                        windows = known[present] = sent.windows([lits[lid] for lid in present])
                pat = compiled[ri][pi]
                if pat is None:
                    pat = plan.pattern(ri, pi)
                windows = _first_window(pat, text, windows, vlimit)
                if windows is not _NOWHERE:
                    by_rule.setdefault(ri, []).append((pi, windows))
    out: list[tuple] = []
    rule_langs = plan.rule_langs
    skip = None
    for ri in sorted(by_rule):
        if rule_langs[ri] is not None:
            # A rule none of whose languages any sentence has cannot report a hit (``lang_at`` answers only
            # those languages). Asked only now: sentence languages cost more than the searches, and most
            # drafts have no hit of a language-bound rule at all.
            if skip is None:
                skip = plan.skip_for(segs.present())
            if ri in skip:
                continue
        rule = rules[ri]
        ids = by_rule[ri]
        if len(ids) > 1:
            ids.sort(key=lambda x: x[0])
        guards = plan.guards[ri]
        if guards is None:
            guards = plan.guard(ri)
        for s, e in _rule_hits(rule, rule_langs[ri], ids, views[rule.view], vlimits[rule.view], segs, sentences,
                               limit, compiled[ri], guards):
            out.append((ri, s, e))
    if own_terms:
        out.extend(h for h in _own_term_hits(own_terms, views) if h[1] < limit)
    return tuple(out) if out else _NO_HITS


def _piece_hits(plan: _Plan, cat: Catalogue, text: str, a: int, b: int, c: int, doc: str, lang: str | None,
                own_terms: tuple[str, ...], use_cache: bool, parts: dict | None = None,
                stale: list | None = None) -> tuple:
    """Hits starting in the piece ``text[a:b]``, seen with the next piece ``text[b:c]`` as context.
    ``parts``: see ``_scan``. The cache keeps a piece's hits with the next piece they were found with.
    ``stale`` (a list, see ``check(settle=False)``): when the piece itself was checked before, with another
    next piece, its hits of then are returned instead of checking it again (those that ran into that other
    piece only as far as it and this one agree, as when this one grew by typing) and ``True`` is appended to
    ``stale``."""
    piece, after = text[a:b], text[b:c]
    use_cache = use_cache and c - a <= _CACHE_MAX_CHARS
    key = (piece, doc, lang, own_terms)
    last = plan.cache.get(key) if use_cache else None
    if last is not None:
        old_after, hits = last
        if old_after == after:
            return hits
        if stale is not None:
            stale.append(True)
            n = len(piece) + len(os.path.commonprefix((old_after, after)))
            return tuple(h for h in hits if h[2] <= n)
    hits = _scan(plan, cat, piece + after, len(piece), doc, lang, own_terms, plan.sentence_indexes, None, parts)
    if plan.models:
        hits = _model_hits(plan, piece, use_cache) + hits
    if use_cache:
        plan.cache.put(key, (after, hits), c - a)
    return hits


def _sentence_excepted(patterns, sentence: str) -> bool:
    """Does one of a model rule's ``unless`` patterns match in ``sentence`` (NFKC-normalised, case-folded)?"""
    folded = unicodedata.normalize("NFKC", sentence).casefold()
    return any(p.search(folded) is not None for p in patterns)


def _model_hits(plan: _Plan, piece: str, use_cache: bool) -> tuple:
    """Hits ``(rule position, start, end)`` of the model rules on the sentences of ``piece`` (kept per piece:
    they do not depend on the text after it)."""
    key = ("model", piece)
    hits = plan.cache.get(key) if use_cache else None
    if hits is None:
        unless = plan.model_unless
        hits = tuple((ri, s, e) for ri, model in plan.models for s, e in model.flagged_spans(piece)
                     if ri not in unless or not _sentence_excepted(unless[ri], piece[s:e]))
        if use_cache:
            plan.cache.put(key, hits, len(piece))
    return hits


def _doc_of(plan: _Plan, text: str, cuts: list[int], use_cache: bool) -> str:
    stats = []
    a = 0
    cache = plan.cache
    for b in cuts:
        piece = text[a:b]
        keep = use_cache and b - a <= _CACHE_MAX_CHARS
        key = ("stats", piece)
        st = cache.get(key) if keep else None
        if st is None:
            st = text_stats(piece)
            if keep:
                cache.put(key, st, b - a)
        stats.append(st)
        a = b
    return doc_lang(stats)


def clear_cache(catalogue: Catalogue | None = None) -> None:
    """Forget the checked pieces, and what was remembered of words and findings (tests compare a cached
    check with one from scratch; benchmarks measure text never seen)."""
    cat = catalogue if catalogue is not None else default_catalogue()
    plan = _plan_for(cat)
    plan.cache.clear()
    plan.findings.clear()
    for index in (plan.views, plan.raw_views, plan.draft_views):
        for vp in (index, index.folded):
            if vp is not None:
                vp.memo.clear()


def _own_terms_of(caller: str, text, lang, own_terms) -> tuple[str, ...]:
    """Validate the arguments check() and prepare() share; the own terms as a tuple (one str is one term)."""
    if not isinstance(text, str):
        raise TypeError(f"{caller}() needs a str, not {type(text).__name__}")
    if lang is not None and lang not in ("en", "de", "fr", "es", "it", "ja", "zh"):
        raise ValueError(f"unknown language {lang!r}: use one of en de fr es it ja zh, or None to detect")
    return (own_terms,) if isinstance(own_terms, str) else tuple(own_terms)


# The text prepare() worked on last, with its pieces and language, so the steps of one long paste cut and
# weigh the text once.
_prepared: list = [None, None, None]  # [text, cuts, doc]


def prepare(
    text: str,
    *,
    start: int = 0,
    chars: int = 2000,
    lang: str | None = None,
    own_terms: Sequence[str] = (),
    catalogue: Catalogue | None = None,
) -> int:
    """Check part of ``text`` into the piece cache, without building a report: the pieces from the one that
    holds ``start`` on, until about ``chars`` characters are done. Returns the offset to start the next call
    at, ``len(text)`` when every piece is done. A later ``check(text, lang=…, own_terms=…)`` with the same
    arguments gives exactly the report it would have given anyway, only from the cache.

    The page calls this in frame-sized steps after a long paste, so typing stays fluid while the pasted
    text is checked, then calls ``check`` once for the report.
    """
    own = _own_terms_of("prepare", text, lang, own_terms)
    if not text or start >= len(text):
        return len(text)
    cat = catalogue if catalogue is not None else default_catalogue()
    plan = _plan_for(cat)
    if _prepared[0] is not text and _prepared[0] != text:
        cuts = _pieces(text)
        _prepared[:] = [text, cuts, None]
    cuts = _prepared[1]
    if lang is None and _prepared[2] is None:
        _prepared[2] = _doc_of(plan, text, cuts, True)
    doc = lang or _prepared[2]
    k = max(0, bisect_right(cuts, max(0, start)) - 1)
    a = cuts[k - 1] if k > 0 else 0
    done = 0
    parts: dict = {}
    while k < len(cuts) and (done < chars or a <= start):  # at least up to the piece holding start
        b = cuts[k]
        c = cuts[k + 1] if k + 1 < len(cuts) else b
        _piece_hits(plan, cat, text, a, b, c, doc, lang, own, True, parts)
        done += b - a
        a = b
        k += 1
    return len(text) if k >= len(cuts) else a


def check(
    text: str,
    *,
    lang: str | None = None,
    own_terms: Sequence[str] = (),
    catalogue: Catalogue | None = None,
    incremental: bool = True,
    settle: bool = True,
) -> Report:
    r"""Check a draft message; see docs/ARCHITECTURE.md for the report's shape.

    How a draft is checked: it is cut into pieces (``_pieces``: one or more sentences, at least
    ``_PIECE_MIN`` characters). Each piece is checked with the next piece as context: a match may start in
    the piece and run into the next one ("… on Telegram. @handle"), and ``near``/``unless`` see both. Rules
    anchored to the whole message (``\A``/``\Z``, scope "draft") see the whole draft. The draft's language
    (for short Latin sentences) is decided on the whole draft. The result of a piece depends only on its
    text, the next piece's text, the draft's language, ``lang`` and ``own_terms``, so it is kept in a bounded
    cache: typing a character re-checks the piece it falls in and the one before (whose context changed).
    ``incremental=False`` ignores the cache (same result, all pieces checked).

    ``settle=False`` (the page's check of a keystroke): a piece whose own text is unchanged but whose next
    piece changed — the one before the piece being typed — is not checked again now: its hits from its last
    check are reported, less any that ran into the old next piece. That halves a keystroke's work; the
    report's ``settled`` is then False, and a check with ``settle=True`` (the default; the page runs it in
    the next frame) gives the full result.
    """
    own = _own_terms_of("check", text, lang, own_terms)
    if not text:
        return Report(verdict="ok", findings=(), lang=lang or "en", reminders=())  # no pattern matches ""
    cat = catalogue if catalogue is not None else default_catalogue()
    plan = _plan_for(cat)
    cuts = _pieces(text)
    doc = lang or _doc_of(plan, text, cuts, incremental)
    raw: list[tuple[object, int, int]] = []
    parts: dict = {}
    stale: list | None = None if settle else []
    a = 0
    for k, b in enumerate(cuts):
        c = cuts[k + 1] if k + 1 < len(cuts) else b
        for h, s, e in _piece_hits(plan, cat, text, a, b, c, doc, lang, own, incremental, parts, stale):
            raw.append((h, s + a, e + a))
        a = b
    if plan.draft_views.rps or plan.draft_views.folded is not None:
        views = Views(text)
        if set(plan.draft_views.view_names) == {"text"}:
            # The folded draft is the folded pieces joined (folding never crosses white space): kept per piece.
            parts = []
            a = 0
            for b in cuts:
                piece = text[a:b]
                keep = incremental and b - a <= _CACHE_MAX_CHARS
                v = plan.cache.get(("fold", piece)) if keep else None
                if v is None:
                    v = fold_text(piece)
                    if keep:
                        plan.cache.put(("fold", piece), v, 2 * (b - a))
                parts.append((a, v))
                a = b
            views.preset("text", join_views("text", parts))
        raw.extend(_scan(plan, cat, text, len(text) + 1, doc, lang, (), (plan.draft_views,), views))
    if plan.before_rules:
        raw = _drop_excepted_before(plan, cat, text, raw)
    if plan.message_models:
        raw = _message_judgement(plan, text, raw)
    return _report(cat, text, raw, doc, settled=not stale)


def _drop_excepted_before(plan: _Plan, cat: Catalogue, text: str, raw: list) -> list:
    """Drop the hits of rules with ``unless_before`` patterns that one of them excepts: each is searched in the
    rule's view of the draft's ``UNLESS_BEFORE`` characters before the hit, the hit and ``UNLESS_AFTER`` characters
    after it, and a match that overlaps the hit drops it. The pieces are checked apart (each with the next as
    context), so an exception named in an earlier sentence ("… the manufacturer's recall. Please call
    Kinderway's safety line at 1-800-…") is only seen here, on the whole draft; the cost is one short window per
    hit of those rules."""
    out = []
    for h in raw:
        ri, s, e = h
        if isinstance(ri, int) and ri in plan.before_rules:
            ws = max(0, s - UNLESS_BEFORE)
            view = Views(text[ws:e + UNLESS_AFTER])[cat.rules[ri].view]
            if any(_overlaps_hit(view, pat, s - ws, e - ws) for pat in cat.rules[ri].unless_before):
                continue
        out.append(h)
    return out


def _overlaps_hit(view: View, pat: re.Pattern, a: int, b: int) -> bool:
    """Does a match of ``pat`` in ``view`` cover some of the view's source span [a, b)?"""
    for m in pat.finditer(view.text):
        if m.end() > m.start():
            ms, me = view.span(m.start(), m.end())
            if ms < b and a < me:
                return True
    return False


def _message_judgement(plan: _Plan, text: str, raw: list) -> list:
    """A model with a message part (app/tone.py ``ToneModel.message_flagged_spans``) judges a draft of two
    judgeable sentences or more as a whole: its hits replace the sentence judgement's hits of that rule (the
    pieces' sentence scores are kept by the model, so they are not computed twice). A sentence the rule's
    ``unless`` patterns except is never flagged (and no other is blamed in its place). A draft of one judgeable
    sentence keeps the sentence judgement (the pieces' hits)."""
    for ri, model in plan.message_models:
        unless = plan.model_unless.get(ri)
        spans = model.message_flagged_spans(
            text, allowed=None if unless is None else (lambda t, u=unless: not _sentence_excepted(u, t)))
        if spans is None:
            continue
        raw = [h for h in raw if h[0] != ri]
        raw.extend((ri, s, e) for s, e in spans)
    return raw


def _report(cat: Catalogue, text: str, raw: list, doc: str, settled: bool = True) -> Report:
    by_rule: dict[int, list[tuple[int, int]]] = {}
    own_hits: list[Finding] = []
    for h, s, e in raw:
        if isinstance(h, int):
            by_rule.setdefault(h, []).append((s, e))
        else:
            own_hits.append(_own_finding(h, s, e, text))
    findings: list[Finding] = []
    plan = _plan_for(cat)
    if plan.model_rules:
        _drop_explained_model_hits(cat, plan.model_rules, by_rule)
    made = plan.findings  # findings are immutable: the ones of the last checks are reused
    if len(made) > _FINDINGS_KEPT:
        made.clear()
    for ri in sorted(by_rule):
        rule = cat.rules[ri]
        for s, e in _merge_overlapping(by_rule[ri]):
            key = (ri, s, e, text[s:e])
            f = made.get(key)
            if f is None:
                f = made[key] = Finding(
                    rule=rule.id,
                    category=rule.category,
                    severity=rule.severity,
                    start=s,
                    end=e,
                    text=key[3],
                    title=rule.title,
                    message=rule.message,
                    suggestion=rule.suggestion,
                    fix=rule.fix,
                    policy=rule.category,
                )
            findings.append(f)
    if own_hits:
        findings.extend(Finding(f.rule, f.category, f.severity, f.start, f.end, text[f.start:f.end], f.title,
                                f.message, f.suggestion, f.fix, f.policy) for f in _merge_same_rule(own_hits))
    findings = _resolve(findings)
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    reminders = []
    seen: set[str] = set()
    for f in findings:
        if f.category not in seen:
            seen.add(f.category)
            c = cat.categories.get(f.category)
            if c is not None:
                reminders.append(
                    MappingProxyType(
                        {"category": c.id, "title": c.title, "reminder": c.reminder, "sources": c.sources}
                    )
                )
    return Report(verdict=verdict_of(findings), findings=tuple(findings), lang=doc, reminders=tuple(reminders),
                  settled=settled)
