"""A report as HTML for the page: the highlight layer, the findings list and the verdict banner.

Pure (no ``js``, no DOM): app/page.py puts these strings into the page with one ``innerHTML`` per
element whose HTML changed, and pytest checks them on CPython.  A long draft has hundreds of findings
and is re-rendered on every keystroke, so the list's entries are kept by what they show
(``_ENTRY_CACHE``) and only their numbers (index, UTF-16 offsets) are filled in per check.  Everything that comes from the draft or
the rules is escaped, so a draft holding ``<img onerror=…>`` shows up as text.

Offsets: the engine reports code points; the DOM (``textarea.setSelectionRange``) counts UTF-16
code units, which differ after any character beyond U+FFFF (most emoji).  Every finding carries
both, the UTF-16 ones as ``data-utf16-start``/``data-utf16-end``.  The highlight layer needs no
conversion: it holds the same text, cut at the same characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from app.report import fix_range

__all__ = [
    "Rendered",
    "findings_html",
    "fix_range",
    "highlight_html",
    "options_html",
    "render",
    "summary_text",
    "terms_html",
    "tip_html",
    "utf16_offsets",
    "verdict_html",
]

SEVERITIES = ("block", "warn", "info")
# The second cue beside colour (issue 4 item 1): each severity has its own shape in the list and the
# tip, and its own underline style in the editor (web/style.css).
SEVERITY_ICONS = {"block": "✖", "warn": "▲", "info": "●"}
VERDICT_ICONS = {"ok": "✔", "review": "▲", "fix": "✖"}
# Policy pages named in rules/categories.toml (English, as Amazon titles them) -> their interface text.
SOURCE_KEYS = {
    "Seller Code of Conduct": "policy.source_code_of_conduct",
    "Communication Guidelines": "policy.source_communication",
    "Customer Product Reviews policy": "policy.source_reviews",
    "Prohibited Seller Activities": "policy.source_prohibited",
}


@dataclass(frozen=True)
class Rendered:
    highlights: str  # inner HTML of #highlights
    findings: str  # inner HTML of #findings
    verdict: str  # inner HTML of #verdict
    verdict_key: str  # value for #verdict's data-verdict: "empty" | "ok" | "review" | "fix"
    summary: str = ""  # plain text for the aria-live summary (announced only when it changes)


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16_offsets(text: str, offsets: Iterable[int]) -> dict[int, int]:
    """Map code-point offsets into ``text`` to UTF-16 offsets: each character beyond U+FFFF before an
    offset adds one code unit (the astral characters are found by one C-level search)."""
    astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
    result: dict[int, int] = {}
    for offset in offsets:
        if not 0 <= offset <= len(text):
            raise ValueError(f"offset {offset} outside the draft (length {len(text)})")
        result[offset] = offset + bisect_left(astral, offset) if astral else offset
    return result


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _mark_open(finding: Mapping, index: int, continued: bool) -> str:
    key = (finding["rule"], finding["category"], finding["severity"], continued)
    head = _MARK_HEADS.get(key)
    if head is None:
        if len(_MARK_HEADS) > 4096:
            _MARK_HEADS.clear()
        head = _MARK_HEADS[key] = (
            f'<mark data-rule="{_attr(key[0])}" data-category="{_attr(key[1])}" '
            f'data-severity="{_attr(key[2])}" data-finding="',
            '" data-continued="">' if continued else '">',
        )
    return f"{head[0]}{index}{head[1]}"


# The opening tags of marks by what they show but the index (built once: typing re-renders every mark).
_MARK_HEADS: dict[tuple, tuple[str, str]] = {}


def highlight_html(text: str, findings: Sequence[Mapping]) -> str:
    """The draft's text with a ``<mark>`` around each finding's exact characters.

    Findings that contain one another nest, so each mark's text is still exactly its span.  Two
    findings that only partly overlap cannot both be one element: the inner one is closed where
    the outer ends and continues in a second mark flagged ``data-continued``.
    """
    spans = sorted(
        ((f["start"], f["end"], i) for i, f in enumerate(findings) if f["end"] > f["start"]),
        key=lambda span: (span[0], -span[1], span[2]),
    )
    boundaries = sorted({p for start, end, _ in spans for p in (start, end)})
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # open marks: (end, finding index), innermost last
    position = 0
    next_span = 0
    for boundary in boundaries:
        out.append(escape(text[position:boundary], quote=False))
        position = boundary
        if stack and any(end == boundary for end, _ in stack):
            reopen = []
            while any(end == boundary for end, _ in stack):
                end, index = stack.pop()
                out.append("</mark>")
                if end != boundary:
                    reopen.append((end, index))
            for end, index in reversed(reopen):
                out.append(_mark_open(findings[index], index, continued=True))
                stack.append((end, index))
        while next_span < len(spans) and spans[next_span][0] == boundary:
            _, end, index = spans[next_span]
            out.append(_mark_open(findings[index], index, continued=False))
            stack.append((end, index))
            next_span += 1
    out.append(escape(text[position:], quote=False))
    if text.endswith("\n"):
        # A textarea shows a line after a final newline; a <div> does not unless something is on it.
        out.append("<br>")
    return "".join(out)


def _localized(value: object, lang: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _severity_badge(severity: str, strings: Mapping[str, str]) -> str:
    icon = SEVERITY_ICONS.get(severity, "●")
    return (
        f'<span class="severity"><span class="sev-icon" aria-hidden="true">{icon}</span>'
        f'{escape(strings.get(f"severity.{severity}", severity))}</span>'
    )


_FIX_QUOTE_MAX = 48  # longer replaced text is shortened in the button (the title holds all of it)


def _fix_label(text: str, finding: Mapping, strings: Mapping[str, str], full: bool = False) -> str:
    start, end = fix_range(finding)
    replaced = text[start:end] if 0 <= start <= end <= len(text) else str(finding["text"])
    if not full and len(replaced) > _FIX_QUOTE_MAX:
        replaced = replaced[: _FIX_QUOTE_MAX - 1].rstrip() + "…"
    if finding.get("fix") == "":
        return strings["findings.fix_delete"].format(text=replaced)
    return strings["findings.fix_replace"].format(text=replaced, replacement=finding["fix"])


def _fix_button(text: str, finding: Mapping, index: int, strings: Mapping[str, str]) -> str:
    if finding.get("fix") is None:
        return ""
    start, end = fix_range(finding)
    wider = ' data-phrase=""' if (start, end) != (finding["start"], finding["end"]) else ""
    return (
        f'<button type="button" class="finding-fix" data-action="fix" data-finding="{index}"{wider} '
        f'title="{_attr(_fix_label(text, finding, strings, full=True))}">'
        f'<span class="fix-verb">{escape(strings["findings.apply_fix"])}</span> '
        f'<span class="fix-what">{escape(_fix_label(text, finding, strings))}</span></button>'
    )


def _reminder_html(finding: Mapping, reminders: Mapping[str, Mapping], lang: str, strings: Mapping[str, str]) -> str:
    """The policy reminder of the finding's category, with its sources named as text."""
    reminder = reminders.get(str(finding.get("policy") or finding["category"]))
    if not reminder:
        return ""
    names = [strings.get(SOURCE_KEYS.get(str(source), ""), str(source)) for source in reminder.get("sources") or ()]
    sources = ("、" if lang == "zh" else ", ").join(names)
    html = f'<span class="reminder-text">{escape(_localized(reminder.get("reminder"), lang))}</span>'
    if sources:
        html += f' <span class="sources">{escape(strings["policy.sources_label"])} {escape(sources)}</span>'
    return html


def findings_html(
    text: str,
    findings: Sequence[Mapping],
    lang: str,
    strings: Mapping[str, str],
    reminders: Mapping[str, Mapping] | None = None,
) -> str:
    """One ``<li>`` per finding, in the report's order, with the texts in the interface language.

    The head of each entry is a button (keyboard reachable) that selects the flagged text in the
    editor; the entry also says why it matters (the category's policy reminder), what to write
    instead, offers the one-click fix when the rule has one, and the appeal entry point.
    """
    reminders = reminders or {}
    units = utf16_offsets(text, (p for f in findings for p in (f["start"], f["end"])))
    if len(_ENTRY_CACHE) > _ENTRY_CACHE_SIZE:
        _ENTRY_CACHE.clear()
    items = []
    for index, finding in enumerate(findings):
        fix = finding.get("fix")
        if fix is None:
            phrase = None
        else:
            start, end = fix_range(finding)
            phrase = (start != finding["start"] or end != finding["end"], text[start:end])
        reminder = reminders.get(str(finding.get("policy") or finding["category"]))
        key = (lang, id(strings), finding["rule"], finding["category"], finding["severity"], finding["text"],
               fix, phrase, _frozen(finding.get("title")), _frozen(finding.get("message")),
               _frozen(finding.get("suggestion")))
        cached = _ENTRY_CACHE.get(key)
        if cached is None or cached[0] is not strings or cached[1] != reminder:
            cached = _ENTRY_CACHE[key] = (strings, reminder, _entry_template(text, finding, lang, strings, reminders))
        items.append(cached[2].format(index, units[finding["start"]], units[finding["end"]]))
    return "".join(items)


# Entries of the findings list by what they show (the same finding keeps its entry while the seller types
# elsewhere): the HTML with its position-dependent numbers left as ``{0}`` (index), ``{1}``/``{2}`` (UTF-16
# start/end). Kept per process; the strings object is held in the value so its id() stays its own.
_ENTRY_CACHE: dict[tuple, tuple[Mapping, object, str]] = {}
_ENTRY_CACHE_SIZE = 20_000
# Stand-ins for the numbers while an entry is built: "<" never survives escape(), so none of these can
# come from the draft or the rules.
_SLOTS = (("<\x01i>", "{0}"), ("<\x01s>", "{1}"), ("<\x01e>", "{2}"))


def _frozen(value: object) -> object:
    """A finding's localized text ({"zh": …, "en": …}) as part of a cache key."""
    return value if isinstance(value, str) else tuple(value.items()) if isinstance(value, Mapping) else value


def _entry_template(text: str, finding: Mapping, lang: str, strings: Mapping[str, str],
                    reminders: Mapping[str, Mapping]) -> str:
    html = _entry_html(text, finding, _SLOTS[0][0], lang, strings, reminders, _SLOTS[1][0], _SLOTS[2][0])
    html = html.replace("{", "{{").replace("}", "}}")
    for slot, field in _SLOTS:
        html = html.replace(slot, field)
    return html


def _entry_html(text: str, finding: Mapping, index: object, lang: str, strings: Mapping[str, str],
                reminders: Mapping[str, Mapping], utf16_start: object, utf16_end: object) -> str:
    """One entry of the findings list (see ``findings_html``)."""
    severity = str(finding["severity"])
    title = _localized(finding.get("title"), lang)
    suggestion = _localized(finding.get("suggestion"), lang)
    label = strings["findings.mark_label"].format(severity=strings.get(f"severity.{severity}", severity), title=title)
    parts = [
        f'<li class="finding" data-rule="{_attr(finding["rule"])}" data-category="{_attr(finding["category"])}" '
        f'data-severity="{_attr(severity)}" data-finding="{index}" '
        f'data-utf16-start="{utf16_start}" data-utf16-end="{utf16_end}">',
        f'<button type="button" class="finding-head finding-select" data-action="select" data-finding="{index}" '
        f'title="{_attr(strings["findings.select_hint"])}">',
        _severity_badge(severity, strings),
        f'<strong class="title">{escape(title)}</strong> ',
        f'<q class="quote" aria-label="{_attr(strings["findings.flagged"])}">{escape(str(finding["text"]))}</q>',
        f'<span class="visually-hidden">{escape(label)}</span>',
        "</button>",
        f'<p class="message">{escape(_localized(finding.get("message"), lang))}</p>',
    ]
    if suggestion:
        parts.append(_suggestion_html(suggestion, strings))
    why = _reminder_html(finding, reminders, lang, strings)
    if why:
        parts.append(
            f'<details class="why"><summary>{escape(strings["findings.why"])}</summary><p>{why}</p></details>'
        )
    parts.append('<p class="finding-actions">')
    parts.append(_fix_button(text, finding, index, strings))
    parts.append(
        f'<button type="button" class="finding-appeal link-button" data-rule="{_attr(finding["rule"])}" '
        f'data-category="{_attr(finding["category"])}" title="{_attr(strings["appeal.got_warning_hint"])}">'
        f'{escape(strings["appeal.got_warning"])}</button>'
    )
    parts.append("</p></li>")
    return "".join(parts)


def _suggestion_html(suggestion: str, strings: Mapping[str, str]) -> str:
    """The suggested wording, in the list and in the card."""
    return (f'<p class="suggestion"><span class="label">{escape(strings["findings.instead"])}</span> '
            f"{escape(suggestion)}</p>")


def tip_html(
    text: str,
    finding: Mapping,
    index: int,
    lang: str,
    strings: Mapping[str, str],
    reminders: Mapping[str, Mapping] | None = None,
) -> str:
    """The card shown over the editor when a highlight is hovered or the caret is in it."""
    severity = str(finding["severity"])
    parts = [
        '<p class="tip-head">',
        _severity_badge(severity, strings),
        f'<strong class="title">{escape(_localized(finding.get("title"), lang))}</strong></p>',
        f'<p class="message">{escape(_localized(finding.get("message"), lang))}</p>',
    ]
    why = _reminder_html(finding, reminders or {}, lang, strings)
    if why:
        parts.append(f'<p class="why"><span class="label">{escape(strings["findings.why"])}</span> {why}</p>')
    suggestion = _localized(finding.get("suggestion"), lang)
    if suggestion:
        parts.append(_suggestion_html(suggestion, strings))
    fix = _fix_button(text, finding, index, strings)
    if fix:
        parts.append(f'<p class="finding-actions">{fix}</p>')
    return "".join(parts)


def summary_text(text: str, report: Mapping, strings: Mapping[str, str]) -> str:
    """One sentence for the aria-live region: the verdict and the counts."""
    if not text.strip():
        return strings["verdict.empty"]
    key = str(report["verdict"])
    counts = {severity: 0 for severity in SEVERITIES}
    counts.update(report.get("counts") or {})
    return strings["verdict.summary"].format(verdict=strings[f"verdict.{key}"], **counts)


def terms_html(terms: Sequence[str], strings: Mapping[str, str]) -> str:
    """The seller's own terms, each with a labelled remove button."""
    if not terms:
        return f'<li class="terms-empty">{escape(strings["terms.empty"])}</li>'
    return "".join(
        f'<li><span class="term">{escape(term)}</span> '
        f'<button type="button" class="link-button" data-action="remove-term" data-term="{index}" '
        f'aria-label="{_attr(strings["terms.remove_label"].format(term=term))}">{escape(strings["terms.remove"])}</button></li>'
        for index, term in enumerate(terms)
    )


def options_html(options: Iterable[tuple[str, str]], selected: str) -> str:
    """``<option>`` elements for a ``<select>``: (value, label) pairs."""
    return "".join(
        f'<option value="{_attr(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
        for value, label in options
    )


def verdict_html(text: str, report: Mapping, strings: Mapping[str, str]) -> tuple[str, str]:
    """The banner above the findings: (data-verdict value, inner HTML)."""
    if not text.strip():
        return "empty", (
            f'<span class="verdict-label">{escape(strings["verdict.empty"])}</span> '
            f'<span class="verdict-detail">{escape(strings["editor.empty_hint"])}</span>'
        )
    key = str(report["verdict"])
    counts = {severity: 0 for severity in SEVERITIES}
    counts.update(report.get("counts") or {})
    detail = strings[f"verdict.{key}_detail"]
    icon = VERDICT_ICONS.get(key, "")
    html = (
        f'<span class="verdict-icon" aria-hidden="true">{icon}</span>'
        f'<span class="verdict-label">{escape(strings[f"verdict.{key}"])}</span> '
    )
    if key != "ok":
        html += f'<span class="verdict-counts">{escape(strings["verdict.counts"].format(**counts))}</span> '
    html += f'<span class="verdict-detail">{escape(detail)}</span>'
    return key, html


def render(
    text: str,
    report: Mapping,
    lang: str,
    strings: Mapping[str, str],
    reminders: Mapping[str, Mapping] | None = None,
) -> Rendered:
    """Everything the page shows for one check of ``text`` (``report`` is ``Report.to_dict()``;
    ``reminders`` maps a category to its policy reminder, as in ``Report.reminders``)."""
    findings = report["findings"]
    key, verdict = verdict_html(text, report, strings)
    return Rendered(
        highlights=highlight_html(text, findings),
        findings=findings_html(text, findings, lang, strings, reminders),
        verdict=verdict,
        verdict_key=key,
        summary=summary_text(text, report, strings),
    )
