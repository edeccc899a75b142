"""A report as HTML for the page: the highlight layer, the findings list and the verdict banner.

Pure (no ``js``, no DOM): app/page.py puts these strings into the page with one ``innerHTML`` per
element per check, and pytest checks them on CPython.  Everything that comes from the draft or
the rules is escaped, so a draft holding ``<img onerror=…>`` shows up as text.

Offsets: the engine reports code points; the DOM (``textarea.setSelectionRange``) counts UTF-16
code units, which differ after any character beyond U+FFFF (most emoji).  Every finding carries
both, the UTF-16 ones as ``data-utf16-start``/``data-utf16-end``.  The highlight layer needs no
conversion: it holds the same text, cut at the same characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Rendered", "findings_html", "highlight_html", "render", "utf16_offsets", "verdict_html"]

SEVERITIES = ("block", "warn", "info")


@dataclass(frozen=True)
class Rendered:
    highlights: str  # inner HTML of #highlights
    findings: str  # inner HTML of #findings
    verdict: str  # inner HTML of #verdict
    verdict_key: str  # value for #verdict's data-verdict: "empty" | "ok" | "review" | "fix"


def utf16_offsets(text: str, offsets: Iterable[int]) -> dict[int, int]:
    """Map code-point offsets into ``text`` to UTF-16 offsets, in one pass over the text."""
    wanted = sorted(set(offsets))
    result: dict[int, int] = {}
    extra = 0  # one extra code unit for every astral character passed so far
    position = 0
    for offset in wanted:
        if not 0 <= offset <= len(text):
            raise ValueError(f"offset {offset} outside the draft (length {len(text)})")
        extra += sum(1 for ch in text[position:offset] if ord(ch) > 0xFFFF)
        position = offset
        result[offset] = offset + extra
    return result


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _mark_open(finding: Mapping, index: int, continued: bool) -> str:
    part = ' data-continued=""' if continued else ""
    return (
        f'<mark data-rule="{_attr(finding["rule"])}" data-category="{_attr(finding["category"])}" '
        f'data-severity="{_attr(finding["severity"])}" data-finding="{index}"{part}>'
    )


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
        if any(end == boundary for end, _ in stack):
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
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def findings_html(text: str, findings: Sequence[Mapping], lang: str, strings: Mapping[str, str]) -> str:
    """One ``<li>`` per finding, in the report's order, with the texts in the interface language."""
    units = utf16_offsets(text, (p for f in findings for p in (f["start"], f["end"])))
    items = []
    for index, finding in enumerate(findings):
        severity = str(finding["severity"])
        suggestion = _localized(finding.get("suggestion"), lang)
        parts = [
            f'<li class="finding" data-rule="{_attr(finding["rule"])}" data-category="{_attr(finding["category"])}" '
            f'data-severity="{_attr(severity)}" data-finding="{index}" '
            f'data-utf16-start="{units[finding["start"]]}" data-utf16-end="{units[finding["end"]]}">',
            '<p class="finding-head">',
            f'<span class="severity">{escape(strings.get(f"severity.{severity}", severity))}</span>',
            f'<strong class="title">{escape(_localized(finding.get("title"), lang))}</strong>',
            f'<q class="quote" title="{_attr(strings.get("findings.flagged", ""))}">{escape(str(finding["text"]))}</q>',
            "</p>",
            f'<p class="message">{escape(_localized(finding.get("message"), lang))}</p>',
        ]
        if suggestion:
            label = escape(strings.get("findings.instead", ""))
            parts.append(f'<p class="suggestion"><span class="label">{label}</span> {escape(suggestion)}</p>')
        parts.append("</li>")
        items.append("".join(parts))
    return "".join(items)


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
    html = f'<span class="verdict-label">{escape(strings[f"verdict.{key}"])}</span> '
    if key != "ok":
        html += f'<span class="verdict-counts">{escape(strings["verdict.counts"].format(**counts))}</span> '
    html += f'<span class="verdict-detail">{escape(detail)}</span>'
    return key, html


def render(text: str, report: Mapping, lang: str, strings: Mapping[str, str]) -> Rendered:
    """Everything the page shows for one check of ``text`` (``report`` is ``Report.to_dict()``)."""
    findings = report["findings"]
    key, verdict = verdict_html(text, report, strings)
    return Rendered(
        highlights=highlight_html(text, findings),
        findings=findings_html(text, findings, lang, strings),
        verdict=verdict,
        verdict_key=key,
    )
