"""app/render.py: report -> HTML strings, escaped, with exact marks and UTF-16 offsets."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import render
from app.ui_text import ui_text

STRINGS = {lang: ui_text(lang) for lang in ("zh", "en")}


def finding(text: str, start: int, end: int, rule: str = "contact-details.email", severity: str = "block") -> dict:
    return {
        "rule": rule,
        "category": rule.split(".")[0],
        "severity": severity,
        "start": start,
        "end": end,
        "text": text[start:end],
        "title": {"en": "Email address", "zh": "邮箱地址"},
        "message": {"en": "Do not share <contact> details", "zh": "不要提供联系方式"},
        "suggestion": {"en": "Reply in Buyer-Seller Messaging", "zh": "请在站内信中回复"},
        "fix": None,
        "policy": rule.split(".")[0],
    }


def report(findings: list[dict], verdict: str = "fix") -> dict:
    counts = {"block": 0, "warn": 0, "info": 0}
    for f in findings:
        counts[f["severity"]] += 1
    return {"verdict": verdict, "lang": "en", "counts": counts, "findings": findings}


class Marks(HTMLParser):
    """Collects each <mark>'s text (including nested marks' text) and all text of the fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[dict] = []
        self.marks: list[dict] = []
        self.text = ""
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "mark":
            entry = dict(attrs) | {"_text": ""}
            self.open.append(entry)
            self.marks.append(entry)

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()

    def handle_data(self, data):
        self.text += data
        for entry in self.open:
            entry["_text"] += data


def parse(html: str) -> Marks:
    parser = Marks()
    parser.feed(html)
    parser.close()
    return parser


def test_marks_cover_exactly_the_flagged_characters_after_emoji():
    text = "Hi 😀😀 add me on WhatsApp or mail a@b.com\n"
    wa = text.index("WhatsApp")
    em = text.index("a@b.com")
    fs = [finding(text, wa, wa + 8, "off-platform.messenger-app"), finding(text, em, em + 7)]
    parsed = parse(render.highlight_html(text, fs))
    assert [m["_text"] for m in parsed.marks] == ["WhatsApp", "a@b.com"]
    assert [m["data-rule"] for m in parsed.marks] == ["off-platform.messenger-app", "contact-details.email"]
    assert parsed.text == text  # the layer holds the draft's text unchanged


def test_draft_markup_is_text_never_markup():
    text = '<img src=x onerror=window.__pwned=1><script>alert(1)</script> & "q"'
    fs = [finding(text, 0, 10)]
    html = render.highlight_html(text, fs)
    parsed = parse(html)
    assert parsed.tags == ["mark"]
    assert parsed.text == text
    listing = render.findings_html(text, fs, "en", STRINGS["en"])
    assert "<img" not in listing and "<script" not in listing
    assert "&lt;contact&gt;" in listing  # rule texts are escaped too


def test_utf16_offsets_count_astral_characters_twice():
    text = "a😀b𝒳c"
    assert render.utf16_offsets(text, [0, 1, 2, 3, 4, 5]) == {0: 0, 1: 1, 2: 3, 3: 4, 4: 6, 5: 7}
    assert len(text.encode("utf-16-le")) // 2 == 7
    with pytest.raises(ValueError):
        render.utf16_offsets(text, [6])


def test_findings_list_carries_hooks_and_utf16_offsets():
    text = "😀 mail a@b.com"
    start = text.index("a@b")
    html = render.findings_html(text, [finding(text, start, start + 7)], "zh", STRINGS["zh"])
    assert 'data-rule="contact-details.email"' in html
    assert 'data-category="contact-details"' in html
    assert 'data-severity="block"' in html
    assert f'data-utf16-start="{start + 1}" data-utf16-end="{start + 8}"' in html
    assert "邮箱地址" in html and STRINGS["zh"]["severity.block"] in html
    assert "Email address" in render.findings_html(text, [finding(text, start, start + 7)], "en", STRINGS["en"])


def test_nested_and_partly_overlapping_findings_keep_exact_mark_text():
    text = "0123456789abcdef"
    outer = finding(text, 2, 12, "a.outer")
    inner = finding(text, 4, 6, "b.inner")
    crossing = finding(text, 10, 14, "c.crossing")
    parsed = parse(render.highlight_html(text, [outer, inner, crossing]))
    by_rule: dict[str, list[str]] = {}
    for mark in parsed.marks:
        by_rule.setdefault(mark["data-rule"], []).append(mark["_text"])
    assert by_rule["a.outer"] == ["23456789ab"]
    assert by_rule["b.inner"] == ["45"]
    assert "".join(by_rule["c.crossing"]) == "abcd"  # split where the outer mark ends
    assert parsed.text == text


def test_trailing_newline_keeps_its_line_in_the_layer():
    assert render.highlight_html("line\n", []).endswith("<br>")
    assert not render.highlight_html("line", []).endswith("<br>")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_verdict_banner(lang):
    strings = STRINGS[lang]
    key, html = render.verdict_html("  \n", report([], "ok"), strings)
    assert key == "empty" and strings["verdict.empty"] in html
    key, html = render.verdict_html("hello", report([], "ok"), strings)
    assert key == "ok" and strings["verdict.ok"] in html
    text = "mail a@b.com"
    key, html = render.verdict_html(text, report([finding(text, 5, 12)]), strings)
    assert key == "fix" and strings["verdict.fix"] in html
    assert strings["verdict.counts"].format(block=1, warn=0, info=0) in html


def test_render_bundles_the_three_parts():
    text = "mail a@b.com"
    shown = render.render(text, report([finding(text, 5, 12)]), "en", STRINGS["en"])
    assert shown.verdict_key == "fix"
    assert shown.highlights.count("<mark") == 1
    assert shown.findings.count("<li") == 1


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40), raw=spans)
def test_each_finding_s_marks_together_are_exactly_its_characters(text, raw):
    fs = []
    for a, b in raw:
        start, end = sorted((min(a, len(text)), min(b, len(text))))
        if end > start:
            fs.append(finding(text, start, end, f"r.x{len(fs)}"))
    parsed = parse(render.highlight_html(text, fs))
    assert parsed.text == text
    for i, f in enumerate(fs):
        marks = [m for m in parsed.marks if m["data-finding"] == str(i)]
        assert marks, f"finding {i} has no mark"
        assert "data-continued" not in marks[0]
        assert "".join(m["_text"] for m in marks) == text[f["start"]:f["end"]]


def test_findings_explain_with_the_policy_reminder_fix_and_appeal_hooks():
    text = "hi 😀 a@b.com"
    f = finding(text, 3, 4, "emoji.emoji", severity="warn") | {"fix": ""}
    g = finding(text, 5, 12)
    reminders = {"emoji": {"category": "emoji", "reminder": {"en": "No <emoji> please", "zh": "不要表情"},
                           "sources": ("Communication Guidelines", "Some other page")}}
    html = render.findings_html(text, [f, g], "zh", STRINGS["zh"], reminders)
    assert html.count('data-action="select"') == 2 and html.count('data-action="fix"') == 1
    assert 'class="finding-appeal link-button" data-rule="emoji.emoji" data-category="emoji"' in html
    assert "不要表情" in html and "沟通指南、Some other page" in html
    assert STRINGS["zh"]["findings.fix_delete"].format(text="😀") in html
    tip = render.tip_html(text, f, 0, "en", STRINGS["en"], reminders)
    assert "No &lt;emoji&gt; please" in tip and "Communication Guidelines, Some other page" in tip
    assert "Email address" in render.tip_html(text, g, 1, "en", STRINGS["en"], reminders)
    assert 'data-action="fix"' not in render.tip_html(text, g, 1, "en", STRINGS["en"], reminders)


def test_summary_terms_and_options_are_escaped_text():
    text = "mail a@b.com"
    summary = render.summary_text(text, report([finding(text, 5, 12)]), STRINGS["en"])
    assert summary == STRINGS["en"]["verdict.summary"].format(verdict=STRINGS["en"]["verdict.fix"], block=1, warn=0, info=0)
    assert render.summary_text(" ", report([]), STRINGS["zh"]) == STRINGS["zh"]["verdict.empty"]
    terms = render.terms_html(["<b>shop</b>", "555-0100"], STRINGS["en"])
    assert "<b>" not in terms and "&lt;b&gt;shop&lt;/b&gt;" in terms and 'data-term="1"' in terms
    assert STRINGS["zh"]["terms.empty"] in render.terms_html([], STRINGS["zh"])
    options = render.options_html([("a", "<A>"), ("b", "B")], "b")
    assert options == '<option value="a">&lt;A&gt;</option><option value="b" selected>B</option>'


def test_phrase_fix_names_the_whole_replaced_phrase_in_both_languages():
    import app

    text = "Please contact me on WhatsApp +44 7700 900123 so we can sort it out, thanks a lot for waiting."
    d = app.check(text).to_dict()
    (messenger,) = [f for f in d["findings"] if f["rule"] == "off-platform.messenger-app"]
    phrase = "contact me on WhatsApp +44 7700 900123"
    assert render.fix_range(messenger) == (text.index(phrase), text.index(phrase) + len(phrase))
    for lang in ("en", "zh"):
        html = render.findings_html(text, d["findings"], lang, STRINGS[lang])
        label = STRINGS[lang]["findings.fix_replace"].format(text=phrase, replacement="reply to this message here")
        assert html.count(f">{label}<") == 2  # the app name and the number share one phrase fix
        assert html.count('data-phrase=""') == 2
        tip = render.tip_html(text, messenger, 0, lang, STRINGS[lang])
        assert label in tip


def test_long_replaced_text_is_shortened_in_the_button_but_not_in_its_title():
    text = "x" * 80
    f = finding(text, 10, 12) | {"fix": "y", "fix_start": 0, "fix_end": 80}
    html = render.findings_html(text, [f], "en", STRINGS["en"])
    short = STRINGS["en"]["findings.fix_replace"].format(text="x" * 47 + "…", replacement="y")
    full = STRINGS["en"]["findings.fix_replace"].format(text="x" * 80, replacement="y")
    assert f">{short}<" in html and f'title="{full}"' in html


def test_findings_list_reuses_an_entry_only_for_what_it_shows():
    """Entries are kept by what they show; after typing elsewhere (shifted offsets, a new entry before
    them), in the other language, or with another fix, the list equals one built from nothing."""
    import app

    drafts = [
        "Contact me on WhatsApp {0} +44 7700 900123, leave 5 stars and we refund you. a@b.com",
        "😀 {x} Contact me on WhatsApp {0} +44 7700 900123, leave 5 stars and we refund you. a@b.com",
        "Write to a@b.com 😀 {x} Contact me on WhatsApp {0} +44 7700 900123, leave 5 stars and we refund you.",
        "Contact me on WhatsApp {0} +44 7700 900124, leave 5 stars and we refund you! a@b.com",
        "Message me on WhatsApp {0} +44 7700 900124, leave 5 stars and we refund you! a@b.com",  # other phrase
    ]
    for lang in ("en", "zh", "en"):
        for text in drafts:
            result = app.check(text)
            fs = result.to_dict()["findings"]
            assert any(f.get("fix") is not None for f in fs)
            reminders = {str(r["category"]): r for r in result.reminders}
            warm = render.findings_html(text, fs, lang, STRINGS[lang], reminders)
            render._ENTRY_CACHE.clear()
            assert warm == render.findings_html(text, fs, lang, STRINGS[lang], reminders)
            assert warm.count("<li ") == len(fs)
    fs = [finding(text, 0, 3) for text in ["a{1}b"]]
    assert 'data-utf16-start="0" data-utf16-end="3"' in render.findings_html("a{1}b", fs, "en", STRINGS["en"])
