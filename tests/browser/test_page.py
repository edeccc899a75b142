"""The checker page in Chromium, for both outputs: the single file over file:// and dist/site over
http://127.0.0.1.  Each module-scoped page boots once; the tests then type drafts into it.

What the browser shows is compared with the engine run on CPython (``app.check``): the page is
the same engine in Pyodide, so any difference is a bug of the page, the build or the runtime.
"""

from __future__ import annotations

import re

import pytest

from .drafts import EMAIL, EMOJI_DRAFT, MARKUP_DRAFT, ORDER_DRAFT, REVIEW_DRAFT, expected

pytestmark = pytest.mark.browser


def assert_no_csp_violation(checker) -> None:
    assert checker.page.evaluate("() => window.__cspViolations") == []


def assert_no_request_since_boot(checker) -> None:
    assert checker.log.after_ready == [], f"{checker.output}: requests after boot: {checker.log.after_ready}"
    assert checker.log.foreign_requests() == [], f"{checker.output}: foreign requests: {checker.log.foreign_requests()}"


def test_boots_to_ready_with_only_its_own_requests(checker):
    page = checker.page
    assert checker.state() == "ready"
    assert page.evaluate("() => performance.getEntriesByName('checker:ready').length") == 1
    # Python was restored from the build's interpreter snapshot, not started from scratch.
    assert page.evaluate("() => performance.getEntriesByName('checker:snapshot').length") == 1
    assert page.evaluate("() => performance.getEntriesByName('checker:no-snapshot').length") == 0
    # ... into the wasm module the loader compiled while the snapshot was inflated (not compiled again).
    assert page.evaluate("() => performance.getEntriesByName('checker:wasm-compiled-early').length") == 1
    # The start-up's steps are marked once each, in the order they happen (bench/boot.py's profile reads them).
    steps = page.evaluate("""() => ['checker:wasm-fetched', 'checker:snapshot-inflated', 'checker:wasm-instantiated',
                                    'checker:snapshot', 'checker:python', 'checker:ready']
                                   .map(n => performance.getEntriesByName(n).map(e => e.startTime))""")
    assert [len(times) for times in steps] == [1] * 6, steps
    fetched, inflated, instantiated, restored, started, ready = (times[0] for times in steps)
    assert fetched <= instantiated <= restored <= started <= ready and inflated <= restored
    assert checker.log.foreign_requests() == []
    if checker.output == "single-file":
        # Only the file itself, then the embedded modules as blob: URLs.
        assert checker.log.before_ready[0] == checker.url
        assert all(url.startswith("blob:") for url in checker.log.before_ready[1:]), checker.log.before_ready
    # Nothing on the console either: Python's warnings and tracebacks land there.
    assert checker.errors == [], checker.errors
    assert_no_csp_violation(checker)
    status = page.evaluate("() => document.getElementById('checker-status').textContent")
    assert status.strip(), "the status line should say the checker is ready"


def test_csp_meta_states_the_privacy_promise(checker):
    csp = checker.page.evaluate(
        "() => document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content"
    )
    directives = dict((d.split()[0], d.split()[1:]) for d in csp.split(";") if d.strip())
    if checker.output == "single-file":
        assert directives["connect-src"] == ["'none'"]
        assert directives["default-src"] == ["'none'"]
        assert "'self'" not in csp and "http" not in csp
    else:
        assert directives["connect-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert "http" not in csp and "*" not in csp


def test_says_in_both_languages_that_text_stays_on_this_computer(checker):
    text = checker.page.evaluate("() => document.getElementById('privacy').textContent")
    assert "只在这台电脑上检查" in text
    assert "this computer only" in text


def test_whatsapp_and_email_after_emoji_are_marked_exactly(checker):
    checker.set_draft(EMOJI_DRAFT)
    findings = checker.findings()
    marks = checker.marks()
    assert [(f["rule"], f["text"]) for f in findings] == expected(EMOJI_DRAFT)
    mark_texts = [m["text"] for m in marks if not m["continued"]]
    assert EMAIL in mark_texts, f"no mark over exactly {EMAIL!r}: {mark_texts}"
    assert "WhatsApp" in mark_texts, f"no mark over exactly 'WhatsApp': {mark_texts}"
    for f in findings:
        # UTF-16 offsets in the list select the same characters in the textarea, emoji or not.
        assert f["utf16"] == f["text"]
        assert f["rule"] and f["category"] and f["severity"] in ("block", "warn", "info")
    assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") in ("fix", "review")
    assert_no_request_since_boot(checker)


def test_offering_a_refund_for_removing_a_bad_review_is_marked(checker):
    checker.set_draft(REVIEW_DRAFT)
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(REVIEW_DRAFT)
    covering = [m for m in checker.marks() if "删除差评" in m["text"]]
    assert covering, f"no mark covers 删除差评: {checker.marks()}"
    assert all(m["text"] in REVIEW_DRAFT for m in covering)
    assert_no_request_since_boot(checker)


def test_amazon_order_number_is_not_flagged(checker):
    checker.set_draft(ORDER_DRAFT)
    assert checker.findings() == []
    assert checker.marks() == []
    assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") == "ok"
    assert_no_request_since_boot(checker)


def test_markup_in_the_draft_is_shown_as_text_and_never_runs(checker):
    checker.set_draft(MARKUP_DRAFT + f" {EMAIL}")
    page = checker.page
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.evaluate("() => document.querySelectorAll('#highlights *:not(mark):not(br), #findings img, #findings script, #findings b').length") == 0
    assert page.evaluate("() => document.getElementById('highlights').textContent") == MARKUP_DRAFT + f" {EMAIL}"
    checker.settle()
    assert page.evaluate("() => window.__pwned === undefined")
    assert_no_request_since_boot(checker)


def test_clearing_the_draft_clears_every_finding(checker):
    checker.set_draft(f"write to {EMAIL}")
    assert checker.findings()
    checker.set_draft("")
    assert checker.findings() == []
    assert checker.marks() == []
    assert checker.page.evaluate("() => document.getElementById('verdict').dataset.verdict") == "empty"
    assert_no_request_since_boot(checker)


def test_keystrokes_are_checked_and_coalesced(checker):
    checker.set_draft("")
    before = checker.checks_done()
    typed = f"mail {EMAIL}"
    checker.page.click("#draft")
    checker.page.keyboard.type(typed)
    checker.wait_until(f"() => performance.getEntriesByName('checker:check').length > {before}")
    checker.settle()
    checks = checker.checks_done() - before
    assert 1 <= checks <= len(typed)
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(typed)
    durations = checker.page.evaluate("() => performance.getEntriesByName('checker:check').map(e => e.duration)")
    assert all(d >= 0 for d in durations)
    # Each check is split into its engine and render parts (bench/boot.py's profile), both inside the check.
    parts = checker.page.evaluate("""() => ['checker:check', 'checker:check-engine', 'checker:check-render']
        .map(n => performance.getEntriesByName(n).map(e => [e.startTime, e.startTime + e.duration]))""")
    checks, engine, render = parts
    assert len(engine) == len(render) == len(checks) > 0
    for (c0, c1), (e0, e1), (r0, r1) in zip(checks, engine, render):
        assert abs(c0 - e0) < 0.01 and abs(e1 - r0) < 0.01 and e0 <= e1 and r0 <= r1 <= c1 + 0.01
    assert_no_request_since_boot(checker)


def test_a_match_into_the_sentence_being_typed_is_shown_once_typing_pauses(checker):
    """A keystroke's check leaves the sentence before the one typed to the next frame (app.check with
    settle=False): once typing pauses, the settling check shows what runs from one into the other."""
    checker.set_draft("")
    page = checker.page
    settles = page.evaluate("() => performance.getEntriesByName('checker:settle').length")
    typed = "Could you write a review of the lamp? In return, we'll send you a free spare part."
    page.click("#draft")
    page.keyboard.type(typed)
    checker.wait_until(f"() => performance.getEntriesByName('checker:settle').length > {settles}",
                       what="a settling check")
    checker.settle()
    found = [(f["rule"], f["text"]) for f in checker.findings()]
    assert found == expected(typed)
    assert any(r == "review-manipulation.incentive-for-review" and "? In return" in t for r, t in found), found
    assert_no_request_since_boot(checker)


def test_highlight_layer_wraps_and_scrolls_with_the_textarea(checker):
    page = checker.page
    long_draft = "\n".join(f"Line {i}: a fairly long sentence that wraps in a narrow box, mail {EMAIL} 😀" for i in range(60))
    checker.set_draft(long_draft)
    same = page.evaluate(
        """() => {
            const a = getComputedStyle(document.getElementById('draft'));
            const b = getComputedStyle(document.getElementById('highlights'));
            const props = ['font-family', 'font-size', 'line-height', 'letter-spacing', 'padding-top',
                'padding-left', 'padding-right', 'border-top-width', 'border-left-width', 'white-space',
                'overflow-wrap', 'word-break', 'tab-size', 'box-sizing'];
            return props.filter(p => a.getPropertyValue(p) !== b.getPropertyValue(p));
        }"""
    )
    assert same == [], f"textarea and highlight layer differ in {same}"
    heights = page.evaluate(
        "() => [document.getElementById('draft').scrollHeight, document.getElementById('highlights').scrollHeight,"
        " document.getElementById('draft').clientWidth, document.getElementById('highlights').clientWidth]"
    )
    assert heights[0] == heights[1], f"the two boxes wrap differently: scrollHeight {heights[:2]}"
    assert heights[2] == heights[3], f"different text widths: {heights[2:]}"
    page.evaluate("() => { const d = document.getElementById('draft'); d.scrollTop = 400; }")
    checker.settle()
    tops = page.evaluate("() => [document.getElementById('draft').scrollTop, document.getElementById('highlights').scrollTop]")
    assert tops[0] > 0 and tops[0] == tops[1], tops
    checker.set_draft("")


SCROLL_TOPS = "() => [document.getElementById('draft').scrollTop, document.getElementById('highlights').scrollTop]"


def test_highlight_layer_keeps_up_with_new_last_lines_and_a_long_paste(checker):
    """The textarea scrolls as soon as a key adds a last line, before the check puts that line in the
    layer: the layer cannot follow then, and must catch up once the check has drawn it. The same when a
    long paste empties the layer while it is checked in steps."""
    page = checker.page
    checker.set_draft("\n".join(f"Line {i}: mail {EMAIL}" for i in range(40)))
    page.evaluate("() => { const d = document.getElementById('draft'); d.focus();"
                  " d.setSelectionRange(d.value.length, d.value.length); d.scrollTop = d.scrollHeight; }")
    checker.settle()
    start = page.evaluate(SCROLL_TOPS)
    assert start[0] > 0 and start[0] == start[1], start
    for line in ("one more line", "and another", "and the last"):
        page.keyboard.press("Enter")
        page.keyboard.type(line)
        checker.wait_until(f"() => document.getElementById('highlights').textContent.endsWith({line!r})", what="the typed line")
        checker.settle()
        tops = page.evaluate(SCROLL_TOPS)
        assert tops[0] > start[0] and tops[0] == tops[1], (line, tops)
    long_draft = "\n".join(f"Row {i}: write to {EMAIL} for the manual" for i in range(400))
    assert len(long_draft) > 8_000  # app/page.py LONG_DRAFT: checked in steps, layer emptied meanwhile
    long_checks = page.evaluate("() => performance.getEntriesByName('checker:long-check').length")
    page.evaluate("""(text) => { const d = document.getElementById('draft'); d.focus(); d.value = text;
                      d.setSelectionRange(text.length, text.length); d.scrollTop = d.scrollHeight;
                      d.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'})); }""",
                  long_draft)
    checker.wait_until(f"() => performance.getEntriesByName('checker:long-check').length > {long_checks}",
                       timeout=60, what="the long paste's report")
    checker.settle()
    tops = page.evaluate(SCROLL_TOPS)
    assert tops[0] > start[0] and tops[0] == tops[1], tops
    checker.set_draft("")


PROBE_PY = """\
import sys, js
before = sorted(m for m in sys.modules if m.split(".")[0] in ("jinja2", "markupsafe"))
import jinja2, markupsafe
js.document.body.dataset.probe = repr((before, jinja2.__file__.startswith("/home/pyodide/wheels/"),
    hasattr(markupsafe, "_speedups"), jinja2.Environment(autoescape=True).from_string("{{ x }}").render(x="<b>")))
"""


def test_jinja2_is_shipped_but_imported_only_when_needed(checker):
    # PyScript runs a <script type="py"> added later in the page's interpreter, after the checker.
    checker.page.evaluate(
        "(code) => { const s = document.createElement('script'); s.type = 'py'; s.textContent = code;"
        " document.body.append(s); }",
        PROBE_PY,
    )
    probe = checker.wait_until("() => document.body.dataset.probe", what="the Python probe")
    assert probe == repr(([], True, False, "&lt;b&gt;"))


def test_no_request_and_no_csp_refusal_at_all_after_boot(checker):
    assert_no_request_since_boot(checker)
    assert_no_csp_violation(checker)


@pytest.mark.parametrize("output", ["single-file", "site"])
def test_typing_before_python_is_ready_is_checked_once_ready(open_page, output):
    typed_while_loading = {}

    def type_early(checker):
        checker.wait_until("() => !!document.getElementById('draft')", what="the textarea")
        typed_while_loading["state"] = checker.state()
        checker.page.fill("#draft", f"please write to {EMAIL}")

    checker = open_page(output, before_ready=type_early)
    assert typed_while_loading["state"] == "loading"
    assert any(m["text"] == EMAIL for m in checker.marks())
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(f"please write to {EMAIL}")


def test_a_runtime_file_that_fails_to_load_gives_a_visible_specific_error(chromium, site_url):
    context = chromium.new_context()
    context.route(re.compile(r".*pyodide\.asm\.wasm$"), lambda route: route.abort())
    page = context.new_page()
    page.goto(site_url)
    for _ in range(600):
        state = page.evaluate("() => document.documentElement.dataset.checker")
        if state != "loading":
            break
        page.wait_for_timeout(100)
    message = page.evaluate("() => document.getElementById('checker-status').textContent")
    visible = page.is_visible("#checker-status")
    context.close()
    assert state == "error"
    assert visible
    assert "could not start" in message and "pyodide.asm.wasm" in message, message


def test_without_its_snapshot_the_site_still_boots_and_checks(chromium, dist, tmp_path):
    """A host that drops the big snapshot file (or a browser that cannot restore it) costs start-up
    time, not the checker: Pyodide starts from scratch and the page works the same."""
    import shutil

    from .conftest import open_checker, serving

    site = tmp_path / "site"
    shutil.copytree(dist / "site", site)
    (site / "pyodide" / "checker.snapshot.gz").unlink()
    with serving(site) as url:
        checker = open_checker(chromium, "site", url, (url, "blob:", "data:"))
        try:
            page = checker.page
            assert page.evaluate("() => performance.getEntriesByName('checker:no-snapshot').length") == 1
            assert page.evaluate("() => performance.getEntriesByName('checker:snapshot').length") == 0
            # The wasm compiled early is used on this path too (its compile is not wasted).
            assert page.evaluate("() => performance.getEntriesByName('checker:wasm-compiled-early').length") == 1
            checker.set_draft(EMOJI_DRAFT)
            assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(EMOJI_DRAFT)
            # The 404 of the snapshot (preload and loader) is the only error the console may report.
            assert all("status of 404" in e for e in checker.errors), checker.errors
            assert any(u.endswith("/pyodide/checker.snapshot.gz") for u in checker.log.before_ready)
        finally:
            checker.page.context.close()


def _long_paste() -> str:
    """~30,000 characters of corpus messages in every language, flagged and clean ones."""
    import json
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    texts = [json.loads(line)["text"] for path in sorted(corpus.glob("*.jsonl"))
             for line in path.read_text("utf-8").splitlines() if line.strip()]
    out, i = [], 0
    while sum(len(t) + 2 for t in out) < 30_000:
        out.append(texts[(i * 37) % len(texts)])
        i += 1
    return "\n\n".join(out)


def test_a_long_paste_is_checked_in_steps_and_typing_during_it_is_kept(checker):
    """A paste of 30,000 characters is checked a frame-sized step at a time (the page stays responsive),
    then shown at once; a character typed while it is being checked is part of the result."""
    page = checker.page
    checker.set_draft("")
    text = _long_paste()
    long_checks = page.evaluate("() => performance.getEntriesByName('checker:long-check').length")
    page.fill("#draft", text)
    page.keyboard.press("Control+End")  # the caret to the end, as after a paste
    page.keyboard.type("!")
    checker.wait_until(f"() => performance.getEntriesByName('checker:long-check').length > {long_checks}",
                       timeout=60, what="the long paste's check")
    checker.settle()
    final = text + "!"
    assert page.input_value("#draft") == final
    assert [(f["rule"], f["text"]) for f in checker.findings()] == expected(final)
    assert all(f["utf16"] == f["text"] for f in checker.findings())
    marks = [m["text"] for m in checker.marks() if not m["continued"]]
    assert len(marks) >= len({(f["text"]) for f in checker.findings()}) > 10
    assert page.evaluate("() => document.getElementById('findings').classList.contains('stale')") is False
    assert page.evaluate("() => document.getElementById('checker-status').className") == "status"  # not busy
