"""Phrase rewrites: one-click fixes wider than a finding ("contact me on WhatsApp +44 …" → "reply to this
message here", "leave 5 stars and we refund you" → a neutral review request).

The rules flag key words ("WhatsApp", "5 stars"); replacing only the key word would leave a broken
sentence. A rewrite (``app/rewrites.toml``, data written by people) names the rules or categories it
serves, its language, patterns that find the whole violating phrase in the sentence holding a finding,
and the replacement. After ``check`` has produced a report, ``apply_rewrites`` gives each finding of a
served rule whose span lies inside a pattern's match ``fix`` = the replacement and ``fix_start``/
``fix_end`` = the match (code points, may be wider than the finding). Findings of other rules cost
nothing, and the file is read only when the first served finding appears (the page's start-up does not
pay for it).

File shape (every mistake raises ``RewriteError`` naming the entry and the fix, as app/catalogue.py does):

    [fragments]                 # named regex pieces, used in patterns as {{name}}
    apps = 'whats\\s?app|wechat'

    [[rewrite]]
    id = "contact-on-messenger.en"           # unique, [a-z0-9.-]
    serves = ["off-platform", "contact-details.phone"]   # category ids or rule ids
    language = "en"                          # en de fr es it ja zh
    patterns = ['(?:contact|message) (?:me|us) on (?:{{apps}})']   # Python re, case-insensitive
    replacement = "reply to this message here"
    examples = [{ before = "Please contact me on WhatsApp.", after = "Please reply to this message here." }]

Patterns run on one sentence (sentences end at ``. ! ? …`` + space, CJK full stops and line breaks;
leading and trailing white space is not part of it), so ``^``/``$`` anchor the sentence. When the
widest match holding the finding starts the sentence, the replacement's first letter is upper-case,
otherwise lower-case (scripts without case are unchanged). After a Spanish opening mark ('¿', '¡', white space allowed) it
still counts as the sentence's start. A match that a full stop and lower-case text follow ('la nota máx. en Amazon') gets no
fix: the dot ends an abbreviation, not the request.

Pure standard library: runs unchanged on CPython and in Pyodide.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .report import Finding, Report
from .tone import quotation_spans

__all__ = ["REWRITES_PATH", "Rewrite", "RewriteError", "apply_rewrites", "load_rewrites", "preload", "reported_question", "rewrite_for"]

REWRITES_PATH = Path(__file__).with_name("rewrites.toml")
LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "zh")
_ID = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_FRAGMENT = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}")
_KEYS = {"id", "serves", "language", "patterns", "replacement", "examples"}
# Sentence ends, as the engine cuts sentences (app/engine.py).
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|[。！？]+|\n")
# How far from a finding a sentence end is looked for (a run-on paste has none), and the longest sentence
# a rewrite is tried on: a violating request is one short sentence, and the patterns' cost grows with the
# sentence (a hostile paste without sentence ends gets no phrase fix instead of a slow check).
_SENTENCE_REACH = 600
_SENTENCE_MAX = 600
# A full stop and lower-case text after a match: an abbreviation's dot ('la nota máx. en Amazon'), see ``rewrite_for``.
_ABBREVIATION_DOT = re.compile(r"\.[ \t]+[a-zà-öø-ÿ]")


class RewriteError(ValueError):
    """The rewrites file cannot be used; ``str(err)`` names the file, the entry and the fix."""


@dataclass(frozen=True)
class Rewrite:
    id: str
    serves: tuple[str, ...]
    language: str
    patterns: tuple[re.Pattern, ...]
    replacement: str
    examples: tuple[tuple[str, str], ...]  # (before, after)


def _fail(source: str, where: str, what: str, fix: str) -> RewriteError:
    return RewriteError(f"{source}: {where}: {what} — fix: {fix}")


def _expand(pattern: str, fragments: dict[str, str], source: str, where: str) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            raise _fail(source, where, f"unknown fragment {{{{{name}}}}}",
                        f"declare {name} in [fragments] or correct the name")
        return f"(?:{fragments[name]})"

    return _FRAGMENT.sub(sub, pattern)


def _parse(data: dict, source: str, known: set[str] | None) -> tuple[Rewrite, ...]:
    unknown_top = sorted(set(data) - {"fragments", "rewrite"})
    if unknown_top:
        raise _fail(source, "top level", f"unknown table {', '.join(unknown_top)}", "use only [fragments] and [[rewrite]]")
    fragments = data.get("fragments", {})
    if not isinstance(fragments, dict) or not all(isinstance(v, str) for v in fragments.values()):
        raise _fail(source, "[fragments]", "not a table of strings", "write name = 'regex' lines")
    for name, value in fragments.items():
        if _FRAGMENT.search(value):
            raise _fail(source, f"fragment '{name}'", "uses another fragment", "write the fragment out in full")
        try:
            re.compile(value)
        except re.error as err:
            raise _fail(source, f"fragment '{name}'", f"does not compile ({err})", "correct the regular expression") from None
    entries = data.get("rewrite", [])
    if not isinstance(entries, list) or not entries:
        raise _fail(source, "top level", "no [[rewrite]] entries", "add at least one [[rewrite]]")
    out: list[Rewrite] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        rid = entry.get("id") if isinstance(entry, dict) else None
        where = f"rewrite '{rid}'" if isinstance(rid, str) else f"rewrite #{n}"
        if not isinstance(entry, dict):
            raise _fail(source, where, "not a table", "write it as a [[rewrite]] table")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise _fail(source, where, f"unknown key {', '.join(unknown)}", f"use only {', '.join(sorted(_KEYS))}")
        missing = sorted(_KEYS - set(entry))
        if missing:
            raise _fail(source, where, f"missing {', '.join(missing)}", "add it")
        if not isinstance(rid, str) or not _ID.fullmatch(rid):
            raise _fail(source, where, "bad id", "use lower-case letters, digits, '.' and '-'")
        if rid in seen:
            raise _fail(source, where, "duplicate id", "give each rewrite its own id")
        seen.add(rid)
        serves = entry["serves"]
        if not isinstance(serves, list) or not serves or not all(isinstance(s, str) and s for s in serves):
            raise _fail(source, where, "serves must be a non-empty list of rule or category ids",
                        'write serves = ["off-platform", "contact-details.phone"]')
        if known is not None:
            bad = [s for s in serves if s not in known]
            if bad:
                raise _fail(source, where, f"serves unknown rule or category {', '.join(bad)}",
                            "use an id from rules/*.toml or rules/categories.toml")
        language = entry["language"]
        if language not in LANGUAGES:
            raise _fail(source, where, f"unknown language {language!r}", f"use one of {' '.join(LANGUAGES)}")
        replacement = entry["replacement"]
        if not isinstance(replacement, str) or not replacement.strip() or replacement != replacement.strip():
            raise _fail(source, where, "replacement must be non-empty text without surrounding spaces",
                        "write the words that replace the phrase")
        patterns = entry["patterns"]
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise _fail(source, where, "patterns must be a non-empty list of regular expressions", "add patterns = ['…']")
        compiled = []
        for k, pattern in enumerate(patterns, 1):
            expanded = _expand(pattern, fragments, source, f"{where}: pattern {k}")
            try:
                compiled.append(re.compile(expanded, re.IGNORECASE))
            except re.error as err:
                raise _fail(source, f"{where}: pattern {k}", f"does not compile ({err})",
                            "correct the regular expression") from None
            if compiled[-1].search(""):
                raise _fail(source, f"{where}: pattern {k}", "matches empty text", "make the pattern require the phrase")
        examples = entry["examples"]
        if (not isinstance(examples, list) or not examples or not all(
                isinstance(e, dict) and set(e) == {"before", "after"}
                and all(isinstance(v, str) and v.strip() for v in e.values()) for e in examples)):
            raise _fail(source, where, "examples must be a non-empty list of { before = \"…\", after = \"…\" }",
                        "add at least one draft and the exact text after the fix")
        out.append(Rewrite(
            id=rid,
            serves=tuple(serves),
            language=language,
            patterns=tuple(compiled),
            replacement=replacement,
            examples=tuple((e["before"], e["after"]) for e in examples),
        ))
    return tuple(out)


def _known_ids() -> set[str]:
    from .engine import OWN_TERMS_CATEGORY, default_catalogue

    cat = default_catalogue()
    return {r.id for r in cat.rules} | set(cat.categories) | {OWN_TERMS_CATEGORY}


def load_rewrites(path: str | Path | None = None, *, validate_ids: bool = True) -> tuple[Rewrite, ...]:
    """Read and validate a rewrites file (default: app/rewrites.toml). ``serves`` ids are checked against
    the default rule catalogue unless ``validate_ids`` is false."""
    path = Path(path) if path is not None else REWRITES_PATH
    source = f"app/{path.name}" if path == REWRITES_PATH else str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RewriteError(f"{source}: not valid TOML ({err}) — fix: correct the syntax") from None
    return _parse(data, source, _known_ids() if validate_ids else None)


_default: tuple[tuple[Rewrite, ...], dict[str, list[Rewrite]]] | None = None
_lock = threading.Lock()


def _default_index() -> tuple[tuple[Rewrite, ...], dict[str, list[Rewrite]]]:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                rewrites = load_rewrites(validate_ids=False)  # ids are checked by the tests and the build
                _default = (rewrites, _index(rewrites))
    return _default


def preload() -> None:
    """Read and compile the rewrites now (the page calls this once it is idle after start-up, so the first
    WhatsApp request typed does not pay for it)."""
    _default_index()


def _index(rewrites) -> dict[str, list[Rewrite]]:
    index: dict[str, list[Rewrite]] = {}
    for rw in rewrites:
        for sid in rw.serves:
            index.setdefault(sid, []).append(rw)
    return index


# Which rule ids and categories the default file serves, so findings of other rules cost one set lookup
# and the file is not read at all until one of these appears. Kept in step with the file by a test.
SERVED = frozenset({
    "off-platform", "contact-details", "review-manipulation",
})


_SENTENCES: dict[tuple[str, int, int], tuple[int, int]] = {}
_SENTENCES_MAX = 2048


def _sentence_cached(text: str, start: int, end: int) -> tuple[int, int]:
    """``_sentence``, remembered across checks by the window of text it reads (a keystroke elsewhere in the
    draft leaves the window, hence the answer, unchanged): its result depends on that window only."""
    lo = max(0, start - _SENTENCE_REACH)
    hi = min(len(text), end + _SENTENCE_REACH)
    key = (text[lo:hi], start - lo, end - lo)
    hit = _SENTENCES.get(key)
    if hit is None:
        hit = _sentence(key[0], start - lo, end - lo)
        if len(_SENTENCES) >= _SENTENCES_MAX:
            _SENTENCES.clear()
        _SENTENCES[key] = hit
    return lo + hit[0], lo + hit[1]


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) holding ``text[start:end]``, without surrounding white space."""
    lo = max(0, start - _SENTENCE_REACH)
    a = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        if m.end() <= start:
            a = m.end()
    m = _SENTENCE_END.search(text, max(start, end - 1), min(len(text), end + _SENTENCE_REACH))
    b = m.end() if m else min(len(text), end + _SENTENCE_REACH)
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _cased(replacement: str, at_sentence_start: bool) -> str:
    first = replacement[0]
    if at_sentence_start:
        return first.upper() + replacement[1:] if first.islower() else replacement
    return first.lower() + replacement[1:] if first.isupper() else replacement


# The buyer's words in single quotes after a colon ("You wrote: 'Just call me, it's easier.'"): the closing mark is
# the one not followed by a letter, so an apostrophe inside ("it's") does not end the quotation. Only after a colon,
# where a quotation is announced; elsewhere a single mark is as often an apostrophe. The tone model keeps its own
# marks (app.tone ``quotation_spans``), on which it was trained.
_SINGLE_QUOTED = re.compile(r"(?<=[:：]\s)['‘](?:[^'‘’\n]|['’](?=\w))*['’](?!\w)")


def _quotes(text: str) -> list[tuple[int, int]]:
    spans = quotation_spans(text)
    if "'" in text or "‘" in text:
        spans = spans + [m.span() for m in _SINGLE_QUOTED.finditer(text)]
    return spans


def inside_quote(text: str, at: int) -> bool:
    """Whether ``text[at]`` lies inside a quotation (app.tone ``quotation_spans``, the same marks the tone model
    leaves out, and single quotes announced by a colon): the buyer's own words quoted back, which a rewrite must
    never change."""
    return _within(_quotes(text), at)


def _within(spans: list[tuple[int, int]], at: int) -> bool:
    return any(a < at < b for a, b in spans)


# The buyer's question reported in the seller's words ("You asked whether you can message us on WhatsApp. That
# number is the maker's."): a phrase inside it is the buyer's wish, not the seller's invitation, and is never
# rewritten, like a quotation. The frame comes before the phrase in the European languages ("you asked if",
# "Sie haben gefragt, ob", "vous avez demandé si", "preguntó si", "ha chiesto se", "您问能否") and after it in
# Japanese ("…できるかとのお問い合わせ"). Between the frame and the phrase: at most 60 characters, no colon or
# semicolon and no "but / yes / and" that would start the seller's own answer ("You asked if you can pay by
# PayPal: yes, contact us on WhatsApp" is rewritten).
_ANSWER_START = r"(?:[:;：；]|\b(?:but|yes|and|so|aber|ja|und|mais|oui|et|pero|s[ií]|y|ma|s[iì]|e)\b|但|不过|可以的)"
_REPORTED_BEFORE = re.compile(
    r"(?:\b(?:you|the\s+buyer|he|she|they)\s+(?:(?:have|had|were|are)\s+)?(?:asked|asking|wondered|wondering|"
    r"enquired|inquired|wanted\s+to\s+know)\s+(?:(?:us|me)\s+)?(?:whether|if)"
    r"|\b(?:sie|du)\s+(?:(?:haben|hatten|hast|hattest)\s+)?(?:(?:uns|mich)\s+)?(?:gefragt|fragten|fragen|fragst|"
    r"fragtest|wollten\s+wissen|wolltest\s+wissen)\s*,?\s*ob"
    r"|\b(?:vous|tu)\s+(?:(?:nous|me|m['’])\s*)?(?:(?:avez|as)\s+demand[ée]|demandiez|demandais|vous\s+demandiez|"
    r"te\s+demandais)\s+s(?:i\b|['’](?=il))"
    r"|\b(?:(?:nos|me)\s+)?(?:pregunt[óo]|preguntaba|preguntaste|ha\s+preguntado|has\s+preguntado)\s+si"
    r"|\b(?:(?:ci|mi)\s+)?(?:ha|hai|aveva|avevi)\s+chiesto\s+se|\b(?:(?:ci|mi)\s+)?chiedeva\s+se"
    r"|(?:您|你|买家)(?:问|询问|咨询|想知道)(?:我们|我)?(?:能否|能不能|可不可以|可否|是否可以|是否能|是否|可以))"
    r"(?:(?!" + _ANSWER_START + r")[^.!?。！？\n]){0,60}$",
    re.IGNORECASE,
)
_REPORTED_AFTER = re.compile(r"[^。！？\n]{0,30}?(?:か|かどうか)(?:と|との|って)(?:お問い合わせ|ご質問|ご相談|お尋ね|ご連絡)")


def reported_question(sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]`` lies inside the buyer's question reported in the seller's words (see
    ``_REPORTED_BEFORE``): never rewritten, like a quotation (``inside_quote``)."""
    return bool(_REPORTED_BEFORE.search(sentence, max(0, start - 160), start)
                or _REPORTED_AFTER.match(sentence, end))


def _matches(sentence: str, candidates) -> list[tuple[int, int, Rewrite]]:
    """Every match of the candidates' patterns in one sentence, in file order, except those that start
    inside quotation marks (a seller quoting the buyer's "text me on WhatsApp" keeps the buyer's words) or
    inside the buyer's question reported ("you asked whether you can message us on WhatsApp")."""
    out = []
    quotes = _quotes(sentence)  # once per sentence, not once per match
    for rw in candidates:
        for pattern in rw.patterns:
            out.extend(
                (m.start(), m.end(), rw) for m in pattern.finditer(sentence)
                if m.end() > m.start() and not _within(quotes, m.start())
                and not reported_question(sentence, m.start(), m.end())
            )
    return out


# Matches per (sentence text, candidate rewrites), kept across checks: typing in a long draft re-matches
# only the sentence being edited (a 100,000-character draft with ~900 findings: 89 ms -> a few ms per
# keystroke).  Bounded; the candidates are kept with their matches, so an id() reused by another object
# is never mistaken for them.
_MATCHES: dict[tuple, tuple[tuple, list]] = {}
_MATCHES_MAX = 4096


def _sentence_matches(sentence: str, candidates) -> list[tuple[int, int, Rewrite]]:
    key = (sentence, tuple(map(id, candidates)))
    hit = _MATCHES.get(key)
    if hit is not None and all(x is y for x, y in zip(hit[0], candidates)):
        return hit[1]
    found = _matches(sentence, candidates)
    if len(_MATCHES) >= _MATCHES_MAX:
        _MATCHES.clear()
    _MATCHES[key] = (tuple(candidates), found)
    return found


def rewrite_for(text: str, finding: Finding, candidates) -> tuple[int, int, str, str] | None:
    """``(fix_start, fix_end, replacement, rewrite id)`` for the widest match of a candidate rewrite that
    holds the finding, or None. Each sentence's matches are kept across findings and checks."""
    a, b = _sentence_cached(text, finding.start, finding.end)
    if not a <= finding.start < finding.end <= b or b - a > _SENTENCE_MAX:
        return None
    found = _sentence_matches(text[a:b], candidates)
    fs, fe = finding.start - a, finding.end - a
    best: tuple[int, int, Rewrite] | None = None
    for s, e, rw in found:
        if s <= fs and fe <= e and (best is None or e - s > best[1] - best[0]):
            best = (s, e, rw)
    if best is None:
        return None
    s, e, rw = best
    # a full stop right after the match that lower-case text follows ends an abbreviation ('la nota máx. en Amazon'), not the
    # sentence: the request runs on past the sentence seen here, and replacing part of it would leave a broken sentence
    if _ABBREVIATION_DOT.match(text, a + e):
        return None
    # after a Spanish opening mark ('¿Nos daría…?', '¡ Denos…!') the replacement still starts the sentence
    return a + s, a + e, _cased(rw.replacement, s == 0 or text[a:a + s].strip() in ("¿", "¡")), rw.id


def apply_rewrites(text: str, report: Report, rewrites=None) -> Report:
    """``report`` with the phrase rewrites attached to the findings they serve (see the module docstring)."""
    if rewrites is None:
        if not any(f.rule in SERVED or f.category in SERVED for f in report.findings):
            return report
        _, index = _default_index()
    else:
        index = _index(rewrites)
    changed = False
    findings = list(report.findings)
    for i, f in enumerate(findings):
        candidates = index.get(f.rule, []) + [rw for rw in index.get(f.category, []) if f.rule not in rw.serves]
        if not candidates:
            continue
        found = rewrite_for(text, f, candidates)
        if found is not None:
            s, e, replacement, _ = found
            findings[i] = replace(f, fix=replacement, fix_start=s, fix_end=e)
            changed = True
    if not changed:
        return report
    return replace(report, findings=tuple(findings))
