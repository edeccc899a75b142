"""Required literals of a regular expression: a cheap test that a pattern cannot match a text.

A rule's patterns run on every keystroke; most of them cannot match most drafts (a German insult in an
English message, an e-mail pattern in a text without ``@``). Python's ``re`` has no multi-pattern
prefilter, so we compute one at load time: from the parsed pattern, a small set of strings such that
every match contains at least one of them. ``str in str`` is a C substring search, hundreds of times
cheaper than letting the regex engine try every start position. A pattern we cannot analyse (case-
insensitive, back-references, huge classes) simply has no prefilter and always runs.

This reads ``re._parser`` (the stdlib's own regex parser, present in CPython 3.11–3.14 and Pyodide); if it
ever changes shape, ``required_literals`` returns None and matching stays correct, only slower.
"""

from __future__ import annotations

import re as _re
from functools import lru_cache

__all__ = ["required_literals", "required_literal_sets", "literal_cost", "fold_char", "fold_text", "required_class",
           "first_class", "gate_class", "gated", "required_word_sets", "word_in", "word_edges", "WORD_MARK", "marked_word_sets", "word_flagged",
           "word_unflagged"]

_MAXSET = 64  # largest product kept as an exact literal set
_MAXMATCH = 600  # largest alternation kept as a required-literal set (the engine indexes each literal)
_MAXCLASS = 12  # largest character class expanded into single characters

try:  # pragma: no cover - import guard
    from re import _constants as _C
    from re import _parser as _P

    _LITERAL = _C.LITERAL
    _IN = _C.IN
    _RANGE = _C.RANGE
    _BRANCH = _C.BRANCH
    _SUBPATTERN = _C.SUBPATTERN
    _REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}
    _ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
    _ATOMIC = getattr(_C, "ATOMIC_GROUP", None)
    _IGNORECASE = _C.SRE_FLAG_IGNORECASE
    _AT = _C.AT
    _AT_BOUNDARY = _C.AT_BOUNDARY
    _ASSERT_NOT = _C.ASSERT_NOT
    _CATEGORY = _C.CATEGORY
    _NEGATE = _C.NEGATE
    _NONWORD_CATEGORIES = {_C.CATEGORY_SPACE, _C.CATEGORY_NOT_WORD}
    _CATEGORY_WORD = _C.CATEGORY_WORD
    _WORD_FLAGS = _C.SRE_FLAG_ASCII | _C.SRE_FLAG_LOCALE | _IGNORECASE
except Exception:  # pragma: no cover
    _P = None


def _as_match(s):
    if s is None or not s or "" in s or any(not x.strip(_MARK) and x for x in s):
        return None  # a member that requires nothing (a bare word-edge mark): no condition
    return _minimal(s)


def _minimal(s) -> frozenset:
    """Drop strings containing another member: "idiots" is implied by "idiot"."""
    ordered = sorted(set(s), key=len)
    keep: list[str] = []
    for x in ordered:
        if not any(k in x for k in keep):
            keep.append(x)
    return frozenset(keep)


# Words so frequent that requiring them filters nothing ("you" is in nearly every English message).
_COMMON_WORDS = set(
    """you your we our the and for with are this that have has not can will please thank is it to of in on
    sie ihr ihre ihnen und die der das wir ist nicht mit für vous votre nous est les des pour une que pas
    usted su que los las por para una con del lei che per non una della sono il la le
    的 我 你 您 了 是 不 在 有 我们 请 の に は を て で が し ます です""".split()
)


@lru_cache(maxsize=None)
def literal_cost(lit: str) -> float:
    """How likely ``lit`` is to occur in an ordinary draft (lower = more selective)."""
    if _MARK in lit:  # a word-edge string (``required_word_sets``): rarer the more edges it pins
        core, lb, rb = word_edges(lit)
        return literal_cost(core) * (0.25 if lb and rb else 0.5 if lb or rb else 1.0) if core else 40.0
    w = lit.strip()
    if not w or w in _COMMON_WORDS:
        return 40.0
    if len(lit) == 1:
        return 40.0 if lit.isascii() and (lit.isalnum() or lit in " .,'-") else 2.0
    if not lit.isascii():
        return 0.3 / len(lit)
    return 1.0 / (len(lit) ** 2)


def set_cost(c) -> float:
    """How likely a draft holds one of the literals of ``c`` (lower = more selective): their costs summed in
    sorted order and rounded, so equal sets compare equal whatever order a frozenset iterates in (the hash
    seed), and the compiled catalogue is the same every build."""
    return round(sum(literal_cost(x) for x in sorted(c)), 9)


def _best(cands):
    cands = [c for c in cands if c is not None]
    if not cands:
        return None
    # Most selective: the lowest summed likelihood of its literals (the first of equals in the list).
    return min(cands, key=lambda c: (set_cost(c), len(c)))


def _seq(items, cf=None, mk=False):
    """(exact, conds) for a sequence: exact = the set of strings it matches when small, else None;
    conds = sets of strings such that every match contains a member of EACH set (all necessary).
    ``mk``: also write word edges into the strings (``required_word_sets``)."""
    all_exact = True
    cands: list = []
    run = {""}
    for op, av in items:
        if mk:
            edge = _edge_kind(op, av)
            if edge:
                # A word edge (zero width: the run goes on through it), or a character that is not a word
                # character (the run ends; the next one starts after a non-word character).
                run = {r + _MARK for r in run}
                if edge == 2:
                    all_exact = False
                    cands.append(_as_match(run))
                    run = {_MARK}
                continue
        if op in _REPEATS and av[0] >= 1 and not (av[0] == av[1] == 1):
            body_ex, body_conds = _seq(av[2].data if hasattr(av[2], "data") else av[2], cf, mk)
            if body_ex is not None and "" not in body_ex:
                # X{1,} with a literal X: its first copy ends the run before it ("f" + "u+" → "fu") and its
                # last copy starts the next one ("u" + "c+" → "uc"), so `f+u+c+k+` still requires "ck".
                all_exact = False
                if len(run) * len(body_ex) <= _MAXSET:
                    cands.append(_as_match({a + b for a in run for b in body_ex}))
                else:
                    cands.append(_as_match(run))
                    cands.append(_as_match(body_ex))
                run = set(body_ex)
                continue
        ex, conds = _node(op, av, cf, mk)
        if ex is not None:
            if len(run) * len(ex) <= _MAXSET:
                run = {a + b for a in run for b in ex}
            else:
                cands.append(_as_match(run))
                run = set(ex)
                all_exact = False
        else:
            all_exact = False
            cands.append(_as_match(run))
            cands.extend(conds)
            run = {""}
    cands.append(_as_match(run))
    return (run if all_exact else None), [c for c in cands if c is not None]


def _node(op, av, cf=None, mk=False):
    if op == _LITERAL:
        if mk and chr(av) == _MARK:
            return None, []
        return {cf(chr(av)) if cf else chr(av)}, []
    if op == _IN:
        chars = set()
        for iop, iav in av:
            if iop == _LITERAL:
                chars.add(chr(iav))
            elif iop == _RANGE and iav[1] - iav[0] < _MAXCLASS:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:
                return None, []  # categories, negation, big ranges
        if mk and _MARK in chars:
            return None, []
        if 0 < len(chars) <= _MAXCLASS:
            return ({cf(c) for c in chars} if cf else chars), []
        return None, []
    if op in _ZERO_WIDTH:
        return {""}, []  # consumes nothing: transparent inside a sequence
    if op == _SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags & _IGNORECASE and cf is None:
            return None, []
        if mk and (add_flags or del_flags):
            return None, []  # (?a:…) and the like change what a word edge is
        return _seq(p.data if hasattr(p, "data") else p, cf, mk)
    if _ATOMIC is not None and op == _ATOMIC:
        return _seq(av.data if hasattr(av, "data") else av, cf, mk)
    if op == _BRANCH:
        _, branches = av
        infos = [_seq(b.data if hasattr(b, "data") else b, cf, mk) for b in branches]
        exact = None
        if all(ex is not None for ex, _ in infos):
            u = set().union(*(ex for ex, _ in infos))
            if len(u) <= _MAXSET:
                exact = u
        matches = []
        for ex, conds in infos:
            m = _best([_as_match(ex) if ex is not None else None, *conds])
            if m is None:
                return exact, []  # a branch requires nothing we can name: no condition for the whole
            matches.append(m)
        u = _minimal(frozenset().union(*matches))
        return exact, ([u] if len(u) <= _MAXMATCH else [])
    if op in _REPEATS:
        lo, hi, p = av
        ex, conds = _seq(p.data if hasattr(p, "data") else p, cf, mk)
        if lo == 0:
            if hi == 1 and ex is not None:
                return {""} | ex, []
            return None, []  # may consume anything or nothing: breaks a literal run
        if lo == hi == 1:
            return ex, conds
        return None, [c for c in [_as_match(ex), *conds] if c is not None]
    return None, []


def required_literal_sets(pattern: str, limit: int = 4, *, fold: bool = False) -> list[frozenset[str]]:
    """Sets of strings such that every match of ``pattern`` contains a member of each set; the most
    selective first, at most ``limit``. Empty when nothing can be said.

    ``fold=True`` also analyses case-insensitive patterns: the strings are then ASCII and lower case (sets
    with other strings are left out), and must be looked for in ``fold_text(text)``.
    """
    return list(_required_literal_sets(pattern, limit, fold))


# The analyses below are pure functions of the pattern's text and cost most of a catalogue's loading (the
# parse of ~3,800 patterns); a process that loads the catalogue again (build.py's checks, the tests, an
# editor's re-validation) asks the same questions and gets the same answers from these caches.
@lru_cache(maxsize=None)
def _required_literal_sets(pattern: str, limit: int, fold: bool) -> tuple[frozenset[str], ...]:
    if _P is None or (fold and _CANON is None):
        return ()
    try:
        parsed = _P.parse(pattern)
        if parsed.state.flags & _IGNORECASE and not fold:
            return ()
        _, conds = _seq(parsed.data, fold_char if fold else None)
    except Exception:  # an unexpected parser shape must never break loading
        return ()
    unique = list(dict.fromkeys(conds))
    if fold:
        unique = [c for c in unique if all(x.isascii() for x in c)]
    unique.sort(key=lambda c: (set_cost(c), len(c), sorted(c)))
    return tuple(unique[:limit])


# ------------------------------------------------------------------------------------------------ word edges
#
# Most rule patterns put ``\b`` around their words (``\b(?:se|es)\b``): a text holding "se" only inside
# "sent" or "use" cannot match, though the literal "se" occurs. ``required_word_sets`` is the analysis above
# with the word edges written into the strings (``_MARK``): a ``\b``, a ``(?<!\w)``/``(?!\w)``, or a
# character that cannot be a word character (``\s+``, ``\W``), next to the first or last character of a
# string that is a word character. ``word_in`` then asks for the string with its edges: "se" as a whole
# word. Edges are those of ``re`` itself (a word character is ``str.isalnum()`` or "_", as in ``_sre``), so a
# pattern that matches a text holds a member of each set, edges included; a text without one cannot match.
# Inside a window (``search(text, a, b)``) ``re`` sees the text before ``a``, and treats ``b`` as the end:
# the engine's windows end after a sentence end, a non-word character, where the edge is the same.

# A character no rule pattern holds: a lone surrogate cannot be written in TOML (nor in its JSON copy).
_MARK = "\udfff"


def _isw(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _nonword_class(av) -> bool:
    """An ``IN`` class none of whose characters is a word character."""
    if len(av) == 2 and av[0][0] == _NEGATE and av[1] == (_CATEGORY, _CATEGORY_WORD):
        return True  # [^\w]
    for iop, iav in av:
        if iop == _CATEGORY:
            if iav not in _NONWORD_CATEGORIES:
                return False
        elif iop == _LITERAL:
            if _isw(chr(iav)):
                return False
        elif iop == _RANGE:
            if iav[1] - iav[0] > 256 or any(_isw(chr(c)) for c in range(iav[0], iav[1] + 1)):
                return False
        else:
            return False
    return bool(av)


def _edge_kind(op, av) -> int:
    r"""1: a zero-width word edge (``\b``, ``(?<!\w)``, ``(?!\w)``); 2: one or more characters that are not
    word characters, all of them unknown (``\s+``, ``\W``; a class of a few literal characters is left to
    the analysis, which keeps them); 0: neither."""
    if op == _AT:
        return 1 if av == _AT_BOUNDARY else 0
    if op == _ASSERT_NOT:
        _direction, p = av
        data = p.data if hasattr(p, "data") else p
        if len(data) == 1 and data[0][0] == _IN and list(data[0][1]) == [(_CATEGORY, _CATEGORY_WORD)]:
            return 1
        return 0
    if op == _IN:
        return 2 if _nonword_class(av) and _node(op, av)[0] is None else 0
    if op in _REPEATS and av[0] >= 1:
        data = av[2].data if hasattr(av[2], "data") else av[2]
        if len(data) == 1 and data[0][0] == _IN and _nonword_class(data[0][1]) and _node(*data[0])[0] is None:
            return 2
    return 0


def word_edges(member: str) -> tuple[str, bool, bool]:
    """(the string, whether a word edge precedes it, whether one follows it) of a string with word edges
    marked (``WORD_MARK``): edges count only next to a word character (an edge next to another character
    says something else)."""
    core = member.replace(_MARK, "")
    lb = member.startswith(_MARK) and bool(core) and _isw(core[0])
    rb = member.endswith(_MARK) and bool(core) and _isw(core[-1])
    return core, lb, rb


WORD_MARK = _MARK


def required_word_sets(pattern: str, limit: int = 2) -> list[tuple[tuple[str, bool, bool], ...]]:
    """Sets of (string, word edge before, word edge after) such that every match of ``pattern`` holds, for
    each set, one of its strings with those edges (``word_in``); only sets where some edge is known, the
    most selective first, at most ``limit``. Empty when nothing can be said (case-insensitive or ASCII
    patterns, whose edges differ)."""
    if _P is None:
        return []
    try:
        parsed = _P.parse(pattern)
        if parsed.state.flags & _WORD_FLAGS:
            return []
        _, conds = _seq(parsed.data, None, True)
    except Exception:  # an unexpected parser shape must never break loading
        return []
    out = []
    for c in dict.fromkeys(conds):
        members = sorted(word_edges(x) for x in c)
        if any(not core for core, _, _ in members) or not any(lb or rb for _, lb, rb in members):
            continue
        out.append((set_cost(c), tuple(dict.fromkeys(members))))
    out.sort()
    return [m for _, m in out[:limit]]


@lru_cache(maxsize=None)
def marked_word_sets(pattern: str, limit: int = 1, members: int = 64) -> tuple[tuple[str, ...], ...]:
    """``required_word_sets`` as strings with their edges marked (``WORD_MARK`` before and/or after), sets of
    at most ``members`` strings: the engine's literals."""
    return tuple(tuple(_MARK * lb + core + _MARK * rb for core, lb, rb in ws)
                 for ws in required_word_sets(pattern, limit) if len(ws) <= members)


def word_flagged(marked: str) -> str:
    """A marked string as text that JSON can hold: a digit for its edges (1 before, 2 after), then the string."""
    core, lb, rb = word_edges(marked)
    return f"{int(lb) + 2 * int(rb)}{core}"


def word_unflagged(flagged: str) -> str:
    e = int(flagged[0])
    return _MARK * (e & 1) + flagged[1:] + _MARK * (e >> 1)


def word_in(text: str, core: str, lb: bool, rb: bool) -> bool:
    """Does ``core`` occur in ``text`` with a word edge before it (``lb``) and after it (``rb``)?"""
    i = text.find(core)
    if i == -1 or not (lb or rb):
        return i != -1
    n = len(core)
    end = len(text)
    while i != -1:
        if (not lb or i == 0 or not _isw(text[i - 1])) and (not rb or i + n >= end or not _isw(text[i + n])):
            return True
        i = text.find(core, i + 1)
    return False


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which occurs in every match of ``pattern``, or None when unknown."""
    sets = required_literal_sets(pattern, 1)
    return sets[0] if sets else None


# ------------------------------------------------------------------------------------------ case-insensitive
#
# ``re`` matches a text character c to a pattern character p under IGNORECASE when lower(c) == lower(p), or
# when lower(c) is one of the few extra case variants of lower(p) (``re._casefix``: "ı" for "i", "ſ" for
# "s", …), with ``lower`` the one-character lower-casing of ``_sre``. ``fold_char`` maps every character to
# one representative of that equivalence (the smallest code point), so a case-insensitive match of a
# string implies an exact match of the folded string in the folded text.
#
# The engine only asks for ASCII strings (``fold=True`` above), and the characters whose representative is
# ASCII are the ASCII ones plus "İ ı ſ K" (Kelvin sign; pinned by tests/test_engine.py over every code
# point). So ``fold_text`` is the text lower-cased (a C call) with those four replaced: every character
# that can match an ASCII pattern character becomes exactly that character, and nothing else can.

try:  # pragma: no cover - import guard
    import _sre

    from re import _casefix

    _LOWER = _sre.unicode_tolower
    _EXTRA = _casefix._EXTRA_CASES
    _CANON: dict[int, str] | None = {}
except Exception:  # pragma: no cover
    _CANON = None

# Non-ASCII characters that fold to an ASCII one, and what they fold to.
_TO_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def fold_char(ch: str) -> str:
    """The representative of ``ch``'s case-insensitive equivalence class (see above)."""
    code = ord(ch)
    r = _CANON.get(code)
    if r is None:
        seen = {code, _LOWER(code)}
        todo = list(seen)
        while todo:  # the closure: lower-casing and the extra variants, both ways
            c = todo.pop()
            for x in (_LOWER(c), *_EXTRA.get(c, ()), *_EXTRA.get(_LOWER(c), ())):
                if x not in seen:
                    seen.add(x)
                    todo.append(x)
        r = _CANON[code] = chr(min(_LOWER(c) for c in seen))
    return r


def fold_text(text: str) -> str:
    """``text`` where every character that folds to an ASCII one (``fold_char``) is that ASCII character:
    the place to look for the ASCII strings of ``required_literal_sets(…, fold=True)``. Other characters
    are lower-cased and may change length ("İ" is replaced first): only presence can be asked, not offsets."""
    if text.isascii():
        return text.lower()
    for ch, rep in _TO_ASCII.items():
        if ch in text:
            text = text.replace(ch, rep)
    return text.lower()


def required_class(pattern: str) -> str | None:
    """A character class (``re`` source, ``[…]``) of non-ASCII characters one of which every match of
    ``pattern`` contains, or None when there is none (or the pattern is case-insensitive: "K", the Kelvin
    sign, matches "k"). A text without such a character cannot match: an ASCII text never can, and a single
    class search (a C loop) tells for any other text (emoji in a Chinese message)."""
    if _P is None:
        return None
    try:
        parsed = _P.parse(pattern)
        if parsed.state.flags & _IGNORECASE:
            return None
        ranges = _seq_class(parsed.data)
    except Exception:
        return None
    if not ranges:
        return None
    return "[" + "".join(_class_range(a, b) for a, b in sorted(ranges)) + "]"


def _class_range(a: int, b: int) -> str:
    return f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}"


def _seq_class(items) -> set | None:
    """Ranges of the first element of a sequence that must match a non-ASCII character, or None."""
    for op, av in items:
        found = _node_class(op, av)
        if found:
            return found
    return None


def _node_class(op, av) -> set | None:
    if op == _LITERAL:
        return {(av, av)} if av > 127 else None
    if op == _IN:
        out = set()
        for iop, iav in av:
            if iop == _LITERAL and iav > 127:
                out.add((iav, iav))
            elif iop == _RANGE and iav[0] > 127:
                out.add((iav[0], iav[1]))
            else:
                return None  # ASCII members, categories, negation
        return out or None
    if op == _SUBPATTERN:
        _group, add_flags, _del_flags, p = av
        return None if add_flags & _IGNORECASE else _seq_class(p.data if hasattr(p, "data") else p)
    if _ATOMIC is not None and op == _ATOMIC:
        return _seq_class(av.data if hasattr(av, "data") else av)
    if op == _BRANCH:
        out = set()
        for b in av[1]:
            found = _seq_class(b.data if hasattr(b, "data") else b)
            if not found:
                return None  # a branch that may match ASCII only: no class for the whole
            out |= found
        return out
    if op in _REPEATS:
        lo, _hi, p = av
        return _seq_class(p.data if hasattr(p, "data") else p) if lo >= 1 else None
    return None


# ------------------------------------------------------------------------------------------ first character
#
# ``re`` finds a pattern that begins with a literal or a character class by skipping in C to the next
# position holding one of its first characters; a pattern that begins with a look-behind or ``\b`` (most
# rules: ``\b(?:call|ring)…``, ``(?<![a-z])…``) is instead tried at every position of the text, each try
# running the look-behind and the first branches. ``gated`` puts ``(?=[…])`` in front of such a pattern,
# with the characters any of its matches must begin with: most positions then fail on one class test.
# The matches are the same (every match begins with one of those characters), and so are the groups.


def first_class(pattern: str) -> str | None:
    """A character class (``re`` source) holding the first character of every match of ``pattern``, or
    None when unknown: flags, a class with ``\\w``/negation/any character, or a pattern that can match the
    empty string."""
    if _P is None:
        return None
    try:
        return _first_class(_P.parse(pattern))
    except Exception:  # an unexpected parser shape must never break loading
        return None


def _first_class(parsed) -> str | None:
    if parsed.state.flags & ~(_C.SRE_FLAG_UNICODE | _IGNORECASE):
        return None  # verbose, ASCII, multi-line…: not analysed
    # Case-insensitive: the class is put in front under the pattern's own flags (``gated``), where it matches
    # every case of its members as the pattern's first characters do.
    found, nullable = _first_seq(parsed.data)
    if found is None or nullable or not found:
        return None
    chars: set[int] = set()
    parts: list[str] = []
    for kind, value in found:
        if kind == "c":
            chars.add(value)
        elif kind == "r":
            parts.append(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
        else:
            parts.append(value)
    parts.sort()
    parts.extend(chr(c) if chr(c).isascii() and chr(c).isalnum() else f"\\U{c:08x}" for c in sorted(chars))
    return "[" + "".join(parts) + "]"


_FIRST_CATEGORIES: dict = {}
if _P is not None:  # pragma: no branch
    _FIRST_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s"}


def _first_seq(items):
    """(first-character items of a sequence, whether it can match the empty string); (None, _): unknown."""
    acc: set = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # look-arounds and anchors consume nothing: the next element begins the match
        found, nullable = _first_node(op, av)
        if found is None:
            return None, False
        acc |= found
        if not nullable:
            return acc, False
    return acc, True


def _first_node(op, av):
    if op == _LITERAL:
        return {("c", av)}, False
    if op == _IN:
        out = set()
        for iop, iav in av:
            if iop == _LITERAL:
                out.add(("c", iav))
            elif iop == _RANGE:
                out.add(("r", (iav[0], iav[1])))
            elif iop == _C.CATEGORY and iav in _FIRST_CATEGORIES:
                out.add(("k", _FIRST_CATEGORIES[iav]))
            else:
                return None, False  # negation, \w, \S…: too broad to help, or not analysed
        return out, False
    if op == _SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags or del_flags:
            return None, False
        return _first_seq(p.data if hasattr(p, "data") else p)
    if _ATOMIC is not None and op == _ATOMIC:
        return _first_seq(av.data if hasattr(av, "data") else av)
    if op == _BRANCH:
        acc: set = set()
        nullable = False
        for b in av[1]:
            found, n = _first_seq(b.data if hasattr(b, "data") else b)
            if found is None:
                return None, False
            acc |= found
            nullable = nullable or n
        return acc, nullable
    if op in _REPEATS:
        lo, _hi, p = av
        found, n = _first_seq(p.data if hasattr(p, "data") else p)
        if found is None:
            return None, False
        return found, n or lo == 0
    return None, False  # any character, back-references, conditionals…


@lru_cache(maxsize=None)
def gate_class(pattern: str) -> str | None:
    """The class of ``gated`` (the look-ahead put in front of ``pattern``), or None when none is put: no
    class is known, or the pattern already begins with a literal or a class (``re`` skips to it by itself,
    and a look-ahead in front would stop that)."""
    if _P is None:
        return None
    try:
        parsed = _P.parse(pattern)
        data = parsed.data
        while data and data[0][0] == _SUBPATTERN and not (data[0][1][1] or data[0][1][2]):
            p = data[0][1][3]
            data = p.data if hasattr(p, "data") else p
        if data and not parsed.state.flags & _IGNORECASE:
            # (Case-insensitive, ``re`` skips ahead only to characters without case: the look-ahead helps.)
            op, av = data[0]
            if op in (_LITERAL, _IN):
                return None
            if op == _BRANCH and all(b.data and b.data[0][0] == _LITERAL for b in av[1]):
                return None
        return _first_class(parsed)
    except Exception:  # an unexpected parser shape must never break loading
        return None


def gated(pattern: str, cls: str | None = None) -> str | None:
    """``pattern`` with ``(?=[its first characters])`` in front (see above), or None when ``gate_class``
    gives no class. ``cls``: that class when already known (a compiled catalogue stores it)."""
    if cls is None:
        cls = gate_class(pattern)
    if cls is None:
        return None
    # Flags written at the start of the pattern (``(?i)``) stay at the start, and so apply to the class too.
    lead = _LEADING_FLAGS.match(pattern)
    cut = lead.end() if lead else 0
    return f"{pattern[:cut]}(?={cls})(?:{pattern[cut:]})"


_LEADING_FLAGS = _re.compile(r"(?:\(\?[aiLmsux]+\))+")
