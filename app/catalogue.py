"""Load, validate and compile the rule catalogue (``rules/*.toml``); render it as documentation.

The catalogue is data written by people, so every mistake a rule author can make is caught here with a
message naming the file, the rule and the fix (``CatalogueError``), and ``build.py`` refuses to ship a
catalogue that does not load. All errors of a catalogue are reported at once.

Rule keys (see docs/ARCHITECTURE.md for the shape):

- ``id`` ``category`` ``title`` ``message`` ``suggestion`` ``patterns`` ``bad`` ``good``: required.
- ``severity`` (default: the category's), ``languages`` (default ``["*"]``), ``view`` (default ``"text"``,
  see app/normalize.py), ``near``, ``unless``, ``unless_sets``, ``fix``: optional, as documented in the
  architecture file. ``unless_sets = ["name", …]`` adds the ``unless`` patterns of the file's ``[sets]`` table
  entry ``name`` (one list shared by many rules of a file, e.g. the buyer's words quoted back); a name the file
  does not declare is looked up in rules/categories.toml's ``[sets]``, the lists rules of several files share
  (e.g. a well-known maker's own hotline, which contact-details and off-platform both keep silent). The same
  ``unless`` pattern written into rules of two files, or the same fragment declared by two files, is an error
  whose fix names rules/categories.toml: a copy in each would be fixed in one only.
- ``{{name}}`` inside any pattern (``patterns``, ``near``, ``unless``, a ``[sets]`` list) stands for the file's
  ``[fragments]`` entry ``name``, a piece of regex written once (e.g. the hosts a link may point to), put in as
  ``(?:…)``; a name the file does not declare is looked up in rules/categories.toml's ``[fragments]``, the
  pieces every file shares (e.g. the hosts of chat invitation links). An unknown name, a fragment that does not
  compile alone, names a group, uses another fragment, is used by no pattern, or is declared both in a file and
  catalogue-wide is an error.
- ``digits = [min, max]``: optional; a hit counts only if it holds that many digits (phone numbers).
- ``unless_before``: optional patterns searched, in the rule's view, over the draft's 240 characters
  (app/engine.py ``UNLESS_BEFORE``) before a hit, the hit and 80 characters after it, across sentences
  (``unless`` sees the hit's own sentence and the next); a match that overlaps the hit drops it. For an exception named in an earlier
  sentence: a maker's recall or a carrier, then "call their safety line at …" (``_drop_excepted_before``).
  ``unless_before_sets = ["name", …]`` adds ``[sets]`` entries to them as ``unless_sets`` does to ``unless`` (the
  same tables; a set may serve both keys), and an inline ``unless_before`` pattern written by two rules is the
  same error as a copied ``unless`` pattern.
- ``source``: optional free text (where the rule comes from); shown in nothing, kept for reviewers.
- ``model``: instead of ``patterns``, the name of a learned model (``app/tone.py`` ``KNOWN_MODELS``, e.g.
  ``model = "tone"``): the engine flags each sentence the model scores above its threshold. Such a rule has
  no ``patterns``, ``near``, ``digits``, ``fix`` or ``view``; it may have ``unless`` (and ``unless_sets``): a
  sentence the model flags is dropped when one of them matches in it, NFKC-normalised and case-folded (a
  precision control written for a class of sentences the model misreads). Its examples are its tests and are
  kept out of the model's training data (tools/train_tone.py).

A pattern may contain a group named ``hit``: the finding then covers only that group, so a pattern can
require context ("WeChat: ") while flagging just the ID after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from .normalize import VIEW_NAMES
from .prefilter import gate_class, marked_word_sets, required_literal_sets, word_flagged, word_unflagged
from .tone import KNOWN_MODELS

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Category",
    "Rule",
    "load_catalogue",
    "default_rules_dir",
    "catalogue_markdown",
    "parse_example",
    "SEVERITIES",
    "LANGUAGES",
    "COMPILED_NAME",
    "compile_catalogue",
    "compiled_catalogue_entry",
    "load_compiled",
    "PatternList",
]

# The compiled catalogue (``compile_catalogue``), shipped next to the TOML files by build.py.
COMPILED_NAME = "catalogue.compiled.json"
_COMPILED_FORMAT = 1

SEVERITIES = ("block", "warn", "info")
LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "zh")
_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
# The closing mark is the last "]]" of a run of brackets, so "[[[Important]]]" marks "[Important]".
_SPAN = re.compile(r"\[\[(.*?\]*)\]\](?!\])", re.S)
_UI = ("en", "zh")

_CATEGORY_KEYS = {"id", "severity", "title", "reminder", "sources"}
_RULE_KEYS = {
    "id", "category", "title", "message", "suggestion", "patterns", "bad", "good",
    "severity", "languages", "view", "near", "unless", "unless_sets", "unless_before", "unless_before_sets", "fix",
    "digits", "source", "model",
}
# Keys that only make sense for a rule made of patterns (not for a ``model`` rule).
_PATTERN_KEYS = ("patterns", "near", "unless", "unless_sets", "unless_before", "unless_before_sets", "digits", "fix",
                 "view")
#: Of those, what a model rule may have too: ``unless`` (and ``unless_sets``), searched in each sentence the model
#: flags (NFKC-normalised, case-folded); a match drops the sentence (app/engine.py ``_model_hits``).
_MODEL_KEYS = ("unless", "unless_sets")
_SET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


_HIT_GROUP = re.compile(r"hit\d*")


@lru_cache(maxsize=None)
def hit_groups(pattern: re.Pattern) -> tuple[str, ...]:
    """The groups of ``pattern`` that name what to flag, in order: ``hit``, then ``hit2``, ``hit3``… (a name can
    be used once per pattern, so each branch of an alternation names its own). The engine flags the first that
    took part in a match, or the whole match when there is none; only ``patterns`` may name them."""
    names = [n for n in pattern.groupindex if _HIT_GROUP.fullmatch(n)]
    return tuple(sorted(names, key=lambda n: int(n[3:] or 1)))


class CatalogueError(ValueError):
    """The catalogue cannot be used; ``str(err)`` names file, rule and fix (one line per problem)."""

    def __init__(self, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Category:
    id: str
    severity: str
    title: Mapping[str, str] = field(hash=False)
    reminder: Mapping[str, str] = field(hash=False)
    sources: tuple[str, ...] = ()


class PatternList(Sequence):
    """The compiled patterns of one rule list (``patterns``, ``near`` or ``unless``), compiled on first use.

    The page loads the catalogue on every start; compiling ~650 patterns there costs more than the rest of
    the start-up. A pattern is compiled the first time the engine asks for it (its prefilter literal is in
    a draft), so booting and checking an empty draft compile (almost) nothing. ``load_catalogue`` compiles
    everything while validating and fills the list, so nothing changes for it.
    """

    __slots__ = ("sources", "_compiled")

    def __init__(self, sources, compiled=None):
        self.sources = tuple(sources)
        self._compiled = list(compiled) if compiled is not None else [None] * len(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self.sources))))
        c = self._compiled[i]
        if c is None:
            c = self._compiled[i] = re.compile(self.sources[i])
        return c

    def __iter__(self):
        for i in range(len(self.sources)):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def __eq__(self, other) -> bool:
        if isinstance(other, PatternList):
            return self.sources == other.sources
        return NotImplemented

    __hash__ = None

    def compiled_count(self) -> int:
        return sum(1 for c in self._compiled if c is not None)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"PatternList({self.sources!r})"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    languages: tuple[str, ...]
    view: str
    patterns: Sequence[re.Pattern] = field(hash=False, compare=False)
    near: Sequence[re.Pattern] = field(hash=False, compare=False)
    unless: Sequence[re.Pattern] = field(hash=False, compare=False)
    title: Mapping[str, str] = field(hash=False)
    message: Mapping[str, str] = field(hash=False)
    suggestion: Mapping[str, str] = field(hash=False)
    fix: str | None
    bad: tuple[str, ...]
    good: tuple[str, ...]
    digits: tuple[int, int] | None = None
    file: str = ""
    source: str = ""
    # Per pattern: literals one of which every match contains (app/prefilter.py), or None.
    prefilters: tuple[frozenset[str] | None, ...] = field(default=(), hash=False, compare=False)
    # Per pattern: further literal sets that must each have a member in the text (checked after prefilters).
    conditions: tuple[tuple[frozenset[str], ...], ...] = field(default=(), hash=False, compare=False)
    # "draft": a pattern is anchored to the whole message (\A, \Z), so the rule sees the whole draft;
    # "sentence": the engine may check it sentence group by sentence group (app/engine.py).
    scope: str = "sentence"
    # Per pattern: the look-ahead class the engine puts in front of it (app/prefilter.py ``gate_class``), or
    # None. Filled by ``compile_catalogue`` (so the page does not analyse patterns at start-up); empty for a
    # catalogue loaded from TOML, whose gates the engine works out on first use.
    gates: tuple[str | None, ...] = field(default=(), hash=False, compare=False)
    # Per pattern: its word-edge sets (app/prefilter.py ``marked_word_sets``: strings with their word edges
    # marked, one of each set in every match). Filled by ``compile_catalogue`` like ``gates``; empty for a
    # catalogue loaded from TOML, whose sets the engine works out when it builds its plan.
    words: tuple[tuple[tuple[str, ...], ...], ...] = field(default=(), hash=False, compare=False)
    # The learned model the rule asks instead of patterns (``model = "tone"``: app/tone.py), or None.
    model: str | None = None
    # Patterns searched over the UNLESS_BEFORE characters before a hit, the hit and UNLESS_AFTER after it (see the
    # module docstring).
    unless_before: Sequence[re.Pattern] = field(default=(), hash=False, compare=False)

    @property
    def any_language(self) -> bool:
        return "*" in self.languages


@dataclass(frozen=True)
class Catalogue:
    categories: Mapping[str, Category] = field(hash=False)
    rules: tuple[Rule, ...] = field(hash=False)
    rules_dir: str = ""

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def compiled(self) -> "Catalogue":
        """The compiled form: patterns are already ``re.Pattern`` objects (compiled once, at load)."""
        return self


def parse_example(example: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip ``[[…]]`` marks from an example; return the plain text and the marked spans in it."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    length = 0
    for m in _SPAN.finditer(example):
        before = example[pos:m.start()]
        out.append(before)
        length += len(before)
        inner = m.group(1)
        spans.append((length, length + len(inner)))
        out.append(inner)
        length += len(inner)
        pos = m.end()
    out.append(example[pos:])
    return "".join(out), spans


def default_rules_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "rules"


# ------------------------------------------------------------------------------------------------- loading


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, rule: str | None, what: str, fix: str) -> None:
        where = f"{file}: rule {rule!r}" if rule is not None else file
        self.items.append(f"{where}: {what} — fix: {fix}")


def _text(p: _Problems, file: str, rid: str | None, key: str, value, required: bool = True):
    """A user-facing text: a table with non-empty ``en`` and ``zh`` strings."""
    if value is None:
        if required:
            p.add(file, rid, f"missing {key}", f'add {key} = {{ en = "…", zh = "…" }}')
        return None
    if not isinstance(value, dict):
        p.add(file, rid, f"{key} must be a table of translations", f'write {key} = {{ en = "…", zh = "…" }}')
        return None
    ok = True
    for lang in _UI:
        v = value.get(lang)
        if not isinstance(v, str) or not v.strip():
            p.add(file, rid, f"{key} has no {lang!r} text", f'add {lang} = "…" to {key}')
            ok = False
    extra = set(value) - set(_UI)
    if extra:
        p.add(file, rid, f"{key} has unknown language(s) {sorted(extra)}", "keep only en and zh")
        ok = False
    return MappingProxyType({k: value[k] for k in _UI}) if ok else None


# A compiled pattern is immutable and depends on its text alone: loading the catalogue again in one process
# reuses it (``re``'s own cache keeps 512, the catalogue has ~5,000 with the exceptions).
_compile = lru_cache(maxsize=None)(re.compile)


def _compile_list(p: _Problems, file: str, rid: str, key: str, value, required: bool, frags=None) -> PatternList:
    if value is None:
        if required:
            p.add(file, rid, f"missing {key}", f"add {key} = ['…'] (Python re syntax)")
        return PatternList(())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        p.add(file, rid, f"{key} must be a list of strings", f"write {key} = ['…', '…']")
        return PatternList(())
    if required and not value:
        p.add(file, rid, f"{key} is empty", f"add at least one pattern to {key}")
    out = []
    for i, pat in enumerate(value):
        if not pat:
            p.add(file, rid, f"{key}[{i}] is empty", "remove it or write a pattern")
            continue
        if "{{" in pat:
            pat = _expand(p, file, rid, f"{key}[{i}]", pat, frags)
            if pat is None:
                continue
        try:
            c = _compile(pat)
        except re.error as e:
            p.add(file, rid, f"{key}[{i}] does not compile: {e} in {pat!r}", "correct the regular expression")
            continue
        if c.match("") is not None and key == "patterns":
            p.add(file, rid, f"{key}[{i}] matches the empty string: {pat!r}", "make the pattern consume text")
            continue
        hits = hit_groups(c)
        if hits and key != "patterns":
            p.add(file, rid, f"{key}[{i}] has a group named {hits[0]!r}", "only patterns can name a 'hit' group")
        out.append(c)
    return PatternList((c.pattern for c in out), out)


_FRAGMENT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FRAGMENT_USE = re.compile(r"\{\{([^{}]*)\}\}")


class _Fragments:
    """A ``[fragments]`` table (name -> regex piece) and the names patterns used. A rule file's own table has the
    catalogue-wide one of rules/categories.toml as ``shared``: a name is looked up in the file first, then there."""

    def __init__(self, table: dict[str, str], shared: "_Fragments | None" = None) -> None:
        self.table = table
        self.shared = shared
        self.used: set[str] = set()

    def known(self) -> list[str]:
        return sorted(set(self.table) | (set(self.shared.table) if self.shared is not None else set()))

    def take(self, name: str) -> str | None:
        """The piece named ``name`` (own table, then the shared one), marked as used; None when unknown."""
        if name in self.table:
            self.used.add(name)
            return self.table[name]
        if self.shared is not None and name in self.shared.table:
            self.shared.used.add(name)
            return self.shared.table[name]
        return None


def _expand(p: _Problems, file: str, rid: str, where: str, pat: str, frags: "_Fragments | None") -> str | None:
    """``pat`` with each ``{{name}}`` replaced by ``(?:<fragment>)``; None (and a problem) for an unknown name."""
    ok = True

    def put(m: re.Match) -> str:
        nonlocal ok
        name = m.group(1).strip()
        piece = frags.take(name) if frags is not None else None
        if piece is None:
            ok = False
            known = frags.known() if frags is not None else []
            p.add(file, rid, f"{where} uses an unknown fragment {{{{{name}}}}}",
                  f"declare {name} in this file's [fragments] table (or in rules/categories.toml's, for every file)"
                  + (f" or use one of {known}" if known else ""))
            return ""
        return f"(?:{piece})"

    out = _FRAGMENT_USE.sub(put, pat)
    return out if ok else None


def _load_fragments(p: _Problems, file: str, table, shared: "_Fragments | None" = None) -> _Fragments:
    """A ``[fragments]`` table: each entry a piece of regex that compiles on its own, names no group (a pattern
    may use it twice) and uses no other fragment (one level keeps every pattern readable). A rule file's table
    may not reuse a name of the catalogue-wide table (``shared``, rules/categories.toml): one name, one piece."""
    if not isinstance(table, dict):
        p.add(file, None, "'fragments' is not a table", "write [fragments] and under it name = '…regex…'")
        return _Fragments({}, shared)
    out: dict[str, str] = {}
    for name, value in table.items():
        where = f"fragment {name!r}"
        if shared is not None and name in shared.table:
            p.add(file, None, f"{where} is also declared for every file in rules/categories.toml",
                  f"use {{{{{name}}}}} from rules/categories.toml, or give this one another name")
            continue
        if not _FRAGMENT_NAME.match(name):
            p.add(file, None, f"fragment name {name!r} is not made of [a-z0-9_] (starting with a letter)",
                  "write e.g. allowed_hosts = '…'")
            continue
        if not isinstance(value, str) or not value:
            p.add(file, None, f"{where} must be a non-empty string", f"write {name} = '…regex…'")
            continue
        if "{{" in value:
            p.add(file, None, f"{where} uses another fragment", "write the fragment out in full")
            continue
        try:
            c = re.compile(value)
        except re.error as e:
            p.add(file, None, f"{where} does not compile on its own: {e}", "correct the regular expression")
            continue
        if c.groupindex:
            p.add(file, None, f"{where} names a group {sorted(c.groupindex)[0]!r}",
                  "use (?:…) inside a fragment; name groups in the pattern that uses it")
            continue
        out[name] = value
    return _Fragments(out, shared)


def _load_categories(path: Path, p: _Problems) -> tuple[dict[str, Category], _Fragments, dict[str, list[str]]]:
    """The categories, the catalogue-wide ``[fragments]`` every rule file may name (e.g. the hosts of chat
    invitation links, which contact-details, external-link and off-platform all look for), and the catalogue-wide
    ``[sets]`` every rule may name in ``unless_sets`` (e.g. a maker's own hotline)."""
    import tomllib  # only the validating loader parses TOML; the page loads the compiled catalogue

    file = f"rules/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        p.add(file, None, f"cannot be read as TOML: {e}", "fix the TOML syntax")
        return {}, _Fragments({}), {}
    shared = _load_fragments(p, file, data.get("fragments", {}))
    shared_sets = _pattern_sets(p, file, data.get("sets", {}))
    cats: dict[str, Category] = {}
    entries = data.get("category")
    if not isinstance(entries, list) or not entries:
        p.add(file, None, "has no [[category]] entries", "declare each category as [[category]]")
        return {}, shared, shared_sets
    for extra in set(data) - {"category", "fragments", "sets"}:
        p.add(file, None, f"unknown top-level key {extra!r}",
              "only [[category]] tables and the [fragments] and [sets] every rule file may use belong here")
    for e in entries:
        cid = e.get("id")
        if not isinstance(cid, str) or not _ID.match(cid):
            p.add(file, str(cid), "category id is missing or not [a-z0-9.-]", 'write id = "my-category"')
            continue
        for k in set(e) - _CATEGORY_KEYS:
            p.add(file, cid, f"unknown key {k!r} in category", f"use only {sorted(_CATEGORY_KEYS)}")
        if cid in cats:
            p.add(file, cid, "duplicate category id", "keep one [[category]] per id")
            continue
        sev = e.get("severity")
        if sev not in SEVERITIES:
            p.add(file, cid, f"severity {sev!r} is not one of {SEVERITIES}", 'write severity = "warn"')
            sev = "warn"
        title = _text(p, file, cid, "title", e.get("title"))
        reminder = _text(p, file, cid, "reminder", e.get("reminder"))
        sources = e.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            p.add(file, cid, "sources must be a list of strings", 'write sources = ["Communication Guidelines"]')
            sources = []
        if title and reminder:
            cats[cid] = Category(cid, sev, title, reminder, tuple(sources))
    return cats, shared, shared_sets


@dataclass
class _Wide:
    """What rule files share through rules/categories.toml, and what they wrote, while the catalogue is read:
    its ``[sets]`` (and the names rules used), and the first file and rule or fragment name that wrote each inline
    ``unless`` pattern and each ``[fragments]`` piece, so a copy in a later file is reported."""

    sets: dict[str, list[str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    unless_writers: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    fragment_writers: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class _FileSets:
    """One rule file's exemption lists while its rules are read: where problems go, the file's own ``[sets]`` (and
    the names its rules used), rules/categories.toml's through ``wide``, and the first rule of the file that wrote
    each inline ``unless`` / ``unless_before`` pattern, keyed (key, pattern)."""

    p: "_Problems"
    file: str
    own: dict[str, list[str]]
    wide: _Wide
    used: set[str] = field(default_factory=set)
    writers: dict[tuple[str, str], str] = field(default_factory=dict)


def _load_rules(path: Path, cats: dict[str, Category], seen: dict[str, str], p: _Problems,
                shared_frags: "_Fragments | None" = None, wide: "_Wide | None" = None) -> list[Rule]:
    """The rules of one file; ``wide`` holds rules/categories.toml's ``[sets]`` and what the files before wrote."""
    import tomllib

    file = f"rules/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        p.add(file, None, f"cannot be read as TOML: {e}", "fix the TOML syntax (tomllib reports line and column)")
        return []
    for extra in set(data) - {"rule", "sets", "fragments"}:
        p.add(file, None, f"unknown top-level key {extra!r}",
              "rules go in [[rule]] tables, shared pattern lists in [sets], shared regex pieces in [fragments]")
    shared_sets = _pattern_sets(p, file, data.get("sets", {}))
    wide = wide if wide is not None else _Wide()
    wide_sets = wide.sets
    for name in sorted(set(shared_sets) & set(wide_sets)):
        p.add(file, None, f"set {name!r} is also declared for every file in rules/categories.toml",
              "name the set of rules/categories.toml in unless_sets, or give this one another name")
    frags = _load_fragments(p, file, data.get("fragments", {}), shared_frags)
    for name, value in frags.table.items():
        first = wide.fragment_writers.setdefault(value, (file, name))
        if first[0] != file:
            p.add(file, None, f"fragment {name!r} is the same piece as fragment {first[1]!r} of {first[0]}",
                  "declare it once in rules/categories.toml's [fragments] and delete both copies")
    fs = _FileSets(p, file, shared_sets, wide)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        p.add(file, None, "'rule' is not an array of tables", "write each rule as [[rule]]")
        return []
    rules: list[Rule] = []
    for e in entries:
        rid = e.get("id")
        if not isinstance(rid, str) or not _ID.match(rid):
            p.add(file, str(rid), "rule id is missing or not made of [a-z0-9.-]", 'write id = "category.what-it-flags"')
            continue
        before = len(p.items)
        for k in sorted(set(e) - _RULE_KEYS):
            p.add(file, rid, f"unknown key {k!r}", f"use only {sorted(_RULE_KEYS)}")
        if rid in seen:
            p.add(file, rid, f"duplicate rule id (also in {seen[rid]})", "rename one of them")
        seen.setdefault(rid, file)
        cat = e.get("category")
        if cat is None:
            p.add(file, rid, "missing category", f'add category = "{rid.split(".")[0]}" (one of {sorted(cats)})')
        elif cat not in cats:
            p.add(file, rid, f"unknown category {cat!r}", f"use one of {sorted(cats)} or declare it in rules/categories.toml")
        elif not rid.startswith(cat + "."):
            p.add(file, rid, f"id is not prefixed by its category {cat!r}", f'rename it to "{cat}.{rid.split(".")[-1]}"')
        sev = e.get("severity", cats[cat].severity if cat in cats else "warn")
        if sev not in SEVERITIES:
            p.add(file, rid, f"severity {sev!r} is not one of {SEVERITIES}", 'write severity = "block", "warn" or "info"')
        langs = e.get("languages", ["*"])
        if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
            p.add(file, rid, "languages must be a non-empty list", 'write languages = ["en"] or ["*"]')
            langs = ["*"]
        for lg in langs:
            if lg != "*" and lg not in LANGUAGES:
                p.add(file, rid, f"unknown language {lg!r}", f"use codes among {LANGUAGES} or '*'")
        view = e.get("view", "text")
        if view not in VIEW_NAMES:
            p.add(file, rid, f"unknown view {view!r}", f"use one of {VIEW_NAMES} (see app/normalize.py)")
        model = e.get("model")
        if model is not None:
            if not isinstance(model, str) or model not in KNOWN_MODELS:
                p.add(file, rid, f"unknown model {model!r}",
                      f"use one of {list(KNOWN_MODELS)} (app/tone.py KNOWN_MODELS) or write patterns instead")
            for k in _PATTERN_KEYS:
                if k in e and k not in _MODEL_KEYS:
                    p.add(file, rid, f"a rule with model = {model!r} cannot have {k!r}",
                          f"remove {k!r} (the model judges whole sentences), or remove model and keep the patterns")
        patterns = _compile_list(p, file, rid, "patterns", e.get("patterns"), model is None, frags)
        near = _compile_list(p, file, rid, "near", e.get("near"), False, frags)
        unless = _compile_list(p, file, rid, "unless", _with_sets(fs, rid, e, "unless", "unless_sets"), False, frags)
        unless_before = _compile_list(p, file, rid, "unless_before",
                                      _with_sets(fs, rid, e, "unless_before", "unless_before_sets"), False, frags)
        title = _text(p, file, rid, "title", e.get("title"))
        message = _text(p, file, rid, "message", e.get("message"))
        suggestion = _text(p, file, rid, "suggestion", e.get("suggestion"))
        fix = e.get("fix")
        if fix is not None and not isinstance(fix, str):
            p.add(file, rid, "fix must be a string", 'write fix = "" to delete, or the replacement text')
        digits = e.get("digits")
        if digits is not None:
            if (
                not isinstance(digits, list)
                or len(digits) != 2
                or not all(isinstance(x, int) and x >= 0 for x in digits)
                or digits[0] > digits[1]
            ):
                p.add(file, rid, f"digits {digits!r} is not [min, max]", "write digits = [7, 15]")
                digits = None
            else:
                digits = (digits[0], digits[1])
        bad = e.get("bad", [])
        good = e.get("good", [])
        for key, val in (("bad", bad), ("good", good)):
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                p.add(file, rid, f"{key} must be a list of strings", f'write {key} = ["…"]')
        if isinstance(bad, list):
            if not bad:
                p.add(file, rid, "has no bad example", 'add bad = ["… [[the flagged words]] …"]')
            for i, ex in enumerate(bad):
                if isinstance(ex, str):
                    plain, spans = parse_example(ex)
                    if not spans:
                        p.add(file, rid, f"bad[{i}] has no [[span]]: {ex!r}", "mark each flagged span with [[…]]")
                    elif any(a == b for a, b in spans):
                        p.add(file, rid, f"bad[{i}] has an empty [[]]: {ex!r}", "put the flagged words inside [[…]]")
                    if "[[" in plain or "]]" in plain:
                        p.add(file, rid, f"bad[{i}] has unbalanced [[ ]]: {ex!r}", "close every [[ with ]]")
        if isinstance(good, list):
            if not good:
                p.add(file, rid, "has no good example", 'add good = ["a near-miss that must stay silent"]')
            for i, ex in enumerate(good):
                if isinstance(ex, str) and ("[[" in ex or "]]" in ex):
                    p.add(file, rid, f"good[{i}] contains [[ ]]: {ex!r}", "good examples mark nothing; remove [[ ]]")
        source = e.get("source", "")
        if len(p.items) > before:
            continue
        literal_sets = [required_literal_sets(pt.pattern) for pt in patterns]
        rules.append(
            Rule(
                id=rid,
                category=cat,
                severity=sev,
                languages=tuple(langs),
                view=view,
                patterns=patterns,
                near=near,
                unless=unless,
                unless_before=unless_before,
                title=title,
                message=message,
                suggestion=suggestion,
                fix=fix,
                bad=tuple(bad),
                good=tuple(good),
                digits=digits,
                file=file,
                source=source if isinstance(source, str) else "",
                prefilters=tuple(sets[0] if sets else None for sets in literal_sets),
                conditions=tuple(tuple(sets[1:]) for sets in literal_sets),
                scope=_scope(patterns.sources),
                model=model,
            )
        )
    for pat, writer in fs.writers.items():
        wide.unless_writers.setdefault(pat, (file, writer))
    for name in sorted(set(shared_sets) - fs.used):
        p.add(file, None, f"set {name!r} is declared in [sets] but no rule names it in unless_sets or "
              "unless_before_sets",
              f'add unless_sets = ["{name}"] (or unless_before_sets) to the rules it protects, or delete the set')
    for name in sorted(set(frags.table) - frags.used):
        p.add(file, None, f"fragment {name!r} is declared in [fragments] but no pattern uses {{{{{name}}}}}",
              f"write {{{{{name}}}}} in the patterns that need it, or delete the fragment")
    return rules


def _with_sets(fs: _FileSets, rid: str, e: dict, key: str, sets_key: str):
    """A rule's ``unless`` (or ``unless_before``) source with the ``[sets]`` it names in ``unless_sets`` (or
    ``unless_before_sets``) put in front: the file's own table first, then rules/categories.toml's. An inline
    pattern another rule already wrote (in this file or an earlier one) is reported: an exemption two rules
    need is written once, in ``[sets]``, since a copy in each would be fixed in one only."""
    p, file, wide = fs.p, fs.file, fs.wide
    src = e.get(key)
    if isinstance(src, list):
        for pat in dict.fromkeys(x for x in src if isinstance(x, str)):
            other = fs.writers.setdefault((key, pat), rid)
            if other != rid:
                p.add(file, rid, f"{key} pattern {pat[:60]!r} is also written by rule {other!r}",
                      f"move it into this file's [sets] table and name the set in both rules with {sets_key}")
            elsewhere = wide.unless_writers.get((key, pat))
            if elsewhere is not None and elsewhere[0] != file:
                p.add(file, rid, f"{key} pattern {pat[:60]!r} is also written by rule {elsewhere[1]!r} "
                      f"in {elsewhere[0]}", "move it into rules/categories.toml's [sets] table and name the set "
                      f"in both rules with {sets_key}")
    names = e.get(sets_key)
    if names is None:
        return src
    if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
        p.add(file, rid, f"{sets_key} must be a list of set names", f'write {sets_key} = ["name"]')
        return src
    shared: list[str] = []
    for name in names:
        if name in fs.own:
            fs.used.add(name)
            shared.extend(fs.own[name])
        elif name in wide.sets:
            wide.used.add(name)
            shared.extend(wide.sets[name])
        else:
            p.add(file, rid, f"unknown set {name!r} in {sets_key}",
                  f"declare it in this file's [sets] table (or in rules/categories.toml's, for every file)"
                  f" or use one of {sorted(set(fs.own) | set(wide.sets))}")
    own = [src] if isinstance(src, str) else src
    return shared + own if isinstance(own, list) else (shared if own is None else own)


def _pattern_sets(p: _Problems, file: str, table) -> dict[str, list[str]]:
    """A rule file's ``[sets]`` table: name -> a list of ``unless`` patterns shared by several of its rules
    (each is compiled, and its problems reported, with every rule that names it)."""
    if not isinstance(table, dict):
        p.add(file, None, "'sets' is not a table", "write [sets] and under it name = ['…', '…']")
        return {}
    out: dict[str, list[str]] = {}
    for name, value in table.items():
        if not _SET_NAME.match(name):
            p.add(file, None, f"set name {name!r} is not made of [a-z0-9-]", 'write e.g. buyer-quote = [\'…\']')
            continue
        if not isinstance(value, list) or not value or not all(isinstance(x, str) and x for x in value):
            p.add(file, None, f"set {name!r} must be a non-empty list of patterns", f"write {name} = ['…', '…']")
            continue
        out[name] = value
    return out


# A pattern about the whole message: it ends at the end of the message (\Z) or starts at its beginning (\A
# first, after inline flags). A \A inside an alternation ("(?:\A|(?<=[.!?]\s))loser") means the start of a
# sentence, which the engine's pieces preserve (each piece starts a sentence).
_WHOLE_DRAFT = re.compile(r"(?<!\\)(?:\\\\)*\\Z|^(?:\(\?[aiLmsux]+\))?\\A")


def _scope(sources) -> str:
    """"draft" when a pattern is anchored to the whole message (see ``_WHOLE_DRAFT``), else "sentence"."""
    return "draft" if any(_WHOLE_DRAFT.search(s) for s in sources) else "sentence"


def load_catalogue(rules_dir: str | Path | None = None) -> Catalogue:
    """Read ``rules_dir`` (default ``<repo>/rules``): categories.toml plus every other ``*.toml``.

    Raises ``CatalogueError`` listing every problem found.
    """
    d = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    p = _Problems()
    cat_path = d / "categories.toml"
    if not cat_path.is_file():
        raise CatalogueError(f"{d}: no categories.toml — fix: declare the categories in rules/categories.toml")
    cats, shared, wide_sets = _load_categories(cat_path, p)
    seen: dict[str, str] = {}
    rules: list[Rule] = []
    wide = _Wide(sets=wide_sets)
    for path in sorted(d.glob("*.toml")):
        if path.name == "categories.toml":
            continue
        rules.extend(_load_rules(path, cats, seen, p, shared, wide))
    for name in sorted(set(wide_sets) - wide.used):
        p.add("rules/categories.toml", None,
              f"set {name!r} is declared in [sets] but no rule of any file names it in unless_sets or "
              "unless_before_sets",
              f'add unless_sets = ["{name}"] (or unless_before_sets) to the rules it protects, or delete the set')
    for name in sorted(set(shared.table) - shared.used):
        p.add("rules/categories.toml", None,
              f"fragment {name!r} is declared in [fragments] but no pattern of any rule file uses {{{{{name}}}}}",
              f"write {{{{{name}}}}} in the patterns that need it, or delete the fragment")
    if p.items:
        raise CatalogueError(p.items)
    return Catalogue(MappingProxyType(cats), tuple(rules), str(d))


# ---------------------------------------------------------------------------------------- compiled catalogue
#
# The page must not parse TOML, validate ~50 rules and analyse ~650 patterns on every start (2.4 s in
# Pyodide). build.py validates the catalogue (``load_catalogue``) and ships ``compile_catalogue``'s output as
# rules/catalogue.compiled.json; ``default_catalogue()`` (app/engine.py) loads that file instead, trusting it,
# and compiles each pattern the first time a draft needs it. The file records a digest of the TOML files it
# was made from: next to TOML files that changed since, it is ignored (a stale build cannot hide a rule edit).


def sources_digest(rules_dir: str | Path) -> str:
    """SHA-256 over the names and bytes of ``rules_dir/*.toml`` (the inputs of a compiled catalogue)."""
    h = hashlib.sha256()
    for path in sorted(Path(rules_dir).glob("*.toml")):
        data = path.read_bytes()
        h.update(f"{path.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _plain_text(m: Mapping[str, str] | None):
    return None if m is None else {k: m[k] for k in _UI}


def compile_catalogue(cat: Catalogue, *, digest: str | None = None) -> bytes:
    """The catalogue as deterministic JSON (UTF-8 bytes): everything ``load_compiled`` needs, including the
    prefilter analysis, so loading it parses no TOML and analyses no pattern.

    ``digest`` (default: ``sources_digest(cat.rules_dir)``) ties the file to the TOML it was made from.
    """
    if digest is None:
        digest = sources_digest(cat.rules_dir) if cat.rules_dir else ""
    data = {
        "format": _COMPILED_FORMAT,
        "digest": digest,
        "categories": [
            {"id": c.id, "severity": c.severity, "title": _plain_text(c.title), "reminder": _plain_text(c.reminder),
             "sources": list(c.sources)}
            for c in cat.categories.values()
        ],
        "rules": [
            {
                "id": r.id, "category": r.category, "severity": r.severity, "languages": list(r.languages),
                "view": r.view, "patterns": list(_sources(r.patterns)), "near": list(_sources(r.near)),
                "unless": list(_sources(r.unless)), "unless_before": list(_sources(r.unless_before)),
                "title": _plain_text(r.title), "message": _plain_text(r.message),
                "suggestion": _plain_text(r.suggestion), "fix": r.fix, "bad": list(r.bad), "good": list(r.good),
                "digits": list(r.digits) if r.digits is not None else None, "file": r.file, "source": r.source,
                "prefilters": [sorted(p) if p is not None else None for p in r.prefilters],
                "conditions": [[sorted(c) for c in conds] for conds in r.conditions],
                "scope": r.scope,
                "gates": list(r.gates) if r.gates else [gate_class(src) for src in _sources(r.patterns)],
                "words": [[[word_flagged(w) for w in ws] for ws in sets] for sets in pattern_words(r)],
                **({"model": r.model} if r.model is not None else {}),
            }
            for r in cat.rules
        ],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def pattern_words(rule: Rule) -> tuple:
    """Per pattern of ``rule``, its word-edge sets (``Rule.words``, worked out when the rule has none)."""
    if len(rule.words) == len(rule.patterns):
        return rule.words
    return tuple(marked_word_sets(src) for src in _sources(rule.patterns))


def compiled_catalogue_entry(cat: Catalogue) -> tuple[str, bytes]:
    """``("rules/catalogue.compiled.json", bytes)``: the archive entry build.py adds next to the rules."""
    return f"rules/{COMPILED_NAME}", compile_catalogue(cat)


def _sources(pats) -> tuple[str, ...]:
    return pats.sources if isinstance(pats, PatternList) else tuple(p.pattern for p in pats)


def _proxy(m):
    return None if m is None else MappingProxyType(m)


def load_compiled(data: bytes | str, rules_dir: str | Path = "") -> Catalogue:
    """A catalogue from ``compile_catalogue``'s output, trusted as is (it was validated at build time);
    patterns compile on first use. Raises ``CatalogueError`` if the data is not a compiled catalogue."""
    return _load_compiled(data, rules_dir)[0]


def _load_compiled(data: bytes | str, rules_dir: str | Path) -> tuple[Catalogue, str]:
    try:
        raw = json.loads(data)
        if raw.get("format") != _COMPILED_FORMAT:
            raise ValueError(f"format {raw.get('format')!r}")
        cats = {
            c["id"]: Category(c["id"], c["severity"], _proxy(c["title"]), _proxy(c["reminder"]), tuple(c["sources"]))
            for c in raw["categories"]
        }
        rules = tuple(
            Rule(
                id=r["id"], category=r["category"], severity=r["severity"], languages=tuple(r["languages"]),
                view=r["view"], patterns=PatternList(r["patterns"]), near=PatternList(r["near"]),
                unless=PatternList(r["unless"]), unless_before=PatternList(r.get("unless_before") or []),
                title=_proxy(r["title"]), message=_proxy(r["message"]),
                suggestion=_proxy(r["suggestion"]), fix=r["fix"], bad=tuple(r["bad"]), good=tuple(r["good"]),
                digits=tuple(r["digits"]) if r["digits"] is not None else None, file=r["file"], source=r["source"],
                prefilters=tuple(frozenset(p) if p is not None else None for p in r["prefilters"]),
                conditions=tuple(tuple(frozenset(c) for c in conds) for conds in r["conditions"]),
                scope=r["scope"], gates=tuple(r.get("gates") or ()), model=r.get("model"),
                words=tuple(tuple(tuple(word_unflagged(w) for w in ws) for ws in sets) for sets in r.get("words") or ()),
            )
            for r in raw["rules"]
        )
        digest = str(raw.get("digest", ""))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise CatalogueError(f"{COMPILED_NAME}: not a compiled catalogue ({e}) — fix: rebuild with python build.py") from None
    return Catalogue(MappingProxyType(cats), rules, str(rules_dir)), digest


def load_default(rules_dir: str | Path | None = None) -> Catalogue:
    """The fastest trustworthy catalogue for ``rules_dir`` (default ``<repo>/rules``): the compiled file when
    there is one and it matches the TOML files beside it (or there are none), else ``load_catalogue`` (for the
    repository's own rules/ kept compiled in <repo>/.cache for the next process: ``_load_validated``)."""
    d = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    try:
        data = (d / COMPILED_NAME).read_bytes()
        cat, digest = _load_compiled(data, d)
    except (OSError, CatalogueError):
        return _load_validated(d)
    if any(d.glob("*.toml")) and digest != sources_digest(d):
        return _load_validated(d)  # the TOML changed since the build: validate it
    return cat


def _load_validated(d: Path) -> Catalogue:
    """``load_catalogue(d)``; for the repository's own rules/ the result is also kept compiled in
    ``<repo>/.cache/`` under a key made of the TOML files and the app's code, so that the next process (each
    run of the command line, of the tests, of a tool) loads it in about a second instead of validating ~3,800
    patterns again (~10 s). A cache that cannot be read or written is passed over."""
    repo_rules = default_rules_dir()
    if d.resolve() != repo_rules:
        return load_catalogue(d)
    cache = repo_rules.parent / ".cache"
    h = hashlib.sha256(sources_digest(d).encode())
    for src in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(f"{src.name}\0".encode() + src.read_bytes())
    path = cache / f"catalogue-{h.hexdigest()[:32]}.json"
    try:
        return load_compiled(path.read_bytes(), d)
    except (OSError, CatalogueError):
        pass
    cat = load_catalogue(d)
    try:
        cache.mkdir(exist_ok=True)
        tmp = cache / f"{path.name}.{os.getpid()}.tmp"
        tmp.write_bytes(compile_catalogue(cat))
        os.replace(tmp, path)  # whole or not at all, for a process reading it at the same time
        for old in cache.glob("catalogue-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return cat


# -------------------------------------------------------------------------------------------- documentation

_SEV_ZH = {"block": "阻止 block", "warn": "警告 warn", "info": "提示 info"}


def _md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def catalogue_markdown(cat: Catalogue) -> str:
    """The human-readable bilingual rule catalogue (docs/RULES.md), generated, never edited by hand."""
    lines: list[str] = [
        "# 规则目录 · Rule catalogue",
        "",
        "<!-- Generated from rules/*.toml by `python -m app docs --write`; do not edit by hand. -->",
        "",
        f"{len(cat.rules)} rules in {len(cat.categories)} categories. "
        "Severity: **block** = likely to get the message blocked or the account warned; "
        "**warn** = risky, review it; **info** = advice.",
        "",
        f"共 {len(cat.rules)} 条规则，{len(cat.categories)} 个类别。级别：**block** 阻止（很可能被拦截或导致账户警告）；"
        "**warn** 警告（有风险，请检查）；**info** 提示（建议）。",
        "",
        "## 目录 · Contents",
        "",
    ]
    by_cat: dict[str, list[Rule]] = {c: [] for c in cat.categories}
    for r in cat.rules:
        by_cat.setdefault(r.category, []).append(r)
    for cid, c in cat.categories.items():
        label = _md_escape(f"{c.title['zh']} · {c.title['en']}").replace("[", "\\[").replace("]", "\\]")
        lines.append(f"- [{label}](#{cid}) — {len(by_cat.get(cid, []))}")
    lines.append("")
    for cid, c in cat.categories.items():
        lines += [
            f'<a id="{cid}"></a>',
            "",
            f"## {c.title['zh']} · {c.title['en']} (`{cid}`)",
            "",
            f"Default severity 默认级别: {_SEV_ZH[c.severity]}",
            "",
            f"> {c.reminder['zh']}",
            ">",
            f"> {c.reminder['en']}",
            "",
        ]
        if c.sources:
            lines += ["Sources 依据: " + "; ".join(c.sources), ""]
        rules = sorted(by_cat.get(cid, []), key=lambda r: r.id)
        if not rules:
            lines += ["_No rule file; the engine raises this category itself (see app/engine.py)._", ""]
        for r in rules:
            langs = "any 任意" if r.any_language else ", ".join(r.languages)
            lines += [
                f"### `{r.id}`",
                "",
                f"- {r.title['zh']} · {r.title['en']}",
                f"- Severity 级别: {_SEV_ZH[r.severity]} · Languages 语言: {langs} · File 文件: `{r.file}`",
                f"- 问题: {r.message['zh']}",
                f"- Problem: {r.message['en']}",
                f"- 建议: {r.suggestion['zh']}",
                f"- Use instead: {r.suggestion['en']}",
                *([f"- 判断方式: 学习模型 `{r.model}`（app/tone.py，app/{r.model}_model.json），按整句判断"
                   f"{'，两句以上的消息按整条消息判断' if _judges_messages(r.model) else ''}，不是固定短语 · "
                   f"How: the learned model `{r.model}` (app/tone.py, app/{r.model}_model.json) judges each whole "
                   f"sentence{', and a message of two sentences or more as a whole' if _judges_messages(r.model) else ''}; "
                   "no fixed phrase list"] if r.model else []),
                f"- ✗ Bad 违规示例: {_md_example(r.bad[0])}",
                f"- ✓ Good 合规示例: {_md_escape(r.good[0])}",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_example(ex: str) -> str:
    plain, spans = parse_example(ex)
    out = []
    pos = 0
    for a, b in spans:
        out.append(_md_escape(plain[pos:a]))
        out.append("**" + _md_escape(plain[a:b]) + "**")
        pos = b
    out.append(_md_escape(plain[pos:]))
    return "".join(out)


def _judges_messages(model_name: str) -> bool:
    """Does the learned model ``model_name`` also judge whole messages (a message part in its file)?"""
    from .tone import load_model

    model = load_model(model_name)
    return model is not None and model.message is not None
