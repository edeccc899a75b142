"""Compliant message templates for the common cases, in the buyer's language.

The messages are data (``app/message_templates.toml``); this module loads them once, validates them,
and gives the page what it needs to insert one into the editor and select the first placeholder.

Placeholders are written ``{name}`` (lower-case letters, digits, ``_``). ``placeholders(text)`` lists
the names in order of first appearance; ``placeholder_spans(text)`` gives every occurrence as code-point
offsets (the page converts them to UTF-16 for the DOM, as it does for findings).

Pure standard library: it runs unchanged on CPython and in Pyodide.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.ui_text import ui_text

__all__ = [
    "TEMPLATE_LANGUAGES",
    "TemplateError",
    "fill",
    "get_template",
    "list_cases",
    "list_placeholders",
    "list_templates",
    "load_templates",
    "placeholder_spans",
    "placeholders",
]

# Buyers' languages the library covers, in the order the page offers them; zh is a reference for the seller.
TEMPLATE_LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "zh")
TEMPLATES_PATH = Path(__file__).with_name("message_templates.toml")

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_ANY_BRACE = re.compile(r"[{}]")
_CASE_ID = re.compile(r"[a-z][a-z0-9-]*")


class TemplateError(ValueError):
    """The templates file is malformed; the message names the entry and what to fix."""


def placeholders(text: str) -> list[str]:
    """Placeholder names in ``text``, in order of first appearance, each once."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(text)))


def placeholder_spans(text: str) -> list[tuple[str, int, int]]:
    """Every placeholder occurrence as ``(name, start, end)``, code-point offsets, ``text[start:end] == "{name}"``."""
    return [(m.group(1), m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the placeholders that ``values`` names; leave the others as written."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


@dataclass(frozen=True)
class _Library:
    cases: dict[str, dict]
    placeholders: dict[str, dict]
    templates: dict[str, dict]  # id -> template, in file order


def _bilingual(value, where: str, source: str) -> dict[str, str]:
    if (not isinstance(value, dict) or set(value) != {"zh", "en"}
            or not all(isinstance(v, str) and v.strip() for v in value.values())):
        raise TemplateError(f'{source}: {where} — fix: write {{ zh = "…", en = "…" }}, both non-empty')
    return dict(value)


def _check_keys(entry: dict, allowed: set[str], required: set[str], where: str, source: str) -> None:
    unknown = sorted(set(entry) - allowed)
    missing = sorted(required - set(entry))
    if unknown:
        raise TemplateError(f"{source}: {where}: unknown key {', '.join(unknown)} — fix: use only {', '.join(sorted(allowed))}")
    if missing:
        raise TemplateError(f"{source}: {where}: missing {', '.join(missing)} — fix: add it")


def _load_cases(data: dict, source: str) -> dict[str, dict]:
    cases = {}
    for case_id, entry in data.get("cases", {}).items():
        where = f"case '{case_id}'"
        if not _CASE_ID.fullmatch(case_id):
            raise TemplateError(f"{source}: {where}: bad id — fix: use lower-case letters, digits and '-'")
        _check_keys(entry, {"title", "proactive", "when"}, {"title", "proactive", "when"}, where, source)
        if not isinstance(entry["proactive"], bool):
            raise TemplateError(f"{source}: {where}: proactive must be true or false")
        cases[case_id] = {
            "id": case_id,
            "title": _bilingual(entry["title"], f"{where}: title", source),
            "when": _bilingual(entry["when"], f"{where}: when", source),
            "proactive": entry["proactive"],
        }
    if not cases:
        raise TemplateError(f"{source}: no [cases.<id>] — fix: declare each case once")
    return cases


def _load_placeholders(data: dict, source: str) -> dict[str, dict]:
    documented = {}
    for name, entry in data.get("placeholders", {}).items():
        where = f"placeholder '{name}'"
        if not PLACEHOLDER.fullmatch("{" + name + "}"):
            raise TemplateError(f"{source}: {where}: bad name — fix: use lower-case letters, digits and '_'")
        _check_keys(entry, {"zh", "en", "example"}, {"zh", "en", "example"}, where, source)
        description = _bilingual({"zh": entry["zh"], "en": entry["en"]}, f"{where}: description", source)
        example = entry["example"]
        if isinstance(example, str):
            example = dict.fromkeys(TEMPLATE_LANGUAGES, example)
        if (not isinstance(example, dict) or set(example) != set(TEMPLATE_LANGUAGES)
                or not all(isinstance(v, str) and v.strip() for v in example.values())):
            raise TemplateError(
                f"{source}: {where}: example — fix: one string for every language, or a non-empty example "
                f"for each of {', '.join(TEMPLATE_LANGUAGES)}"
            )
        if any(PLACEHOLDER.search(v) or _ANY_BRACE.search(v) for v in example.values()):
            raise TemplateError(f"{source}: {where}: an example contains braces — fix: write a real value")
        documented[name] = {"name": name, **description, "example": dict(example)}
    return documented


def _load_templates(data: dict, cases: dict, documented: dict, source: str) -> dict[str, dict]:
    templates: dict[str, dict] = {}
    language_names = {lang: ui_text(lang) for lang in ("zh", "en")}
    for number, entry in enumerate(data.get("template", []), start=1):
        where = f"template #{number}"
        _check_keys(entry, {"case", "language", "text"}, {"case", "language", "text"}, where, source)
        case, language, text = entry["case"], entry["language"], entry["text"]
        where = f"template '{case}.{language}'"
        if case not in cases:
            raise TemplateError(f"{source}: {where}: unknown case '{case}' — fix: declare [cases.{case}] or fix the name")
        if language not in TEMPLATE_LANGUAGES:
            raise TemplateError(f"{source}: {where}: unknown language — fix: use one of {', '.join(TEMPLATE_LANGUAGES)}")
        template_id = f"{case}.{language}"
        if template_id in templates:
            raise TemplateError(f"{source}: {where}: duplicate — fix: keep one template per case and language")
        if not isinstance(text, str) or not text.strip():
            raise TemplateError(f"{source}: {where}: empty text — fix: write the message")
        text = text.strip()
        stray = _ANY_BRACE.search(PLACEHOLDER.sub("", text))
        if stray:
            raise TemplateError(
                f"{source}: {where}: stray '{stray.group(0)}' — fix: write placeholders as {{name}} with "
                "lower-case letters, digits and '_', and no other braces"
            )
        names = placeholders(text)
        undocumented = [n for n in names if n not in documented]
        if undocumented:
            raise TemplateError(
                f"{source}: {where}: placeholder {', '.join(undocumented)} is not documented — fix: add "
                f"[placeholders.{undocumented[0]}] with zh, en and example"
            )
        templates[template_id] = {
            "id": template_id,
            "case": case,
            "language": language,
            "title": {
                ui: f"{cases[case]['title'][ui]}{'（' if ui == 'zh' else ' ('}"
                    f"{language_names[ui]['lang.name.' + language]}{'）' if ui == 'zh' else ')'}"
                for ui in ("zh", "en")
            },
            "text": text,
            "placeholders": names,
            "proactive": cases[case]["proactive"],
        }
    if not templates:
        raise TemplateError(f"{source}: no [[template]] entries — fix: add the messages")
    return templates


def load_templates(path: str | Path | None = None) -> _Library:
    """Read and validate a templates file. Raises TemplateError naming the entry and the fix."""
    path = Path(path) if path is not None else TEMPLATES_PATH
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise TemplateError(f"{path.name}: not valid TOML ({err}) — fix the syntax at that line") from None
    unknown = sorted(set(data) - {"cases", "placeholders", "template"})
    if unknown:
        raise TemplateError(f"{path.name}: unknown table {', '.join(unknown)} — fix: use cases, placeholders, template")
    cases = _load_cases(data, path.name)
    documented = _load_placeholders(data, path.name)
    templates = _load_templates(data, cases, documented, path.name)
    unused = sorted(set(documented) - {n for t in templates.values() for n in t["placeholders"]})
    if unused:
        raise TemplateError(f"{path.name}: placeholder {', '.join(unused)} is documented but never used — fix: remove it")
    # Keep the listing order stable and meaningful: by case as declared, then by language.
    ordered = sorted(templates.values(),
                     key=lambda t: (list(cases).index(t["case"]), TEMPLATE_LANGUAGES.index(t["language"])))
    return _Library(cases, documented, {t["id"]: t for t in ordered})


@lru_cache(maxsize=1)
def _library() -> _Library:
    return load_templates()


def _copy(template: dict) -> dict:
    return {**template, "title": dict(template["title"]), "placeholders": list(template["placeholders"])}


def list_templates(case: str | None = None, language: str | None = None) -> list[dict]:
    """Every template (optionally of one case and/or language), ordered by case, then language.

    Each is a fresh dict: ``id`` ("<case>.<language>"), ``case``, ``language``, ``title`` {zh, en},
    ``text``, ``placeholders`` (names, in order), ``proactive`` (the seller writes first).
    """
    return [_copy(t) for t in _library().templates.values()
            if (case is None or t["case"] == case) and (language is None or t["language"] == language)]


def get_template(template_id: str) -> dict:
    """One template by id, e.g. ``"shipping-delay.de"``. Raises KeyError for an unknown id."""
    try:
        return _copy(_library().templates[template_id])
    except KeyError:
        raise KeyError(f"unknown template {template_id!r}") from None


def list_cases() -> list[dict]:
    """The cases in display order: ``id``, ``title`` {zh, en}, ``when`` {zh, en}, ``proactive``."""
    return [{**c, "title": dict(c["title"]), "when": dict(c["when"])} for c in _library().cases.values()]


def list_placeholders() -> dict[str, dict]:
    """Documentation of every placeholder: name -> {name, zh, en, example: {language: value}}."""
    return {name: {**p, "example": dict(p["example"])} for name, p in _library().placeholders.items()}
