"""The checker as a seller uses it all day (issue 4), in Chromium, for both outputs: the single file
over file:// and dist/site over http://127.0.0.1.

Each module-scoped page boots once; tests that need a fresh browser state (language from the
browser, 360 px, dark mode) open their own context.  What the page shows is compared with the
engine on CPython, so a difference is a bug of the page.
"""

from __future__ import annotations

import base64

import pytest

import app
from app import templates_library as templates
from app.engine import validate_own_term
from app.ui_text import ui_text

from .conftest import ROOT, CheckerPage, wait_ready
from .drafts import EMAIL, EMOJI_DRAFT, MARKUP_DRAFT, expected

pytestmark = pytest.mark.browser

ZH, EN = ui_text("zh"), ui_text("en")
STORAGE_KEYS = {"checker.draft", "checker.lang", "checker.ownTerms"}
SCREENSHOTS = ROOT / "tests" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Right-to-left, CJK and emoji (one of them four UTF-16 units) before the findings.
MIXED_DRAFT = f"مرحبا بك שלום 你好，谢谢😀👍🏽 {EMOJI_DRAFT}"
# The new user of issue 4's "Done when": a WhatsApp request, a 5-star-for-refund offer and an insult.
NEW_USER_DRAFT = (
    "Hi, add me on WhatsApp so we can talk. "
    "If you change your review to 5 stars, I will refund you in full. "
    "Honestly, you are an idiot if you cannot read the manual."
)
FIXABLE_DRAFT = "Thanks 😀 see https://myshop.example/help for details."
# Phrase rewrites (app/rewrites.toml): the fix replaces the whole request, not just the flagged word; the
# emoji before it shift UTF-16 offsets.
WHATSAPP_DRAFT = "Hi 😀👍🏽 Please contact me on WhatsApp +44 7700 900123 so we can sort it out."
WHATSAPP_FIXED = "Hi 😀👍🏽 Please reply to this message here so we can sort it out."
STARS_DRAFT = "Sorry about the scratch 🙏 order 123-1234567-1234567. Leave 5 stars and we refund you."
STARS_FIXED = ("Sorry about the scratch 🙏 order 123-1234567-1234567. "
               "If you have a moment, you can share your experience on the order page.")


# --- helpers ----------------------------------------------------------------------------------------


def reload(checker: CheckerPage) -> None:
    checker.page.reload(wait_until="commit")
    wait_ready(checker)


def click(checker: CheckerPage, selector: str) -> None:
    """Click and wait until whatever check it caused has rendered."""
    checker.page.click(selector)
    checker.settle()


def text_of(checker: CheckerPage, selector: str) -> str:
    return checker.page.evaluate("(s) => document.querySelector(s).textContent", selector)


def draft(checker: CheckerPage) -> str:
    return checker.page.input_value("#draft")


def storage(checker: CheckerPage) -> dict:
    return checker.page.evaluate("() => ({...localStorage})")


def set_language(checker: CheckerPage, lang: str) -> None:
    if checker.page.evaluate("() => document.documentElement.dataset.uiLang") != lang:
        click(checker, "#lang-switch")
    assert checker.page.evaluate("() => document.documentElement.dataset.uiLang") == lang


def open_panel(checker: CheckerPage, panel: str) -> None:
    checker.page.evaluate("(id) => { document.getElementById(id).open = true; }", panel)


def assert_clean(checker: CheckerPage) -> None:
    assert checker.page.evaluate("() => window.__cspViolations") == []
    assert checker.log.foreign_requests() == []
    assert not [e for e in checker.errors], checker.errors


# Paint one of the two stacked boxes in plain black text, hide the other: if the highlight layer is
# aligned, both pictures are the same pixels.
SOLO = """([mode, shift]) => {
  const d = document.getElementById('draft'), h = document.getElementById('highlights');
  d.blur();
  d.style.caretColor = 'transparent';
  if (mode === 'textarea') {
    d.style.color = '#000'; h.style.visibility = 'hidden';
  } else {
    d.style.color = 'transparent'; h.style.visibility = 'visible'; h.style.color = '#000';
    h.style.transform = shift ? 'translateX(' + shift + 'px)' : '';
    for (const m of h.querySelectorAll('mark')) {
      m.style.color = '#000'; m.style.background = 'none'; m.style.textDecoration = 'none'; m.style.boxShadow = 'none';
    }
  }
}"""
RESTORE = """() => {
  const d = document.getElementById('draft'), h = document.getElementById('highlights');
  for (const el of [d, h, ...h.querySelectorAll('mark')]) el.removeAttribute('style');
}"""
# Glyphs are positioned at sub-pixel offsets, and where a run is cut by a <mark> the rasteriser may
# pick a neighbouring sub-pixel phase (seen at device pixel ratios 1 and 1.5, never at 2): single
# anti-aliased edges differ while nothing moves.  So both pictures are compared as luminance
# blurred over 3x3 device pixels; a layer off by two CSS pixels still differs in hundreds of pixels.
PIXEL_DIFF = """async ([a, b]) => {
  const load = async (b64) => {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const {data, width, height} = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    const lum = new Float32Array(width * height);
    for (let i = 0; i < lum.length; i++) lum[i] = (data[4 * i] * 3 + data[4 * i + 1] * 6 + data[4 * i + 2]) / 10;
    const blurred = new Float32Array(width * height);
    for (let y = 1; y < height - 1; y++) for (let x = 1; x < width - 1; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += lum[(y + dy) * width + x + dx];
      blurred[y * width + x] = sum / 9;
    }
    return blurred;
  };
  const [x, y] = [await load(a), await load(b)];
  if (x.length !== y.length) return -1;
  let differing = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i] - y[i]) > 64) differing++;
  return differing;
}"""


def layer_misalignment(checker: CheckerPage, comparer, shift: float = 0) -> int:
    """Pixels that differ between the textarea's own text and the highlight layer's text."""
    page = checker.page
    page.evaluate(SOLO, ["textarea", 0])
    own = page.locator("#draft").screenshot()
    page.evaluate(SOLO, ["layer", shift])
    layer = page.locator("#draft").screenshot()
    page.evaluate(RESTORE)
    return comparer.evaluate(PIXEL_DIFF, [base64.b64encode(own).decode(), base64.b64encode(layer).decode()])


@pytest.fixture(scope="module")
def comparer(chromium):
    """A blank page (no CSP) that decodes and compares PNGs."""
    context = chromium.new_context()
    page = context.new_page()
    yield page
    context.close()


# --- 1. highlights --------------------------------------------------------------------------------


def test_marks_are_exactly_the_flagged_text_after_rtl_cjk_and_emoji(checker):
    checker.set_draft(MIXED_DRAFT)
    want = expected(MIXED_DRAFT)
    assert want, "the draft should have findings"
    found = checker.findings()
    assert [(f["rule"], f["text"]) for f in found] == want
    # The UTF-16 offsets the page puts on each finding slice the textarea's value exactly.
    assert [f["utf16"] for f in found] == [text for _, text in want]
    marks = [m for m in checker.marks() if not m["continued"]]
    assert [m["text"] for m in marks] == [text for _, text in want]
    # Severity has a second cue besides colour: a distinct underline style per severity.
    styles = checker.page.evaluate(
        "() => [...document.querySelectorAll('#highlights mark')].map(m => [m.dataset.severity, getComputedStyle(m).textDecorationStyle])"
    )
    by_severity = dict(styles)
    assert len(set(by_severity.values())) == len(by_severity), by_severity
    assert set(by_severity.values()) <= {"solid", "wavy", "dotted"}


def test_highlight_layer_stays_aligned_when_wrapping_scrolling_resizing_and_zooming(open_page, comparer, output):
    checker = open_page(output, viewport={"width": 360, "height": 800}, device_scale_factor=1.5)
    text = (MIXED_DRAFT + " ") * 3 + "\n" + "\n".join(f"Line {i} 你好 שלום 😀 mail {EMAIL}" for i in range(30))
    checker.set_draft(text)
    assert layer_misalignment(checker, comparer) == 0
    # The comparison is sensitive: a layer two CSS pixels off shows up.
    assert layer_misalignment(checker, comparer, shift=2) > 50
    # 138 CSS px = 207 device px: a whole device pixel, as wheel and keyboard scrolling give (a
    # half-device-pixel scrollTop is painted at different phases by the two boxes).
    checker.page.evaluate("() => { const d = document.getElementById('draft'); d.scrollTop = 138; }")
    checker.settle()
    assert layer_misalignment(checker, comparer) == 0
    checker.page.set_viewport_size({"width": 1280, "height": 900})  # resize: the lines re-wrap
    checker.page.evaluate("() => { const d = document.getElementById('draft'); d.style.height = '420px'; }")
    checker.settle()
    assert layer_misalignment(checker, comparer) == 0
    # Zoom: page zoom changes the CSS pixel size of everything at once.
    checker.page.evaluate("() => { document.body.style.zoom = '1.3'; }")
    checker.settle()
    assert layer_misalignment(checker, comparer) == 0
    assert_clean(checker)


# --- 2. every finding explains itself ----------------------------------------------------------------


def test_selecting_a_list_entry_selects_its_text_and_explains_it(checker):
    set_language(checker, "en")
    checker.set_draft(MIXED_DRAFT)
    findings = app.check(MIXED_DRAFT).to_dict()["findings"]
    reminders = {r["category"]: r for r in app.check(MIXED_DRAFT).reminders}
    last = len(findings) - 1
    # Keyboard: the entry is a button; focus it and press Enter.
    checker.page.focus(f'#findings li[data-finding="{last}"] .finding-select')
    checker.page.keyboard.press("Enter")
    checker.settle()
    selected = checker.page.evaluate(
        "() => { const d = document.getElementById('draft'); return d.value.slice(d.selectionStart, d.selectionEnd); }"
    )
    assert selected == findings[last]["text"]
    assert checker.page.evaluate("() => document.activeElement.id") == "draft"
    assert checker.page.is_visible("#finding-tip")
    tip = text_of(checker, "#finding-tip")
    finding = findings[last]
    for part in (finding["title"]["en"], finding["message"]["en"], finding["suggestion"]["en"],
                 reminders[finding["policy"]]["reminder"]["en"]):
        assert part in tip
    assert checker.page.evaluate(
        f"() => document.querySelector('#findings li[data-finding=\"{last}\"]').getAttribute('aria-current')"
    ) == "true"
    checker.page.keyboard.press("Escape")
    assert checker.page.is_hidden("#finding-tip")


def test_hovering_a_highlight_explains_it(checker):
    set_language(checker, "zh")
    checker.set_draft(MIXED_DRAFT)
    findings = app.check(MIXED_DRAFT).to_dict()["findings"]
    box = checker.page.evaluate(
        "() => { const r = document.querySelector('#highlights mark[data-finding=\"0\"]').getBoundingClientRect();"
        " return [r.left + r.width / 2, r.top + r.height / 2]; }"
    )
    checker.page.mouse.move(box[0] - 30, box[1] + 60)
    checker.page.mouse.move(*box)
    checker.settle()
    checker.settle()
    assert checker.page.is_visible("#finding-tip")
    tip = text_of(checker, "#finding-tip")
    assert findings[0]["title"]["zh"] in tip and findings[0]["message"]["zh"] in tip


# --- 3. verdict and policy reminder -----------------------------------------------------------------


def test_verdict_banner_counts_and_always_visible_policy_reminder(checker):
    set_language(checker, "zh")
    checker.set_draft(NEW_USER_DRAFT)
    counts = app.check(NEW_USER_DRAFT).to_dict()["counts"]
    assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") == "fix"
    banner = text_of(checker, "#verdict")
    assert ZH["verdict.fix"] in banner and ZH["verdict.counts"].format(**counts) in banner
    summary = text_of(checker, "#verdict-summary")
    assert summary == ZH["verdict.summary"].format(verdict=ZH["verdict.fix"], **counts)
    assert checker.page.evaluate("() => document.getElementById('verdict-summary').getAttribute('aria-live')") == "polite"
    policy = text_of(checker, "#policy")
    for key in ("policy.insults", "policy.contact_request", "policy.off_platform", "policy.review_incentive",
                "policy.consequence", "policy.source_code_of_conduct", "policy.source_communication"):
        assert ZH[key] in policy
    assert "72" in policy and checker.page.is_visible("#policy")
    checker.set_draft("Your order 114-3941689-8772232 has shipped. Reply here if you have any question.")
    assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") == "ok"
    assert ZH["verdict.ok"] in text_of(checker, "#verdict")


# --- 4. interface language ---------------------------------------------------------------------------


def test_language_switch_changes_everything_and_persists_across_reload(checker):
    set_language(checker, "zh")
    checker.set_draft(NEW_USER_DRAFT)
    assert text_of(checker, "h1") == ZH["app.title"]
    first = app.check(NEW_USER_DRAFT).to_dict()["findings"][0]
    assert first["title"]["zh"] in text_of(checker, "#findings")
    click(checker, "#lang-switch")
    assert checker.page.evaluate("() => document.documentElement.lang") == "en"
    assert text_of(checker, "h1") == EN["app.title"]
    assert first["title"]["en"] in text_of(checker, "#findings")
    assert EN["verdict.fix"] in text_of(checker, "#verdict")
    assert EN["policy.heading"] in text_of(checker, "#policy")
    assert checker.page.get_attribute("#draft", "placeholder") == EN["editor.placeholder"]
    assert storage(checker)["checker.lang"] == "en"
    reload(checker)
    assert checker.page.evaluate("() => document.documentElement.dataset.uiLang") == "en"
    assert text_of(checker, "h1") == EN["app.title"]
    click(checker, "#lang-switch")
    reload(checker)
    assert text_of(checker, "h1") == ZH["app.title"]
    assert checker.page.evaluate("() => document.documentElement.lang") == "zh-CN"


def test_interface_language_follows_the_browser_when_not_chosen(open_page, output):
    zh = open_page(output, locale="zh-CN")
    assert zh.page.evaluate("() => document.documentElement.dataset.uiLang") == "zh"
    assert text_of(zh, "#checker-status") == ZH["status.ready"]
    en = open_page(output, locale="en-GB")
    assert en.page.evaluate("() => document.documentElement.dataset.uiLang") == "en"
    assert text_of(en, "#checker-status") == EN["status.ready"]


# --- 5. fixes and undo -------------------------------------------------------------------------------


def test_a_fix_applies_exactly_rechecks_and_undoes(checker):
    set_language(checker, "en")
    checker.set_draft(FIXABLE_DRAFT)
    findings = app.check(FIXABLE_DRAFT).to_dict()["findings"]
    fixable = [i for i, f in enumerate(findings) if f["fix"] is not None]
    assert fixable, "the draft should have a finding with a fix"
    index = fixable[-1]
    finding = findings[index]
    fixed = FIXABLE_DRAFT[: finding["start"]] + finding["fix"] + FIXABLE_DRAFT[finding["end"]:]
    click(checker, f'#findings li[data-finding="{index}"] .finding-fix')
    assert draft(checker) == fixed
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(fixed)
    assert text_of(checker, "#action-status") == EN["findings.fix_applied"]
    # The emoji before the fixed span shifts UTF-16 offsets: fix the first one too, then undo twice.
    click(checker, '#findings li[data-finding="0"] .finding-fix')
    twice = draft(checker)
    assert "😀" not in twice and "https://" not in twice
    assert checker.findings() == [] and storage(checker)["checker.draft"] == twice
    click(checker, "#undo")
    assert draft(checker) == fixed
    click(checker, "#undo")
    assert draft(checker) == FIXABLE_DRAFT
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(FIXABLE_DRAFT)
    assert checker.page.is_disabled("#undo")


@pytest.mark.parametrize(
    "before, after, rules",
    [
        (WHATSAPP_DRAFT, WHATSAPP_FIXED, {"off-platform.messenger-app", "contact-details.phone"}),
        (STARS_DRAFT, STARS_FIXED, {"review-manipulation.incentive-for-review"}),
    ],
    ids=["whatsapp", "stars-for-refund"],
)
def test_a_phrase_fix_rewrites_the_request_rechecks_and_undoes(checker, before, after, rules):
    set_language(checker, "en")
    checker.set_draft(before)
    findings = app.check(before).to_dict()["findings"]
    assert rules <= {f["rule"] for f in findings}
    (index, finding) = next((i, f) for i, f in enumerate(findings) if f["rule"] in rules)
    phrase = before[finding["fix_start"]:finding["fix_end"]]
    button = f'#findings li[data-finding="{index}"] .finding-fix'
    assert EN["findings.fix_replace"].format(text=phrase, replacement=finding["fix"]) in text_of(checker, button)
    click(checker, button)
    assert draft(checker) == after
    shown = checker.findings()
    assert [(f["rule"], f["text"]) for f in shown] == expected(after)
    assert not rules & {f["rule"] for f in shown}
    assert text_of(checker, "#action-status") == EN["findings.fix_applied"]
    click(checker, "#undo")
    assert draft(checker) == before
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(before)


# --- 6. copy and character count ------------------------------------------------------------------------


def test_copy_gives_feedback_and_the_count_follows_the_draft(checker):
    set_language(checker, "zh")
    checker.set_draft(MIXED_DRAFT)
    assert text_of(checker, "#char-count") == ZH["editor.char_count"].format(n=len(MIXED_DRAFT))
    if checker.output == "site":
        checker.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=checker.url.rstrip("/"))
    click(checker, "#copy")
    assert text_of(checker, "#action-status") == ZH["editor.copied"]
    if checker.output == "site":
        assert checker.page.evaluate("() => navigator.clipboard.readText()") == MIXED_DRAFT
    assert checker.log.after_ready == [] or all(u.startswith(checker.log.allowed) for u in checker.log.after_ready)


# --- 7. templates --------------------------------------------------------------------------------------


def test_every_template_inserts_selects_its_first_placeholder_and_passes(checker):
    set_language(checker, "zh")
    open_panel(checker, "templates")
    checker.set_draft("something to keep")
    for template in templates.list_templates():
        checker.page.select_option("#template-case", template["case"])
        checker.page.select_option("#template-lang", template["language"])
        assert text_of(checker, "#template-preview") == template["text"]
        click(checker, "#template-insert")
        assert draft(checker) == template["text"], template["id"]
        assert checker.findings() == [], f"{template['id']}: the page flags a template"
        assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") == "ok"
        spans = templates.placeholder_spans(template["text"])
        if spans:
            selected = checker.page.evaluate(
                "() => { const d = document.getElementById('draft'); return d.value.slice(d.selectionStart, d.selectionEnd); }"
            )
            assert selected == "{" + spans[0][0] + "}", template["id"]
    # Inserting is undoable back to what was there before the first template.
    for _ in templates.list_templates():
        click(checker, "#undo")
    assert draft(checker) == "something to keep"


# --- 8. own terms ---------------------------------------------------------------------------------------


def test_own_terms_flag_persist_and_explain_invalid_entries(checker):
    set_language(checker, "zh")
    open_panel(checker, "own-terms")
    checker.page.fill("#term-input", "x")
    click(checker, "#term-add")
    error = text_of(checker, "#term-error")
    reason = validate_own_term("x")["zh"]
    assert error == ZH["terms.invalid"].format(reason=reason)
    checker.page.fill("#term-input", "sunny-gadgets")
    click(checker, "#term-add")
    assert text_of(checker, "#term-error") == ""
    assert "sunny-gadgets" in text_of(checker, "#terms-list")
    sent = "Visit sunny gadgets for more."
    checker.set_draft(sent)
    assert [(f["rule"], f["text"]) for f in checker.findings()] == [
        (f["rule"], f["text"]) for f in app.check(sent, own_terms=["sunny-gadgets"]).to_dict()["findings"]
    ]
    assert any(f["rule"] == "own-terms.custom" for f in checker.findings())
    checker.page.fill("#term-input", "SUNNY-GADGETS")
    click(checker, "#term-add")
    assert text_of(checker, "#term-error") == ZH["terms.invalid_duplicate"].format(term="SUNNY-GADGETS")
    reload(checker)
    assert "sunny-gadgets" in text_of(checker, "#terms-list")
    assert any(f["rule"] == "own-terms.custom" for f in checker.findings())
    open_panel(checker, "own-terms")
    click(checker, '#terms-list [data-action="remove-term"]')
    assert "checker.ownTerms" not in storage(checker)
    assert not any(f["rule"] == "own-terms.custom" for f in checker.findings())


# --- 9. draft kept until cleared; nothing else kept ------------------------------------------------------


def test_draft_survives_reload_until_cleared_and_nothing_else_is_kept(checker):
    checker.set_draft(NEW_USER_DRAFT)
    reload(checker)
    assert draft(checker) == NEW_USER_DRAFT
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(NEW_USER_DRAFT)
    assert set(storage(checker)) <= STORAGE_KEYS
    click(checker, "#clear")
    assert draft(checker) == "" and "checker.draft" not in storage(checker)
    click(checker, "#undo")  # a cleared draft can be brought back
    assert draft(checker) == NEW_USER_DRAFT
    click(checker, "#clear")
    reload(checker)
    assert draft(checker) == "" and checker.findings() == []
    assert set(storage(checker)) <= STORAGE_KEYS


# --- hostile drafts -------------------------------------------------------------------------------------


def test_hostile_draft_is_text_in_the_editor_list_and_tip(checker):
    hostile = MARKUP_DRAFT + f" add me on WhatsApp <img src=x onerror=window.__pwned=3> {EMAIL}"
    checker.set_draft(hostile)
    assert draft(checker) == hostile
    click(checker, "#findings .finding-select")
    checker.settle()
    assert checker.page.evaluate("() => window.__pwned") is None
    assert checker.page.evaluate(
        "() => document.querySelectorAll('#highlights img, #highlights script, #findings img, #finding-tip img, b').length"
    ) == 0
    assert "<img src=x" in text_of(checker, "#highlights")
    assert checker.page.evaluate("() => window.__cspViolations") == []


# --- 10/11. layout, dark mode, accessibility, screenshots; the new user's first minute --------------------


def run_axe(checker: CheckerPage) -> list[dict]:
    """axe-core in the page: evaluated over the DevTools protocol, so the page's CSP stays as shipped."""
    checker.page.evaluate(AXE.read_text("utf-8") + "\n;0")
    result = checker.page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_layout_contrast_and_accessibility(open_page, output, width, scheme):
    checker = open_page(output, viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-CN")
    checker.set_draft(NEW_USER_DRAFT + "\n" + FIXABLE_DRAFT)
    open_panel(checker, "templates")
    open_panel(checker, "own-terms")
    click(checker, '#findings li[data-finding="0"] .finding-select')
    checker.page.evaluate("() => window.scrollTo(0, 0)")
    widths = checker.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scrolling at {width}px: {widths}"
    if output == "single-file":
        SCREENSHOTS.mkdir(exist_ok=True)
        checker.page.screenshot(path=str(SCREENSHOTS / f"checker-{width}-{scheme}.png"), full_page=True)
    checker.page.keyboard.press("Escape")
    violations = run_axe(checker)
    assert violations == [], violations
    labelled = checker.page.evaluate(
        "() => [...document.querySelectorAll('#checker-view button, #checker-view select, #checker-view input, #checker-view textarea, header button')]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim()).map(el => el.outerHTML)"
    )
    assert labelled == []
    assert_clean(checker)


def test_new_user_at_360px_in_chinese_sees_understands_and_fixes_all_three(open_page, output):
    checker = open_page(output, viewport={"width": 360, "height": 740}, locale="zh-CN")
    checker.set_draft(NEW_USER_DRAFT)
    report = app.check(NEW_USER_DRAFT).to_dict()
    wanted = {"off-platform.messenger-app", "review-manipulation.incentive-for-review", "abusive.insult"}
    assert wanted <= {f["rule"] for f in report["findings"]}
    assert ZH["verdict.fix"] in text_of(checker, "#verdict")
    for index, finding in enumerate(report["findings"]):
        entry = f'#findings li[data-finding="{index}"]'
        for part in (".finding-select", ".message", ".suggestion"):
            assert checker.page.is_visible(f"{entry} {part}"), (finding["rule"], part)
        shown = text_of(checker, entry)
        assert finding["title"]["zh"] in shown and finding["message"]["zh"] in shown
        assert finding["suggestion"]["zh"] in shown and ZH["findings.instead"] in shown
    # The WhatsApp request and the review offer have one-click fixes: one click each, the draft is checked again.
    rewritten = NEW_USER_DRAFT
    for rule in ("off-platform.messenger-app", "review-manipulation.incentive-for-review"):
        (finding,) = [f for f in app.check(rewritten).to_dict()["findings"] if f["rule"] == rule]
        button = f'#findings li[data-rule="{rule}"] .finding-fix'
        phrase = rewritten[finding["fix_start"]:finding["fix_end"]]
        # The button names the whole phrase it replaces (shortened when long; its title has all of it).
        assert checker.page.get_attribute(button, "title") == ZH["findings.fix_replace"].format(
            text=phrase, replacement=finding["fix"])
        assert finding["fix"] in text_of(checker, button) and phrase[:20] in text_of(checker, button)
        checker.page.locator(button).scroll_into_view_if_needed()
        click(checker, button)
        rewritten = rewritten[: finding["fix_start"]] + finding["fix"] + rewritten[finding["fix_end"]:]
        assert draft(checker) == rewritten
        assert rule not in {f["rule"] for f in checker.findings()}
        assert text_of(checker, "#action-status") == ZH["findings.fix_applied"]
    assert rewritten == (
        "Hi, reply to this message here so we can talk. "
        "If you have a moment, you can share your experience on the order page. "
        "Honestly, you are an idiot if you cannot read the manual."
    )
    # The insult has no safe rewrite: they follow the suggested wording.
    rewritten = rewritten.replace("Honestly, you are an idiot if you cannot read the manual.",
                                  "Page 3 of the manual shows the setup step by step.")
    checker.set_draft(rewritten)
    assert len(checker.findings()) == len(app.check(rewritten).findings)
    assert checker.findings() == []
    assert ZH["verdict.ok"] in text_of(checker, "#verdict")
    assert checker.page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert_clean(checker)


@pytest.fixture(params=["single-file", "site"])
def output(request):
    return request.param
