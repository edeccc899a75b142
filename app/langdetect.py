"""Cheap, deterministic language detection for drafts and for each sentence of a draft.

Script decides first: any kana means Japanese; Han characters without kana mean Chinese. Latin text is
scored with function words (articles, pronouns, prepositions) of en, de, fr, es, it; a word shared by
several languages ("la", "con", "que") counts for each of them in proportion. No statistics, no model:
the same text always gives the same answer, and a sentence costs a few microseconds.

``segments()`` splits a draft into sentences and gives each its own language, so that the engine can apply
Chinese rules to a Chinese note inside an English message, and French rules only to French sentences
(see ``app/engine.py`` for how rules use this).
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["LANGS", "LATIN_LANGS", "detect", "Segments", "segments", "text_stats", "doc_lang"]

LANGS = ("en", "de", "fr", "es", "it", "ja", "zh")
LATIN_LANGS = ("en", "de", "fr", "es", "it")

_STOP = {
    "en": """the and you your yours we our ours is are was were to of for with this that these those have has
        had please thank thanks will would be been it its in on at not can could if i my me us they them
        their there here from by an a as but or so do does did just about any what which when who how
        sorry hope dear kind regards best sincerely again also let know""",
    "de": """der die das und ist sie ihr ihre ihnen ihrer wir uns unser unsere unseren nicht mit für ein eine
        einen einem einer bitte danke auf zu den dem des bei wenn sich auch es ich haben hat wurde wurden
        können kann werden wird vielen leider gerne sehr geehrte geehrter freundlichen grüßen noch schon
        nach über oder aber dass sind sein wie was hallo liebe lieber""",
    "fr": """le la les et est vous votre vos nous notre nos pas avec pour une des du merci sur dans que qui ce
        cette ces je avez sommes êtes au aux ne si bonjour madame monsieur cordialement très avons été
        sera peut pouvez mais ou où leur bien votre commande""",
    "es": """el la los las y es usted ustedes su sus nosotros nuestro nuestra nuestros no con para una por
        gracias que en del al le lo muy está están hemos ha si como pero estimado estimada saludos
        cordiales hola favor puede pueden ya tiene este esta esto sobre""",
    "it": """il lo la gli le e è lei suo sua suoi noi nostro nostra nostri non con per una un grazie che di
        del della dei delle in al alla abbiamo sono ci si ha molto gentile cordiali saluti buongiorno
        salve può potete questo questa ma anche come sul nel""",
}
# word -> {lang: weight}; a word in k lists weighs 1/k for each of them, counted in sixtieths so that scores
# are integers: sums do not depend on the order of addition, so a draft scored sentence by sentence (the
# engine's incremental check) gets exactly the score of the whole draft.
_UNIT = 60
_WEIGHTS: dict[str, dict[str, int]] = {}
for _lang, _words in _STOP.items():
    for _w in set(_words.split()):
        _WEIGHTS.setdefault(_w, {})[_lang] = 1
for _w, _d in _WEIGHTS.items():
    for _lang in _d:
        _d[_lang] = _UNIT // len(_d)
_LANG_INDEX = {lang: i for i, lang in enumerate(LATIN_LANGS)}
# word -> tuple of (language position, weight)
_WEIGHT_ITEMS = {w: tuple((_LANG_INDEX[lg], wt) for lg, wt in d.items()) for w, d in _WEIGHTS.items()}

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_WORD = re.compile(r"[a-zà-ÿœ']+")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
# Everything but those letters: what is left after deleting it is the text's Latin letters, counted without
# making a one-character string per letter (``findall``), at half the cost.
_NOT_LATIN_LETTERS = re.compile(r"[^A-Za-zÀ-ÿ]+")
# Sentence ends: .!? followed by space or end, CJK full stops, and line breaks.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|[。！？]+|\n+")


def _latin_count(text: str) -> int:
    """How many characters of ``text`` match ``_LATIN_LETTER``."""
    return len(_NOT_LATIN_LETTERS.sub("", text))


def _latin_vector(text: str) -> list[int]:
    """Function-word scores of ``text`` per Latin language (in the order of ``LATIN_LANGS``, sixtieths)."""
    v = [0, 0, 0, 0, 0]
    get = _WEIGHT_ITEMS.get
    for w in _LATIN_WORD.findall(text.lower()):
        d = get(w)
        if d:
            for i, wt in d:
                v[i] += wt
    return v


def _latin_scores(text: str) -> dict[str, int]:
    return dict(zip(LATIN_LANGS, _latin_vector(text)))


def _best_latin(text: str, *, confident: bool) -> str | None:
    return _pick(_latin_scores(text), confident=confident)


def _pick(scores: dict[str, int], *, confident: bool) -> str | None:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], LATIN_LANGS.index(kv[0])))
    (top, s1), (_, s2) = ranked[0], ranked[1]
    if s1 <= 0:
        return None
    if confident and (s1 < 2 * _UNIT or 2 * s1 < 3 * s2):
        return None
    return top


def _script_lang(text: str) -> str | None:
    if _KANA.search(text):
        return "ja"
    if not _HAN.search(text):
        return None
    han = len(_HAN.findall(text))
    if han >= 2 and han * 3 >= _latin_count(text):
        return "zh"
    return None


def detect(text: str) -> str:
    """The draft's main language among ``LANGS`` ("en" when nothing tells)."""
    return _detect(text)[0]


def _detect(text: str) -> tuple[str, dict[str, int] | None]:
    script = _script_lang(text)
    if script:
        return script, None
    scores = _latin_scores(text)
    return _pick(scores, confident=False) or "en", scores


def text_stats(text: str) -> tuple:
    """What ``doc_lang`` needs of a piece of a draft: (has kana, Han count, Latin letter count, Latin
    scores). Every part adds up over pieces (words never straddle the engine's pieces, which start after
    white space or a CJK full stop), so a draft's language can be decided from cached pieces."""
    kana = _KANA.search(text) is not None
    han = len(_HAN.findall(text)) if _HAN.search(text) else 0
    latin = _latin_count(text)
    return kana, han, latin, tuple(_latin_vector(text))


def doc_lang(stats) -> str:
    """The draft's language from the ``text_stats`` of its pieces: the same answer as ``detect``."""
    kana = False
    han = latin = 0
    v = [0, 0, 0, 0, 0]
    for k, h, lt, vec in stats:
        kana = kana or k
        han += h
        latin += lt
        for i in range(5):
            v[i] += vec[i]
    if kana:
        return "ja"
    if han >= 2 and han * 3 >= latin:
        return "zh"
    return _pick(dict(zip(LATIN_LANGS, v)), confident=False) or "en"


class Segments:
    """Sentences of a draft with their language; ``lang_at(offset)`` answers for any draft offset.

    Sentences are split and scored once, on first use.
    """

    __slots__ = ("text", "lang", "doc", "_present", "_starts", "_langs")

    def __init__(self, text: str, lang: str | None, doc: str | None = None):
        self.text = text
        self.lang = lang
        self.doc = doc or lang or _detect(text)[0]
        self._present: set[str] | None = None
        self._starts: list[int] | None = None
        self._langs: list[str] = []

    def lang_at(self, offset: int) -> str:
        if self._starts is None:
            self._split()
        i = bisect_right(self._starts, offset) - 1
        return self._langs[i] if i >= 0 else self.doc

    def present(self) -> set[str]:
        """Every language a sentence has (plus the draft's): exactly the languages ``lang_at`` can answer,
        so rules of any other language are skipped before matching without changing a result."""
        if self._present is None:
            if self._starts is None:
                self._split()
            self._present = set(self._langs) | {self.doc}
        return self._present

    def _split(self) -> None:
        text, lang, doc = self.text, self.lang, self.doc
        latin_fallback = doc if doc in LATIN_LANGS else "en"
        starts: list[int] = []
        langs: list[str] = []
        pos = 0
        n = len(text)
        bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not bounds or bounds[-1] != n:
            bounds.append(n)
        for end in bounds:
            if end <= pos:
                continue
            sent = text[pos:end]
            s_lang = _script_lang(sent)
            if s_lang == "zh" and doc == "ja" and not _has_zh_only_marks(sent):
                s_lang = "ja"
            if s_lang is None:
                if lang in LATIN_LANGS:
                    s_lang = lang
                else:
                    s_lang = _best_latin(sent, confident=True) or latin_fallback
            starts.append(pos)
            langs.append(s_lang)
            pos = end
        if not starts:
            starts, langs = [0], [doc]
        self._starts, self._langs = starts, langs

    def sentences(self) -> list[tuple[int, str]]:
        """(start offset, language) of every sentence."""
        if self._starts is None:
            self._split()
        return list(zip(self._starts, self._langs))


def segments(text: str, lang: str | None = None, doc: str | None = None) -> Segments:
    """Split ``text`` into sentences and give each a language (lazily; see ``Segments``).

    A sentence with kana is Japanese; one dominated by Han is Chinese (Japanese in a Japanese draft: a
    kanji-only line such as 「返金不可。」 is still Japanese). A Latin sentence takes the language its
    function words clearly point to; a short or ambiguous one ("OK.", "Hi John,") takes the draft's
    language. ``lang`` (the seller's choice) replaces the draft's detected language and is trusted for
    every Latin sentence; script still decides for CJK sentences, so a Chinese note in a German
    message keeps Chinese rules. ``doc`` gives the draft's language when ``text`` is only a piece of it.
    """
    return Segments(text, lang, doc)


# Characters common in Chinese and (nearly) absent from Japanese: a kanji-only sentence carrying them in a
# Japanese draft is a Chinese note, not Japanese.
_ZH_ONLY = re.compile(r"[们这么吗呢吧您请给说对让还没过时间问题买卖评价删号码联系微信谢]")


def _has_zh_only_marks(sent: str) -> bool:
    return bool(_ZH_ONLY.search(sent))
