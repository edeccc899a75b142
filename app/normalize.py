"""Normalized views of a draft: evasions made visible, positions kept.

A rule never sees the draft directly; it sees one *view* of it (the rule's ``view`` key). Every view is a
string plus a map from each of its characters back to the draft's characters, so a match found in any view
is reported on exactly the characters the seller typed (``View.span``).

Views (a rule author picks the one whose folding their pattern needs):

``raw``
    The draft unchanged (case kept). For things that folding would destroy: emoji and their joiners,
    HTML tags, ``LINE`` written in capitals, a domain whose top-level part must be lower case.
``text``
    Unicode NFKC (full-width ``ｗｈａｔｓａｐｐ`` → ``whatsapp``, ``①`` → ``1``, ``ﬁ`` → ``fi``), then case
    folding (``ß`` → ``ss``), zero-width characters, soft hyphens, bidi controls and variation selectors
    removed, curly quotes made straight (``’`` → ``'``), dashes made ``-``, and Cyrillic/Greek look-alike
    letters turned into Latin inside words that are otherwise Latin (``WhаtsApp`` with a Cyrillic ``а``).
    Accents are KEPT (``é``, ``ü``): French/German patterns write them. Whitespace is NOT collapsed:
    write ``\\s+`` between words. This is the view most rules use.
``letters``
    ``text`` plus leetspeak undone inside words (``wh@tsapp``, ``sk1pe``, ``p4yp4l``: ``0→o 1→i/l 3→e 4→a
    5→s $→s @→a``, only in tokens that are mostly letters, so ``B07XYZ1234`` and ``3rd`` stay) and letters
    spread with separators joined (``w h a t s a p p``, ``W.h.a.t.s.A.p.p``, ``加 微 信``). For brand and
    keyword patterns that evaders disguise; do not use it for phrases whose spaces matter.
``words``
    ``text`` with disguised words restored and word boundaries kept, for phrase rules (insults, accusations,
    review requests) whose spaces matter: a word spelled out with separators is joined (``l i a r`` →
    ``liar``, ``r.e.f.u.n.d`` → ``refund``, ``r-e-v-i-e-w`` → ``review``) while the words around it keep their
    spaces (``leave a r e v i e w`` → ``leave a review``, ``y o u  a r e  a  l i a r`` with wider gaps between
    words → ``you are a liar``); leetspeak is undone inside words (``l1ar``, ``sc4mmer``, ``b!tch``), never in
    a number glued to its unit (``5star``, ``10euro``, ``3rd``) or a code (``B07XYZ1234``). Three spaced
    letters are left alone (``u r a``, ``S M L``), so are mixed separators (``y a-t-il``).
``numbers``
    ``text`` with spelled-out digits (``five five five`` → ``5 5 5``, ``null eins sieben`` → ``0 1 7``) and
    Chinese numerals (``一三八`` → ``138``) turned into digits. Numbers from ten to ninety-nine, as a phone
    number is read out in pairs, become their two digits with a space between them, like the single digits
    (``quarante-cinq`` → ``4 5``, ``einundzwanzig`` → ``2 1``, ``veintiuno`` → ``2 1``, ``trentotto`` →
    ``3 8``, ``soixante et onze`` → ``7 1``, ``quatre-vingt-dix-huit`` → ``9 8``, ``forty-two`` → ``4 2``).
    Only phone patterns read this view, and they need seven digits in a row, so "vingt-quatre heures" or
    "zwanzig Stück" change nothing. For phone numbers.
``address``
    ``text`` with obfuscated addresses rebuilt: ``[at]`` ``(at)`` ``{at}`` `` @ `` → ``@``, ``[dot]``
    ``(dot)`` → ``.``, and a spelled ``at``/``dot`` when the words around it look like an address
    (``john at gmail dot com`` → ``john@gmail.com``). For e-mail addresses and domains.

Cost: every view is built once per check, in linear time; an ASCII draft without evasions shares one
string among the views (fast paths below), which is what keeps a keystroke check well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["View", "Views", "fold_text", "join_views", "VIEW_NAMES"]

VIEW_NAMES = ("raw", "text", "letters", "words", "numbers", "address")


class View:
    """A normalized string and, per character, the draft span it came from.

    ``starts[i]``/``ends[i]`` are the draft offsets of the source of view character ``i``; ``None`` means
    the view is aligned 1:1 with the draft. Both lists are non-decreasing (every transformation keeps
    order), so a view span ``[s, e)`` maps to ``[starts[s], ends[e-1])``: the first and last source
    characters, which is the [min start, max end] of all of them.
    """

    __slots__ = ("name", "text", "starts", "ends")

    def __init__(self, name: str, text: str, starts: list[int] | None = None, ends: list[int] | None = None):
        self.name = name
        self.text = text
        self.starts = starts
        self.ends = ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Draft offsets of the view span [start, end) (end > start)."""
        if self.starts is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"View({self.name!r}, {self.text!r})"


def _edit(parent: View, name: str, edits: list[tuple[int, int, str]]) -> View:
    """Apply non-overlapping, sorted edits (start, end, replacement) to ``parent``.

    Replacement characters map to the whole replaced source span; untouched characters keep their own
    map, so ``w h a t s`` with the spaces deleted still maps each letter to itself.
    """
    if not edits:
        return View(name, parent.text, parent.starts, parent.ends)
    src = parent.text
    n = len(src)
    if parent.starts is None:
        p_starts = range(n)
        p_ends = range(1, n + 1)
    else:
        p_starts = parent.starts
        p_ends = parent.ends
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b, rep in edits:
        if a > pos:
            out.append(src[pos:a])
            starts.extend(p_starts[pos:a])
            ends.extend(p_ends[pos:a])
        if rep:
            out.append(rep)
            s0 = p_starts[a]
            e0 = p_ends[b - 1]
            k = len(rep)
            starts.extend([s0] * k)
            ends.extend([e0] * k)
        pos = b
    if pos < n:
        out.append(src[pos:])
        starts.extend(p_starts[pos:])
        ends.extend(p_ends[pos:])
    return View(name, "".join(out), starts, ends)


def join_views(name: str, parts: list[tuple[int, View]]) -> View:
    """One view from the views of consecutive pieces of a draft (``(offset of the piece, its view)``)."""
    if all(v.starts is None for _, v in parts):
        return View(name, "".join(v.text for _, v in parts))
    starts: list[int] = []
    ends: list[int] = []
    for off, v in parts:
        if v.starts is None:
            starts.extend(range(off, off + len(v.text)))
            ends.extend(range(off + 1, off + len(v.text) + 1))
        else:
            starts.extend([x + off for x in v.starts])
            ends.extend([x + off for x in v.ends])
    return View(name, "".join(v.text for _, v in parts), starts, ends)


# ---------------------------------------------------------------------------------------------- text view

# Characters that render as nothing (or nearly) and are used to split a keyword so filters miss it.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_QUOTES_DASHES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "\u0060": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
}

# Cyrillic and Greek letters that look like Latin ones (after case folding). Uppercase look-alikes fold to
# these lowercase letters (Cyrillic Н → н → h, В → в → b), hence some entries that only look Latin in
# capitals.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "һ": "h", "ӏ": "l", "ɡ": "g", "ʀ": "r", "ɪ": "i", "ᴏ": "o",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "γ": "y", "ϲ": "c", "ϳ": "j", "ζ": "z",
}
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)
_HAS_CYRILLIC_GREEK = re.compile(r"[\u0250-\u02af\u0370-\u03ff\u0400-\u052f\u1d00-\u1d7f]")
# Runs of Latin, Cyrillic and Greek letters only: a look-alike word glued to Japanese or Chinese text
# ("Теlеgrаmで") is still judged on its own letters.
_WORD = re.compile(r"[a-z\u00c0-\u024f\u0250-\u02af\u0370-\u03ff\u0400-\u052f\u1d00-\u1d7f\u1e00-\u1eff]+")


def _is_latin_letter(c: str) -> bool:
    o = ord(c)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF


def _fold_char(c: str, _cache: dict[str, str] = {}) -> str:  # noqa: B006 - a deliberate per-process cache
    """NFKC + casefold + invisible/quote/dash handling of one character (composition handled separately)."""
    r = _cache.get(c)
    if r is None:
        if c in _INVISIBLE or 0xE0000 <= ord(c) <= 0xE007F:
            r = ""
        else:
            r = unicodedata.normalize("NFKC", c).casefold()
            r = "".join(_QUOTES_DASHES.get(x, x) for x in r)
        if len(r) != 1:
            _ODD.add(c)
        if len(_cache) < 20000:
            _cache[c] = r
    return r


# Characters seen so far whose fold is not exactly one character ("ß" → "ss", a zero-width space → ""):
# only these need a map entry of their own, the runs between them map 1:1.
_ODD: set[str] = set()
_odd_pattern: list = [None, -1]


def _odd_chars() -> re.Pattern | None:
    if _odd_pattern[1] != len(_ODD):
        _odd_pattern[0] = re.compile("[" + "".join(re.escape(c) for c in sorted(_ODD)) + "]") if _ODD else None
        _odd_pattern[1] = len(_ODD)
    return _odd_pattern[0]


def _compose_fixups(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    """Recompose what per-character folding left decomposed (``e`` + U+0301, half-width ``ｶﾞ``).

    Each run of a starter plus its combining marks is normalized as a unit; its output maps to the whole
    run's source span, keeping the maps monotonic.
    """
    out: list[str] = []
    ns: list[int] = []
    ne: list[int] = []
    i = 0
    n = len(text)
    combining = unicodedata.combining
    while i < n:
        j = i + 1
        while j < n and (combining(text[j]) or text[j] in "\u3099\u309a"):
            j += 1
        seg = text[i:j]
        if j - i > 1:
            comp = unicodedata.normalize("NFKC", seg)
        else:
            comp = seg
        if comp == seg:
            out.append(seg)
            ns.extend(starts[i:j])
            ne.extend(ends[i:j])
        else:
            out.append(comp)
            ns.extend([starts[i]] * len(comp))
            ne.extend([ends[j - 1]] * len(comp))
        i = j
    return "".join(out), ns, ne


def _confusables(word_match: re.Match) -> str:
    w = word_match.group()
    if not _HAS_CYRILLIC_GREEK.search(w):
        return w
    # Only words made entirely of Latin letters and look-alikes: a real Russian or Greek word ("Привет")
    # contains letters with no Latin twin and is left alone, so it cannot turn into a Latin insult.
    if all(_is_latin_letter(ch) or ch in _CONFUSABLES for ch in w):
        return w.translate(_CONFUSABLE_TABLE)
    return w


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each character: the fold runs at C speed."""

    def __missing__(self, code: int) -> str:
        r = _fold_char(chr(code))
        if len(self) < 50000:
            self[code] = r
        return r


_FOLD = _FoldTable()
# What folds to nothing: if none of these is in the draft and the folded text has the draft's length, no
# character expanded either (each folds to at least one), so the view is aligned 1:1.
_VANISHING = re.compile("[" + re.escape(_INVISIBLE) + "\U000e0000-\U000e007f]")


def fold_text(draft: str) -> View:
    """The ``text`` view (see the module docstring)."""
    if draft.isascii():
        # ASCII: NFKC is the identity and casefold is lower(); only backtick needs the quote mapping.
        t = draft.lower()
        if "`" in t:
            t = t.replace("`", "'")
        return View("text", t)
    text = draft.translate(_FOLD)
    if len(text) == len(draft) and not _VANISHING.search(draft):
        # Every character folded to exactly one: the view is aligned with the draft.
        starts = ends = None
    else:
        # translate() has folded (and so registered) every character of the draft: map the odd ones one by
        # one and the runs between them as ranges.
        starts, ends = [], []
        pos = 0
        odd = _odd_chars()
        for m in odd.finditer(draft) if odd is not None else ():
            a = m.start()
            if a > pos:
                starts.extend(range(pos, a))
                ends.extend(range(pos + 1, a + 1))
            k = len(_fold_char(draft[a]))
            if k:
                starts.extend([a] * k)
                ends.extend([a + 1] * k)
            pos = a + 1
        if pos < len(draft):
            starts.extend(range(pos, len(draft)))
            ends.extend(range(pos + 1, len(draft) + 1))
    if not unicodedata.is_normalized("NFC", text):
        if starts is None:
            starts = list(range(len(text)))
            ends = list(range(1, len(text) + 1))
        text, starts, ends = _compose_fixups(text, starts, ends)
    if _HAS_CYRILLIC_GREEK.search(text):
        # A 1:1 substitution: lengths are unchanged, so the map stays valid.
        text = _WORD.sub(_confusables, text)
    return View("text", text, starts, ends)


# ------------------------------------------------------------------------------------------- letters view

_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "$": "s", "@": "a", "7": "t"}
_LEET_CHARS = "01345$@7"
_LEET_HINT = re.compile(r"[a-z][01345$@7]|[01345$@7][a-z]")
_VOWELS = "aeiou"

# A run of >= 3 single letters separated by spacing/punctuation ("w h a t s", "W.h.a.t.s", "w-h-a-t").
# The separator class is bounded ({1,3}) and the run is anchored on non-letters, so matching stays linear.
# Latin letters spread right against Japanese or Chinese text ("P a y P a yで", "加L I N E") end or start a run there too:
# a kana or CJK character is a word character, but never part of a Latin word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_RUN_START = r"(?:(?<![^\W_])|(?<=[" + _CJK + r"])(?=[a-zA-Z]))"
_RUN_END = r"(?:(?![^\W_])|(?<=[a-zA-Z])(?=[" + _CJK + r"]))"
_SPREAD = re.compile(_RUN_START + r"(?:[^\W\d_][ .\-_·*|/+]{1,3}){2,}[^\W\d_]" + _RUN_END)
_SEPARATOR = re.compile(r"[ .\-_·*|/+]+")

# Whether those occur at all (most texts hold neither): the same answers as ``_LEET_HINT.search`` and
# ``_SPREAD.search``, but written to start with a character class, so that `re` skips in C to the next leet
# character or separator instead of trying the pattern at every position (tests/test_engine_views.py).
# A leet character with a letter before or after it:
_LEET_NEAR = re.compile(r"[01345$@7](?:(?<=[a-z][01345$@7])|(?=[a-z]))")
# What every spread run holds: its second letter, alone between separators, and a third letter that ends a
# word ("w h a", "W.h.a"); only then is the full pattern (which starts with a look-behind) searched.
_SPREAD_CORE = re.compile(r"[ .\-_·*|/+][^\W\d_][ .\-_·*|/+]{1,3}[^\W\d_]" + _RUN_END)


def _has_spread(text: str) -> bool:
    return _SPREAD_CORE.search(text) is not None and _SPREAD.search(text) is not None


_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$")


def _hinted_tokens(hint: re.Pattern, chars, text: str):
    """(start, end) of each run of ``chars`` around a match of ``hint``, every run once, left to right."""
    last_end = -1
    n = len(text)
    for h in hint.finditer(text):
        if h.start() < last_end:
            continue
        a = h.start()
        while a > 0 and text[a - 1] in chars:
            a -= 1
        b = h.end()
        while b < n and text[b] in chars:
            b += 1
        last_end = b
        yield a, b


def _leet_tokens(text: str):
    """Tokens ([a-z0-9@$]+) holding a letter next to a leet character, found from the hint matches."""
    for a, b in _hinted_tokens(_LEET_HINT, _TOKEN_CHARS, text):
        yield a, text[a:b]


def _leet_one(prv: str, nxt: str) -> str:
    """The letter a leet "1" stands for between the letters ``prv`` and ``nxt`` ("" at a word's edge): "ema1l" and
    "1nstagram" want i, "te1egram" and "paypa1" want l (l after a vowel, unless an l follows)."""
    return "i" if nxt == "l" or prv not in _VOWELS else "l"


def _leet_edits(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for start, tok in _leet_tokens(text):
        leet = sum(1 for ch in tok if ch in _LEET_CHARS)
        if not leet:
            continue
        letters = sum(1 for ch in tok if "a" <= ch <= "z")
        # Word context: a token that is mostly letters ("wh@tsapp"), never codes and ordinals ("b07x1234",
        # "3rd", "mp3" maps harmlessly), never a token that is mostly digits.
        if letters < 3 or leet > letters:
            continue
        base = start
        for k, ch in enumerate(tok):
            if ch == "1":
                edits.append((base + k, base + k + 1, _leet_one(tok[k - 1] if k else "", tok[k + 1:k + 2])))
            elif ch in _LEET:
                if ch in "@$" and not (0 < k < len(tok) - 1 or (ch == "$" and k == 0 and len(tok) > 1)):
                    continue  # "@" only inside words; "$" inside or at the start ("$kype"), never "5$"
                edits.append((base + k, base + k + 1, _LEET[ch]))
    return edits


def _separator_edits(run: str, base: int) -> list[tuple[int, int, str]]:
    """The edits that remove the separators of a spread run starting at ``base``."""
    return [(base + s.start(), base + s.end(), "") for s in _SEPARATOR.finditer(run)]


def _spread_edits(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for m in _SPREAD.finditer(text):
        seps = _separator_edits(m.group(), m.start())
        # A word spread with punctuation and a one-letter word after or before it across a plain space
        # ("B.i.z.u.m o transferencia", "o W.h.a.t.s.A.p.p"): the space ends the spread word, it is not one of its
        # separators, so "bizum o" stays two words instead of becoming "bizumo".
        if len(seps) >= 4:
            spaces = [text[a:b].isspace() for a, b, _ in seps]
            if spaces[-1] and not any(spaces[:-1]):
                seps = seps[:-1]
            elif spaces[0] and not any(spaces[1:]):
                seps = seps[1:]
        edits.extend(seps)
    return edits


# A spread run with a leet digit among its letters ("t 3 l e g r a m", "w h 4 t s a p p"): the digits 0 1 3 4 5 7 alone
# between separators, at least five letters and more letters than digits (a phone number spread digit by digit has
# no letters; "3 x 4 m" has two). "@" and "$" are left out: "x @ y . c o m" is an address, not a word.
_SPREAD_LEET = re.compile(_RUN_START + r"(?:[a-z013457][ .\-_·*|/+]{1,3}){3,}[a-z013457]" + _RUN_END)


def _spread_leet_edits(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for m in _SPREAD_LEET.finditer(text):
        run = m.group()
        chars = [(k, ch) for k, ch in enumerate(run) if ch.isalnum()]
        digits = [(k, ch) for k, ch in chars if ch.isdigit()]
        letters = len(chars) - len(digits)
        if not digits or letters < 5 or len(digits) >= letters:
            continue
        base = m.start()
        for i, (k, ch) in enumerate(chars):
            if ch == "1":  # read as in ``_leet_edits``, from the letters either side of it in the run
                prv = chars[i - 1][1] if i else ""
                nxt = chars[i + 1][1] if i + 1 < len(chars) else ""
                edits.append((base + k, base + k + 1, _leet_one(prv, nxt)))
            elif ch.isdigit():
                edits.append((base + k, base + k + 1, _LEET[ch]))
        edits.extend(_separator_edits(run, base))
    edits.sort()
    return edits


def letters_view(text: View) -> View:
    v = text
    if _LEET_NEAR.search(v.text):
        v = _edit(v, "letters", _leet_edits(v.text))
    if _has_spread(v.text):
        leet = _spread_leet_edits(v.text)
        if leet:
            v = _edit(v, "letters", leet)
        if _has_spread(v.text):
            v = _edit(v, "letters", _spread_edits(v.text))
    if v is text:
        return View("letters", text.text, text.starts, text.ends)
    v.name = "letters"
    return v


# --------------------------------------------------------------------------------------------- words view

# Leetspeak inside words, as in the letters view, plus "!" for i between two letters ("b!tch", "id!ot").
_WORD_LEET_HINT = re.compile(r"[a-z][01345$@7!]|[01345$@7][a-z]")
# The same answer as its ``search`` (see ``_LEET_NEAR``): a leet character or "!" after a letter, or a leet
# character before one.
_WORD_LEET_NEAR = re.compile(r"[01345$@7!](?:(?<=[a-z][01345$@7!])|(?<=[01345$@7])(?=[a-z]))")
_WORD_TOKEN_CHARS = _TOKEN_CHARS | frozenset("!")
# A number glued to its unit or an ordinal is not leetspeak: "5star", "10euro", "4k", "1st", "2x".
_NUMBER_UNIT = re.compile(
    r"\d+(?:st|nd|rd|th|er|e|re|[eè]me|a|o|x|k|p|v|w|h|s|m|g|l|t|cm|mm|kg|ml|mah|gb|mb|tb|hz|pcs|pack|"
    r"stars?|sterne?n?|[eé]toiles?|estrellas?|stelle|euros?|eur|usd|dollars?|yen|pounds?|gbp|chf|off|min|mins|"
    r"days?|tage?n?|jours?|d[ií]as?|giorni|hours?|hrs?|stunden?|heures?|horas?|ore)\Z"
)


def _word_leet_edits(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    for a, b in _hinted_tokens(_WORD_LEET_HINT, _WORD_TOKEN_CHARS, text):
        while a < b and text[a] == "!":  # "hello!!" and "!!liar": exclamation marks, not letters
            a += 1
        while b > a and text[b - 1] == "!":
            b -= 1
        tok = text[a:b]
        if not tok or _NUMBER_UNIT.match(tok):
            continue
        letters = sum(1 for ch in tok if "a" <= ch <= "z")
        leet = sum(1 for ch in tok if ch in _LEET_CHARS or ch == "!")
        if letters < 3 or leet > letters or sum(ch.isdigit() for ch in tok) > 2:
            continue
        for k, ch in enumerate(tok):
            if ch == "1":
                nxt = tok[k + 1] if k + 1 < len(tok) else ""
                prv = tok[k - 1] if k else ""
                edits.append((a + k, a + k + 1, "i" if nxt == "l" or not prv or prv not in _VOWELS else "l"))
            elif ch == "!":
                edits.append((a + k, a + k + 1, "i"))
            elif ch in _LEET:
                if ch in "@$" and not (0 < k < len(tok) - 1 or (ch == "$" and k == 0 and len(tok) > 1)):
                    continue
                edits.append((a + k, a + k + 1, _LEET[ch]))
    return edits


_WORD_SEP = re.compile(r"[ .\-_·*|/+]{1,3}")
# One-letter words that may stand before a spelled-out word ("leave a r e v i e w", "y l i a r" is rare).
_ONE_LETTER_WORDS = frozenset("aiyoeuà")


def _spread_word_edits(text: str) -> list[tuple[int, int, str]]:
    """Join spelled-out words, keeping the gaps between words (see the module docstring)."""
    edits: list[tuple[int, int, str]] = []
    for m in _SPREAD.finditer(text):
        base = m.start()
        run = m.group()
        seps = [(base + s.start(), base + s.end(), s.group()) for s in _WORD_SEP.finditer(run)]
        # A separator unlike both its neighbours splits the run into words: a wider gap ("y o u  a r e") or
        # another kind ("s-t-a-r r.e.v.i.e.w"); mixed separators alone ("y a-t-il") join nothing.
        last = len(seps) - 1
        narrow = min(len(g) for _, _, g in seps)
        breaks = [
            len(g) > narrow or ((i == 0 or seps[i - 1][2] != g) and (i == last or seps[i + 1][2] != g))
            for i, (_, _, g) in enumerate(seps)
        ]
        gapped = any(breaks) and not all(breaks)
        groups: list[list[tuple[int, int, str]]] = [[]]
        for sep, brk in zip(seps, breaks):
            if brk:
                groups.append([])
            else:
                groups[-1].append(sep)
        latin = text[base].isascii() or _is_latin_letter(text[base])
        for g in groups:
            if not g:
                continue
            k = len(g) + 1  # letters in this group
            spaced = any(c.isspace() for c in g[0][2])
            if not latin or gapped:
                join = k >= 2
            else:
                join = k >= 4 or (k == 3 and not spaced)
            if not join:
                continue
            first = text[g[0][0] - 1]
            if (latin and spaced and not gapped and k >= 5 and first in _ONE_LETTER_WORDS
                    and g is groups[0] and base >= 2 and text[base - 1].isspace() and text[base - 2].isalpha()):
                g = g[1:]  # "leave a r e v i e w": the article keeps its space
            edits.extend((a, b, "") for a, b, _ in g)
    return edits


def words_view(text: View) -> View:
    v = text
    if _WORD_LEET_NEAR.search(v.text):
        edits = _word_leet_edits(v.text)
        if edits:
            v = _edit(v, "words", edits)
    if _has_spread(v.text):
        edits = _spread_word_edits(v.text)
        if edits:
            v = _edit(v, "words", edits)
    if v is text:
        return View("words", text.text, text.starts, text.ends)
    v.name = "words"
    return v


# ------------------------------------------------------------------------------------------- numbers view

# Spelled digits in the Latin languages of the product (a phone number read out word by word).
# Ambiguous words ("un", "due", "sei") only ever become digits in this view, where nothing but phone
# patterns look, and those need seven digits in a row.
_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9",
    "null": "0", "eins": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6",
    "sieben": "7", "acht": "8", "neun": "9",
    "zéro": "0", "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7", "huit": "8",
    "neuf": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
    "ocho": "8", "nueve": "9",
    "due": "2", "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8", "nove": "9",
}


def _by_first_char(words) -> str:
    """An alternation of ``words`` (tried in the given order) grouped by first character: ``a(?:…)|b(?:…)``.

    At any position only the group of that character can match, and inside it the words keep their order,
    so the matches are those of the plain alternation. Every branch now starts with a literal, which lets
    ``re`` skip in C to the next position holding one of the first characters, and a position is tested
    against one group instead of every word.
    """
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return "|".join(re.escape(c) + "(?:" + "|".join(rest) + ")" for c, rest in groups.items())


# Literal-first (so `re` skips ahead by first character); word edges are checked in Python.
_NUMBER_WORD = re.compile(_by_first_char(sorted(_NUMBER_WORDS, key=len, reverse=True)))
# What numbers_view runs: a match right after a letter a-z is never a word, so it is not looked for. Number
# words are letters only, so such a match held no word start that a match there could have hidden: the words
# found are those of _NUMBER_WORD (tests/test_numbers_view_speed.py) at half the cost ("one" in "someone").
_NUMBER_WORD_AT_START = re.compile("(?<![a-z])(?:" + _NUMBER_WORD.pattern + ")")
assert all(w.isalpha() for w in _NUMBER_WORDS)
# Numbers from 10 to 99 in the five Latin languages: (tens digit, unit digit) from one regex with named
# groups. Spanish "once" (11) is left out: it is an everyday English word.
_UNIT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ein": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9,
    "uno": 1, "dos": 2, "dós": 2, "tres": 3, "trés": 3, "cuatro": 4, "cinco": 5, "seis": 6, "séis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "due": 2, "tre": 3, "tré": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7,
    "otto": 8, "nove": 9,
}
_TEEN_WORDS = {
    "ten": 0, "eleven": 1, "twelve": 2, "thirteen": 3, "fourteen": 4, "fifteen": 5, "sixteen": 6, "seventeen": 7,
    "eighteen": 8, "nineteen": 9,
    "zehn": 0, "elf": 1, "zwölf": 2, "dreizehn": 3, "vierzehn": 4, "fünfzehn": 5, "sechzehn": 6, "siebzehn": 7,
    "achtzehn": 8, "neunzehn": 9,
    "dix": 0, "onze": 1, "douze": 2, "treize": 3, "quatorze": 4, "quinze": 5, "seize": 6, "dix-sept": 7,
    "dix-huit": 8, "dix-neuf": 9,
    "diez": 0, "doce": 2, "trece": 3, "catorce": 4, "quince": 5, "dieciséis": 6, "dieciseis": 6,
    "diecisiete": 7, "dieciocho": 8, "diecinueve": 9,
    "dieci": 0, "undici": 1, "dodici": 2, "tredici": 3, "quattordici": 4, "quindici": 5, "sedici": 6,
    "diciassette": 7, "diciotto": 8, "diciannove": 9,
}
_TENS_WORDS = {
    "twenty": 2, "thirty": 3, "forty": 4, "fifty": 5, "sixty": 6, "seventy": 7, "eighty": 8, "ninety": 9,
    "zwanzig": 2, "dreissig": 3, "vierzig": 4, "fünfzig": 5, "sechzig": 6, "siebzig": 7, "achtzig": 8, "neunzig": 9,
    "vingt": 2, "trente": 3, "quarante": 4, "cinquante": 5, "soixante": 6, "septante": 7, "octante": 8,
    "huitante": 8, "nonante": 9,
    "veinte": 2, "treinta": 3, "cuarenta": 4, "cincuenta": 5, "sesenta": 6, "setenta": 7, "ochenta": 8,
    "noventa": 9,
    "venti": 2, "trenta": 3, "quaranta": 4, "cinquanta": 5, "sessanta": 6, "settanta": 7, "ottanta": 8,
    "novanta": 9,
}
_ELIDED_TENS = {"vent": 2, "trent": 3, "quarant": 4, "cinquant": 5, "sessant": 6, "settant": 7, "ottant": 8, "novant": 9}


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_FR_UNITS = "un|une|deux|trois|quatre|cinq|six|sept|huit|neuf"
_FR_TEENS = "dix-sept|dix-huit|dix-neuf|dix|onze|douze|treize|quatorze|quinze|seize"
_TWO_DIGITS_BODY = (
    # fr 70-79 and 80-99: "soixante et onze", "soixante-dix-sept", "quatre-vingts", "quatre-vingt-dix-huit"
    rf"(?P<fr70>soixante(?:[\s-]et[\s-]|[\s-])(?P<fr70t>{_FR_TEENS}))"
    rf"|(?P<fr80>quatre[\s-]vingts?(?:-(?:(?P<fr90t>{_FR_TEENS})|(?P<fr80u>{_FR_UNITS})))?)"
    # de: "einundzwanzig"
    rf"|(?P<de>(?:(?P<deu>ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und)?(?P<det>zwanzig|dreissig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig))"
    # es: "veintiuno"
    r"|(?P<es>veinti(?P<esu>uno|dós|dos|trés|tres|cuatro|cinco|séis|seis|siete|ocho|nueve))"
    # it: "ventidue", "trentotto"
    r"|(?P<it>(?P<itt>venti|trenta|quaranta|cinquanta|sessanta|settanta|ottanta|novanta)(?P<itu>due|tre|tré|quattro|cinque|sei|sette|nove)"
    r"|(?P<ite>vent|trent|quarant|cinquant|sessant|settant|ottant|novant)(?P<iteu>uno|otto))"
    # tens, optionally with a unit: "forty-two", "quarante-cinq", "vingt et un", "treinta y uno"
    rf"|(?P<tens>(?P<tw>{_alt(_TENS_WORDS)})(?:(?:[\s-]et[\s-]|\s+y\s+|-|\s+)(?P<tu>{_alt(set(_UNIT_WORDS) - {'ein', 'eins'})})(?![^\W\d_]))?)"
    rf"|(?P<teen>{_alt(_TEEN_WORDS)})"
)
# The words a match of _TWO_DIGITS_BODY can begin with (each branch above begins with one of them).
_TWO_DIGIT_FIRST_WORDS = (
    "soixante", "quatre", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "veinti",
    *_TENS_WORDS, *_ELIDED_TENS, *_TEEN_WORDS, "venti", "trenta", "quaranta", "cinquanta", "sessanta", "settanta", "ottanta", "novanta",
)
# The same matches, with a look-ahead for the first three letters of those words in front: a position
# where no number word begins fails on one short literal test instead of walking every branch and group
# above (the plain body costs ~10x more per character on ordinary text).
_TWO_DIGITS = re.compile(
    "(?=" + _by_first_char(sorted({w[:3] for w in _TWO_DIGIT_FIRST_WORDS})) + ")(?:" + _TWO_DIGITS_BODY + ")"
)
_TWO_DIGIT_HINT = re.compile(_by_first_char(
    # (r43 it-ge07 'settantotto': the elided Italian tens before uno/otto hold none of the other hints)
    "zig|ssig|vingt|ante|enta|anta|eint|venti|ntuno|ntotto|teen|ten|elf|zwölf|zehn|dix|onze|douze|treize|quatorze|quinze|seize"
    "|diez|doce|trece|catorce|quince|dieci|undici|dodici|tredici|quattordici|quindici|sedici|twelve|eleven|forty"
    "|fifty|twenty|thirty|sixty|seventy|eighty|ninety".split("|")
))


def _two_digit_value(m: re.Match) -> str:
    g = m.group
    if g("fr70"):
        return f"7 {_TEEN_WORDS[g('fr70t')]}"
    if g("fr80"):
        if g("fr90t"):
            return f"9 {_TEEN_WORDS[g('fr90t')]}"
        return f"8 {_UNIT_WORDS[g('fr80u')] if g('fr80u') else 0}"
    if g("de"):
        return f"{_TENS_WORDS[g('det')]} {_UNIT_WORDS[g('deu')] if g('deu') else 0}"
    if g("es"):
        return f"2 {_UNIT_WORDS[g('esu')]}"
    if g("it"):
        if g("itt"):
            return f"{_TENS_WORDS[g('itt')]} {_UNIT_WORDS[g('itu')]}"
        return f"{_ELIDED_TENS[g('ite')]} {_UNIT_WORDS[g('iteu')]}"
    if g("tens"):
        return f"{_TENS_WORDS[g('tw')]} {_UNIT_WORDS[g('tu')] if g('tu') else 0}"
    return f"1 {_TEEN_WORDS[g('teen')]}"


def _is_word(t: str, a: int, b: int) -> bool:
    return not (a and t[a - 1].isalpha()) and not (b < len(t) and t[b].isalpha())


_CJK_DIGITS = str.maketrans("〇零一二三四五六七八九幺两", "0012345678912")
_CJK_DIGIT_HINT = re.compile(r"[〇零一二三四五六七八九幺两]{3}")


def _has_cjk_digit(t: str) -> bool:
    """Does ``t`` hold a CJK digit at all? (A C test per digit: the class search above walks every position.)"""
    return not t.isascii() and any(c in t for c in "〇零一二三四五六七八九幺两")


# r35 (en-ep08 'oh-seven-seven-hundred, nine one two', en-eu13 'oh-seven-seven-double-oh, nine-oh-oh'): how a phone number is
# read aloud: "oh" for zero next to another digit, "double/triple X" (doppel, doble, doppio, triplo …) for XX/XXX, and "hundred"
# right after a digit for 00. Applied after the digit words became digits, so each rule looks at digits around it; "Oh, thanks",
# "a double room" and "five hundred euros" change too little to make the seven digits a phone pattern needs.
_SPOKEN_HINT = re.compile(r"(?<![a-z])(?:oh|double|doppel|doble|doppio|tripl[eo]|hundred)(?![a-z])")
_OH = re.compile(r"(?<![a-z])oh(?![a-z])")
# a digit (or another spoken zero / "double") right before or right after an "oh", with up to 3 spaces, commas or hyphens between
_OH_BEFORE = re.compile(r"(?:\d|(?<![a-z])(?:oh|double|doppel|doble|doppio|triple|triplo))[\s,-]{1,3}$")
_OH_AFTER = re.compile(r"[\s,-]{1,3}(?:\d|(?:oh|double|doppel|doble|doppio|triple|triplo)(?![a-z]))")
_REPEAT = re.compile(r"(?<![a-z])(?P<w>double|doppel|doble|doppio|triple|triplo)[\s-]{1,2}(?P<d>\d)(?!\d)")
_HUNDRED = re.compile(r"(?<=\d)[\s-]{1,2}hundred(?![a-z])")


def _spoken_digit_edits(v: View) -> View:
    t = v.text
    edits = [(m.start(), m.end(), "0") for m in _OH.finditer(t)
             if _OH_BEFORE.search(t[max(0, m.start() - 12):m.start()]) or _OH_AFTER.match(t, m.end())]
    if edits:
        v = _edit(v, "numbers", edits)
        t = v.text
    edits = [(m.start(), m.end(), " ".join([m.group("d")] * (3 if m.group("w").startswith("tripl") else 2)))
             for m in _REPEAT.finditer(t)]
    if edits:
        v = _edit(v, "numbers", edits)
        t = v.text
    edits = [(m.start(), m.end(), " 0 0") for m in _HUNDRED.finditer(t)]
    if edits:
        v = _edit(v, "numbers", edits)
    return v


def numbers_view(text: View, draft: str | None = None) -> View:
    v = text
    t = v.text
    taken: list[tuple[int, int, str]] = []
    # A full-width comma "，" is a CJK clause separator, never a digit-group or decimal comma: NFKC makes it
    # ",", and a phone number followed by "，24小时在线" then looked like the start of "0912,24". It stays a
    # separator here ("、"), so the phone patterns' guard against a longer number does not fire on it.
    if draft is not None and "\uff0c" in draft:
        fw = [(i, i + 1, "\u3001") for i, c in enumerate(t) if c == "," and draft[text.span(i, i + 1)[0]] == "\uff0c"]
        if fw:
            v = _edit(v, "text", fw)
            t = v.text
    if _TWO_DIGIT_HINT.search(t):
        taken = [(m.start(), m.end(), _two_digit_value(m)) for m in _TWO_DIGITS.finditer(t) if _is_word(t, m.start(), m.end())]
    edits = []
    k = 0
    for m in _NUMBER_WORD_AT_START.finditer(t):
        a, b = m.start(), m.end()
        while k < len(taken) and taken[k][1] <= a:
            edits.append(taken[k])
            k += 1
        if k < len(taken) and taken[k][0] < b:
            continue  # part of a two-digit number ("quatre" in "quatre-vingt-dix")
        if _is_word(t, a, b):
            edits.append((a, b, _NUMBER_WORDS[m.group()]))
    edits.extend(taken[k:])
    if edits:
        v = _edit(v, "numbers", edits)
    if _SPOKEN_HINT.search(v.text):
        v = _spoken_digit_edits(v)
    if _has_cjk_digit(v.text) and _CJK_DIGIT_HINT.search(v.text):
        # 1:1 substitution: the map is unchanged.
        v = View("numbers", v.text.translate(_CJK_DIGITS), v.starts, v.ends)
    if v is text:
        return View("numbers", text.text, text.starts, text.ends)
    v.name = "numbers"
    return v


# ------------------------------------------------------------------------------------------- address view

_TLD_HINT = (
    r"(?:com|net|org|info|biz|io|co|me|shop|store|online|site|top|xyz|app|cn|jp|de|fr|es|it|uk|eu|us|ca|au|tw|hk|kr|sg|pt|ie|dk|fi|cz|nz|"
    r"nl|be|at|ch|pl|se|ru|in|br|mx|edu|gov|cc|tv|vip|club|email|gg)"
)
_LABEL = r"[a-z0-9\u00e0-\u024f-]{1,63}"  # ASCII/Latin labels: a CJK sentence must not become a "domain"
_DOT_WORD = r"(?:dot|punkt|point|punto|ドット|どっと|点)"
# "gmail。com": a CJK full stop typed between two ASCII labels is a dot.
_CJK_DOT = r"(?<=[a-z0-9])。(?=[a-z])"
_AT_WORD = r"(?:at|ät|arobase|arroba|chiocciola|klammeraffe|アット(?:マーク)?|あっと(?:まーく)?|atmark|艾特)"
# r50 (evasion audit 'max.mustermann bei gmx Punkt de', 'jean.dupont chez orange point fr'): the languages' ordinary "at" words.
# They are everyday prepositions ("bei uns", "chez vous"), so they stand for "@" only before a domain with a spelled dot, after a
# local part with a dot, digit or _ in it (see _address_edits).
_WEAK_AT_WORDS = ("bei", "chez", "presso")
_WEAK_AT_WORD = "(?:" + "|".join(_WEAK_AT_WORDS) + ")"
_SPELLED_DOT = (
    rf"(?:\s{{0,3}}[\[\(\{{<]\s{{0,3}}(?:{_DOT_WORD}|\.)\s{{0,3}}[\]\)\}}>]\s{{0,3}}"
    rf"|\s{{1,3}}{_DOT_WORD}\s{{1,3}}|\s{{1,3}}\.\s{{1,3}}|\s{{0,3}}(?:点|ドット|どっと)\s{{0,3}}|{_CJK_DOT}|\s{{0,3}}-dot-\s{{0,3}})"
)
# Rebuild an address only where the words around "at"/"dot" look like one: a label, an "at", labels
# joined by (spelled) dots, and a top-level domain. "look at the box" or "arrived at amazon.com" fail the
# spelled-dot or bracket requirement and stay as they are.
#
# The "at" of an obfuscated address ("[at]", "(at)", " at ", " @ ", "アットマーク"), found literal-first
# so `re` can skip ahead; the address around it is then read outwards with anchored matches, so the cost is
# per "at", not per word of the draft.
_AT = re.compile(
    rf"[\[\(\{{<]\s{{0,3}}(?:{_AT_WORD}|@)\s{{0,3}}[\]\)\}}>]|(?<=\s){_AT_WORD}(?=\s)|@|アット(?:マーク)?|あっと(?:まーく)?|艾特"
    # r50 (evasion audit 'mario -at- libero -dot- it'): "at" and "dot" between hyphens are the bracketed forms written with dashes
    rf"|(?<=\s){_WEAK_AT_WORD}(?=\s)|-at-"
)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._+%-") | frozenset(map(chr, range(0xE0, 0x250)))
_DOMAIN_AFTER = re.compile(
    rf"{_LABEL}(?:(?:{_SPELLED_DOT}|\.){_LABEL}){{0,4}}(?:{_SPELLED_DOT}|\.){_TLD_HINT}(?![a-z0-9_\u00e0-\u024f])"
)
_DOT_PART = re.compile(_SPELLED_DOT)
# A spelled or spaced dot: the only way "www dot brand dot com" differs from a domain.
_DOT_TOKEN = re.compile(
    rf"[\[\(\{{<]\s{{0,3}}(?:{_DOT_WORD}|\.)\s{{0,3}}[\]\)\}}>]|(?<=\s)(?:{_DOT_WORD}|\.)(?=\s)|点|ドット|どっと|{_CJK_DOT}"
)
_MAIL_PROVIDER = re.compile(
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|icloud|me|aol|proton(?:mail)?|gmx|web|t-online|"
    r"freenet|orange|free|laposte|wanadoo|sfr|libero|virgilio|alice|tiscali|telefonica|qq|163|126|sina|sohu|"
    r"foxmail|aliyun|139|yeah|docomo|ezweb|softbank|i\.softbank|naver|mail)\."
)
# A mailbox before a weak "at" word (_WEAK_AT_WORDS) starts with a letter and holds a dot, _ or digit after it ("max.mustermann", "giulia_r",
# "jean2"), and the ending is no word of the sentence ("point de retrait", "Punkt in der Nähe").
_WEAK_LOCAL = re.compile(r"[a-z][a-z0-9]*[._0-9][a-z0-9._]*")
_WEAK_TLD_WORD = re.compile(r"(?:point|punto)\s{1,3}de$|\s(?:in|at|me|co|es)$")
# Whether a text can hold anything ``_address_edits`` rebuilds (False: the view is the text view). Each
# branch is a necessary part of one kind of edit: a bracketed "at"/"dot", a spelled or spaced dot (what a
# spelled "at" needs in its domain too, and what "www dot brand dot com" is made of), "@" with a space
# beside it, the CJK words and the CJK full stop between labels, or a spelled "at" followed by a mailbox
# provider and its dot ("john at gmail.com"). A spelled "at" alone ("look at the box") cannot make an edit:
# testing for it made most English drafts build this view for nothing. Written as
#     [\[({<] … [\])}>] | \s DOT \s | \s@ | @\s | \s\.\s | \s AT \s{1,3} PROVIDER\. | 点 | ドット | アット | 艾特 | [a-z0-9]。[a-z] | -at-
# (tests/test_engine_views.py), but starting with one character class (each branch then checks the
# character it started on by a look-behind), so that `re` skips in C to the next bracket, space, "@" or
# CJK character instead of trying every branch at every position.
_ADDRESS_HINT = re.compile(
    rf"[\[\(\{{<\s@点ドア艾。あど\-](?:(?<=[\[\(\{{<])\s{{0,3}}(?:{_AT_WORD}|{_DOT_WORD}|@|\.)\s{{0,3}}[\]\)\}}>]"
    rf"|(?<=\s)(?:{_DOT_WORD}\s|@|\.\s|{_AT_WORD}\s{{1,3}}{_MAIL_PROVIDER.pattern})|(?<=@)\s"
    r"|(?<=点)|(?<=ド)ット|(?<=ア)ット|(?<=ど)っと|(?<=あ)っと|(?<=艾)特|(?<=[a-z0-9]。)(?=[a-z])|(?<=-)at-)"
)
_TLDS = frozenset(_TLD_HINT[3:-1].split("|"))
_SPELLED_SLASH = re.compile(
    r"(?:\s{1,3}/\s{0,3}|\s{0,3}/\s{1,3}|\s{1,3}(?:slash|barra|schr(?:ä|ae)gstrich|barre(?:\s+oblique)?|スラッシュ)\s{1,3}|\s{0,3}斜杠\s{0,3})"
    r"(?=[a-z0-9_])"
)
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-") | frozenset(map(chr, range(0xE0, 0x250)))


def _spaces_around(text: str, a: int, b: int) -> tuple[int, int]:
    """Widen [a, b) over up to 3 spaces on each side (they belong to the obfuscation, not the address)."""
    k = 0
    while k < 3 and a > 0 and text[a - 1].isspace():
        a -= 1
        k += 1
    k = 0
    while k < 3 and b < len(text) and text[b].isspace():
        b += 1
        k += 1
    return a, b


def _label_end_before(text: str, a: int) -> int:
    """Start of the run of label/local characters ending at ``a`` (``a`` itself when there is none)."""
    j = a
    lo = max(0, a - 64)
    while j > lo and text[j - 1] in _LOCAL_CHARS:
        j -= 1
    return j


# Words that precede a spelled "at" in ordinary sentences ("order at", "available at", "us at", "our site at",
# "sign up at", "log in at"): never the mailbox of an obfuscated address (the link after them is one).
# r46 (en-go20 'our new range is live at orbittravelgoods dot co dot uk'): where a range or offer is, "live / now / out /
# launched / listed / exclusively / only / also at …", is a shop's link too
_NOT_LOCAL = frozenset(
    """order orders ordered shop buy bought visit visited find found available arrived arrive arrives
    delivered look looking us me them it is are was were be been here there online directly stay meet
    see check call reach contact email mail write message sell sold sale price priced store stores
    site website webshop page homepage portal up in
    stock range catalogue catalog collection selection offers deals products models colours colors more everything
    bestellen kaufen commander acheter comprar ordinare
    live now out launched listed exclusively only also""".split()
)


def _address_edits(text: str) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for m in _AT.finditer(text):
        at = m.group()
        if at == "@" and not (m.start() and text[m.start() - 1].isspace()) and not (
            m.end() < len(text) and text[m.end()].isspace()
        ):
            continue  # a plain address ("john@gmail.com") needs no rebuilding
        a, b = _spaces_around(text, m.start(), m.end())
        local_start = _label_end_before(text, a)
        if local_start == a:
            continue
        spelled_at = at != "@" and at[:1] not in "[({<"
        if at == "at" and text[local_start:a] in _NOT_LOCAL:
            continue  # "order at brand (.) com", "visit us at shop dot com": a verb or pronoun, not a mailbox
        d = _DOMAIN_AFTER.match(text, b)
        if d is None or d.group().startswith("www"):
            continue  # "filters at www dot brand dot com" is a link (rebuilt below), not a mailbox
        # A spelled " at " needs a spelled or bracketed dot in the domain too, else "arrived at
        # amazon.com" would become an e-mail address; a known mailbox provider is enough on its own
        # ("john at gmail.com").
        if spelled_at and not _DOT_PART.search(d.group()) and not _MAIL_PROVIDER.match(d.group()):
            continue
        if at in _WEAK_AT_WORDS and not (
            _DOT_PART.search(d.group())
            and _WEAK_LOCAL.fullmatch(text, local_start, a)
            and not _WEAK_TLD_WORD.search(d.group())
        ):
            continue  # "Sie finden uns bei shop punkt de", "le colis n°2 chez votre point de retrait": no mailbox
        # r38 (en-fb13 'see the stock at fixpartsdirect . com / refurb'): a domain with a path after it ("/", " / ", " slash ")
        # is a link, never a mailbox: the chain of spelled dots below rebuilds it as a domain
        if at != "@" and (d.end() < len(text) and text[d.end()] == "/" or _SPELLED_SLASH.match(text, d.end())):
            continue
        edits.append((a, b, "@"))
        for dp in _DOT_PART.finditer(d.group()):
            edits.append((b + dp.start(), b + dp.end(), "."))
        covered.append((a, d.end()))
    # Chains of labels joined by spelled dots and ending in a top-level domain: "www dot brand dot com".
    chain: list[tuple[int, int]] = []
    chain_label = (-1, -1)  # the label after the chain's last dot: the next dot must follow it
    for m in _DOT_TOKEN.finditer(text):
        a, b = _spaces_around(text, m.start(), m.end())
        if any(x < b and a < y for x, y in covered):
            continue
        j = a
        while j > 0 and text[j - 1] in _LABEL_CHARS and a - j < 63:
            j -= 1
        k = b
        while k < len(text) and text[k] in _LABEL_CHARS and k - b < 63:
            k += 1
        if j == a or k == b:
            chain, chain_label = [], (-1, -1)
            continue
        if chain and (j, a) != chain_label:
            chain = []
        chain.append((a, b))
        chain_label = (b, k)
        if text[b:k] in _TLDS and not (k < len(text) and (text[k].isalnum() or text[k] == "_")):
            edits.extend((x, y, ".") for x, y in chain)
            chain, chain_label = [], (-1, -1)
            # r35 (de-eu13 'discord . gg / schraubertreff', es-eu16 'discord punto gg barra TallerRuedaES'): the path of a
            # rebuilt domain, its slash spaced or spelled ("/", "slash", "barra", "Schrägstrich", "barre", "スラッシュ", "斜杠")
            sl = _SPELLED_SLASH.match(text, k)
            if sl:
                edits.append((sl.start(), sl.end(), "/"))
    edits.sort()
    return edits


def address_view(text: View) -> View:
    if not _ADDRESS_HINT.search(text.text):
        return View("address", text.text, text.starts, text.ends)
    return _edit(text, "address", _address_edits(text.text))


# ------------------------------------------------------------------------------------------------ all views


class Views:
    """All views of one draft, each built on first use (a check only pays for the views its rules use)."""

    __slots__ = ("draft", "_cache")

    def __init__(self, draft: str):
        self.draft = draft
        self._cache: dict[str, View] = {}

    def preset(self, name: str, view: View) -> None:
        """Use ``view`` (built by the caller, e.g. from cached pieces) as the view ``name``."""
        self._cache[name] = view

    def __getitem__(self, name: str) -> View:
        v = self._cache.get(name)
        if v is None:
            if name == "raw":
                v = View("raw", self.draft)
            elif name == "text":
                v = fold_text(self.draft)
            elif name == "letters":
                v = letters_view(self["text"])
            elif name == "words":
                v = words_view(self["text"])
            elif name == "numbers":
                v = numbers_view(self["text"], self.draft)
            elif name == "address":
                v = address_view(self["text"])
            else:
                raise KeyError(name)
            self._cache[name] = v
        return v
