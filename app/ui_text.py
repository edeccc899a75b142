"""Interface texts of the page, in Chinese (zh-CN) and English.

The texts are data (``app/ui_strings.toml``, both languages side by side); this module loads them once,
checks them, and hands the page a flat ``{"section.key": text}`` dict per language. Values may hold
``str.format`` fields such as ``{n}``; both languages of a key always hold the same fields.

Pure standard library: it runs unchanged on CPython and in Pyodide.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

__all__ = [
    "UI_LANGUAGES",
    "UiStringsError",
    "detect_ui_lang",
    "format_fields",
    "load_ui_strings",
    "normalize_ui_lang",
    "ui_text",
]

UI_LANGUAGES = ("zh", "en")
STRINGS_PATH = Path(__file__).with_name("ui_strings.toml")


class UiStringsError(ValueError):
    """The strings file is malformed; the message names the key and what to fix."""


def format_fields(text: str) -> frozenset[str]:
    """The names of the ``str.format`` fields in ``text`` (``"{n} of {total}"`` -> {"n", "total"}).

    Raises ValueError when the braces are unbalanced, so a stray ``{`` is caught when loading, not when
    the page formats the text in front of a seller.
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _flatten(table: dict, source: str, prefix: str = "") -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise UiStringsError(
                f"{source}: '{key}' is a bare value — fix: write it as {key.rsplit('.', 1)[-1]} = "
                '{ zh = "…", en = "…" }'
            )
        # A leaf is a {zh, en} pair; any other table is a section (lang.name has zh/en *tables*).
        if any(isinstance(value.get(lang), str) for lang in UI_LANGUAGES):
            entries[key] = _leaf(value, key, source)
        else:
            entries.update(_flatten(value, source, f"{key}."))
    return entries


def _leaf(value: dict, key: str, source: str) -> dict[str, str]:
    missing = [lang for lang in UI_LANGUAGES if lang not in value]
    extra = sorted(set(value) - set(UI_LANGUAGES))
    if missing or extra:
        problem = f"missing {', '.join(missing)}" if missing else f"unknown language {', '.join(extra)}"
        raise UiStringsError(f"{source}: '{key}': {problem} — fix: give exactly zh and en")
    texts: dict[str, str] = {}
    for lang in UI_LANGUAGES:
        text = value[lang]
        if not isinstance(text, str) or not text.strip():
            raise UiStringsError(f"{source}: '{key}': the {lang} text is empty — fix: write the {lang} text")
        try:
            format_fields(text)
        except ValueError as err:
            raise UiStringsError(
                f"{source}: '{key}': the {lang} text has unbalanced braces ({err}) — fix: write {{{{ and }}}} "
                "for literal braces, {name} for a value"
            ) from None
        texts[lang] = text
    if format_fields(texts["zh"]) != format_fields(texts["en"]):
        raise UiStringsError(
            f"{source}: '{key}': the placeholders differ (zh {sorted(format_fields(texts['zh']))}, "
            f"en {sorted(format_fields(texts['en']))}) — fix: use the same {{names}} in both languages"
        )
    return texts


def load_ui_strings(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """Read and validate a strings file: ``{"section.key": {"zh": …, "en": …}}``.

    Raises UiStringsError naming the file, the key and the fix.
    """
    path = Path(path) if path is not None else STRINGS_PATH
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise UiStringsError(f"{path.name}: not valid TOML ({err}) — fix the syntax at that line") from None
    return _flatten(data, path.name)


@lru_cache(maxsize=None)
def _table(lang: str) -> dict[str, str]:
    return {key: texts[lang] for key, texts in _all_strings().items()}


@lru_cache(maxsize=1)
def _all_strings() -> dict[str, dict[str, str]]:
    return load_ui_strings()


def normalize_ui_lang(lang: str) -> str:
    """``"zh-CN"``/``"zh_Hans"``/``"ZH"`` -> ``"zh"``, ``"en-US"`` -> ``"en"``; anything else is an error."""
    code = str(lang).strip().lower().replace("_", "-").split("-", 1)[0]
    if code not in UI_LANGUAGES:
        raise ValueError(f"unknown interface language {lang!r}: use one of {', '.join(UI_LANGUAGES)}")
    return code


def ui_text(lang: str) -> dict[str, str]:
    """Every interface text in ``lang`` ("zh" or "en"), keyed ``"section.key"``.

    Returns a fresh dict (the loaded data is cached and stays untouched); format values with
    ``text.format(n=3)``.
    """
    return dict(_table(normalize_ui_lang(lang)))


def detect_ui_lang(navigator_languages: Iterable[str] | str | None) -> str:
    """The interface language for a browser's ``navigator.languages``: "zh" or "en".

    The list is read in the user's order of preference: the first Chinese tag (zh, zh-CN, zh-TW,
    zh-Hans…) gives "zh", the first English tag gives "en"; other languages are skipped, so a Chinese
    seller whose browser says ``["de-DE", "zh-CN"]`` gets Chinese. Nothing usable gives "en".
    """
    if navigator_languages is None:
        return "en"
    if isinstance(navigator_languages, str):
        navigator_languages = [navigator_languages]
    for tag in navigator_languages:
        if not isinstance(tag, str):
            continue
        code = tag.strip().lower().replace("_", "-").split("-", 1)[0]
        if code in UI_LANGUAGES:
            return code
    return "en"
