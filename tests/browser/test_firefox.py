"""The checker in Firefox ESR, driven over WebDriver BiDi by puppeteer-core: the single file opened
from disk and dist/site over http://127.0.0.1 (tests/browser/firefox_page.mjs does the driving;
the assertions are here)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

import app

from .conftest import FIREFOX, INSTALL_HINT, ROOT
from .drafts import EMAIL, EMOJI_DRAFT, MARKUP_DRAFT, ORDER_DRAFT, REVIEW_DRAFT, expected

pytestmark = pytest.mark.browser

LONG_DRAFT = "\n".join(f"Line {i}: a sentence long enough to wrap in the box 😀 {EMAIL}" for i in range(40))
DRAFTS = [EMOJI_DRAFT, REVIEW_DRAFT, ORDER_DRAFT, MARKUP_DRAFT, LONG_DRAFT, ""]


def node_for_firefox() -> str:
    """The node binary that runs the puppeteer-core drivers, or a failure that says what to install."""
    if not FIREFOX:
        pytest.fail(f"no Firefox found — {INSTALL_HINT}")
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH — install Node.js 20+ (the Firefox test runs puppeteer-core)")
    if not (ROOT / "node_modules" / "puppeteer-core").is_dir():
        pytest.fail("node_modules/puppeteer-core is missing — run `npm ci`")
    return node


def firefox_target(output: str, dist, site_url: str) -> tuple[str, str]:
    """(URL, allowed prefix) of an output: the single file from disk, or the hosted folder's origin."""
    if output == "single-file":
        return (dist / "message-checker.html").resolve().as_uri(), ""
    return site_url, site_url


@pytest.fixture(scope="module", params=["single-file", "site"])
def firefox_run(request, dist, site_url):
    node = node_for_firefox()
    url, allowed = firefox_target(request.param, dist, site_url)
    result = subprocess.run(
        [node, str(ROOT / "tests" / "browser" / "firefox_page.mjs"), FIREFOX, url, json.dumps(DRAFTS), allowed],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, f"firefox_page.mjs failed:\n{result.stderr}"
    run = json.loads(result.stdout)
    assert "failure" not in run, run.get("failure")
    return run


def seen(run: dict, draft: str) -> dict:
    return next(entry for entry in run["drafts"] if entry["draft"] == draft)


def test_boots_offline_in_firefox(firefox_run):
    assert firefox_run["state"] == "ready", firefox_run["status"]
    assert firefox_run["readyMark"] is not None
    requests = firefox_run["requests"]
    assert requests["foreign"] == []
    assert requests["afterReady"] == []
    own = firefox_run["url"]
    if own.startswith("file:"):
        assert all(u.startswith(("blob:", "data:")) or u == own for u in requests["beforeReady"])
        assert "connect-src 'none'" in firefox_run["csp"]
    else:
        assert all(u.startswith(("blob:", "data:", own)) for u in requests["beforeReady"])
        assert "connect-src 'self'" in firefox_run["csp"]
    assert not [e for e in firefox_run["errors"] if "Content-Security-Policy" in e or "Error" in e], firefox_run["errors"]


def test_findings_and_exact_marks_in_firefox(firefox_run):
    emoji = seen(firefox_run, EMOJI_DRAFT)
    assert [(f["rule"], f["text"]) for f in emoji["findings"]] == expected(EMOJI_DRAFT)
    texts = [m["text"] for m in emoji["marks"] if not m["continued"]]
    assert EMAIL in texts and "WhatsApp" in texts, texts
    assert all(f["utf16"] == f["text"] for f in emoji["findings"])

    review = seen(firefox_run, REVIEW_DRAFT)
    assert [(f["rule"], f["text"]) for f in review["findings"]] == expected(REVIEW_DRAFT)
    assert any("删除差评" in m["text"] for m in review["marks"]), review["marks"]

    order = seen(firefox_run, ORDER_DRAFT)
    assert order["findings"] == [] and order["marks"] == [] and order["verdict"] == "ok"
    assert app.check(ORDER_DRAFT).findings == ()


def test_markup_is_text_and_clearing_empties_the_list_in_firefox(firefox_run):
    markup = seen(firefox_run, MARKUP_DRAFT)
    assert markup["pwned"] is None
    assert markup["layerText"] == MARKUP_DRAFT
    cleared = seen(firefox_run, "")
    assert cleared["findings"] == [] and cleared["marks"] == [] and cleared["verdict"] == "empty"


def test_highlight_layer_wraps_like_the_textarea_in_firefox(firefox_run):
    draft_box, layer_box = seen(firefox_run, LONG_DRAFT)["layout"]
    assert draft_box == layer_box, f"textarea [scrollHeight, clientWidth] {draft_box} vs layer {layer_box}"


# --- the seller's main flows in Firefox (tests/browser/firefox_ux.mjs, one browser session per output) ------

from app import templates_library as templates  # noqa: E402
from app.ui_text import ui_text  # noqa: E402

from .test_ux import FIXABLE_DRAFT, MIXED_DRAFT, NEW_USER_DRAFT, STARS_DRAFT, WHATSAPP_DRAFT  # noqa: E402

ZH, EN = ui_text("zh"), ui_text("en")
FIX_DRAFTS = [WHATSAPP_DRAFT, STARS_DRAFT, FIXABLE_DRAFT]
TERM, TERM_DRAFT = "sunny-gadgets", "Visit sunny gadgets for more."
KEEP_DRAFT = "Your replacement ships today 😀 with DHL."
TEMPLATE = templates.list_templates()[0]


def fix_index(text: str) -> int:
    """The finding whose fix the Firefox run clicks: a phrase rewrite when there is one, else the last fix."""
    findings = app.check(text).to_dict()["findings"]
    phrase = [i for i, f in enumerate(findings) if f["fix"] is not None and (f["fix_start"], f["fix_end"]) != (f["start"], f["end"])]
    return (phrase or [i for i, f in enumerate(findings) if f["fix"] is not None])[0]


def applied(text: str, index: int) -> str:
    f = app.check(text).to_dict()["findings"][index]
    return text[: f["fix_start"]] + f["fix"] + text[f["fix_end"]:]


@pytest.fixture(scope="module", params=["single-file", "site"])
def firefox_ux(request, dist, site_url):
    node = node_for_firefox()
    url, allowed = firefox_target(request.param, dist, site_url)
    plan = {
        "mixed": MIXED_DRAFT,
        "fixes": [{"draft": d, "index": fix_index(d)} for d in FIX_DRAFTS],
        "template": {"case": TEMPLATE["case"], "lang": TEMPLATE["language"]},
        "term": TERM,
        "termDraft": TERM_DRAFT,
        "keep": KEEP_DRAFT,
        "narrow": NEW_USER_DRAFT,
    }
    result = subprocess.run(
        [node, str(ROOT / "tests" / "browser" / "firefox_ux.mjs"), FIREFOX, url, json.dumps(plan), allowed],
        capture_output=True, text=True, cwd=ROOT, timeout=420,
    )
    assert result.returncode == 0, f"firefox_ux.mjs failed:\n{result.stderr}"
    run = json.loads(result.stdout)
    assert "failure" not in run, run["failure"]
    assert run["requests"]["foreign"] == []
    assert not [e for e in run["errors"] if "Error" in e], run["errors"]
    return run["steps"]


def test_marks_and_list_selection_in_firefox(firefox_ux):
    want = expected(MIXED_DRAFT)
    marks = firefox_ux["marks"]
    assert [(f["rule"], f["text"]) for f in marks["findings"]] == want
    assert [f["utf16"] for f in marks["findings"]] == [text for _, text in want]
    assert [m["text"] for m in marks["marks"]] == [text for _, text in want]
    selected = firefox_ux["selected"]
    assert selected["selected"] == want[-1][1] and selected["active"] == "draft"
    assert selected["tipVisible"]


def test_fixes_apply_recheck_and_undo_in_firefox(firefox_ux):
    assert len(firefox_ux["fixes"]) == len(FIX_DRAFTS)
    for text, step in zip(FIX_DRAFTS, firefox_ux["fixes"]):
        index = fix_index(text)
        after = applied(text, index)
        assert step["before"]["draft"] == text
        assert step["fixed"]["draft"] == after, text
        assert [(f["rule"], f["text"]) for f in step["fixed"]["findings"]] == expected(after)
        assert step["undone"]["draft"] == text
        assert [(f["rule"], f["text"]) for f in step["undone"]["findings"]] == expected(text)
    whatsapp = firefox_ux["fixes"][0]
    assert not {"off-platform.messenger-app", "contact-details.phone"} & {f["rule"] for f in whatsapp["fixed"]["findings"]}
    assert "reply to this message here" in whatsapp["before"]["findings"][fix_index(WHATSAPP_DRAFT)]["fix"]


def test_language_switch_persists_across_reload_in_firefox(firefox_ux):
    before, switched, reloaded = (firefox_ux[k] for k in ("languageBefore", "languageSwitched", "languageReloaded"))
    assert switched["uiLang"] != before["uiLang"]
    strings = {"zh": ZH, "en": EN}
    assert switched["h1"] == strings[switched["uiLang"]]["app.title"]
    assert switched["storage"]["checker.lang"] == switched["uiLang"]
    assert reloaded["uiLang"] == switched["uiLang"] and reloaded["h1"] == switched["h1"]


def test_template_inserts_and_passes_in_firefox(firefox_ux):
    assert firefox_ux["templatePreview"] == TEMPLATE["text"]
    assert firefox_ux["template"]["draft"] == TEMPLATE["text"]
    assert firefox_ux["template"]["findings"] == [] and firefox_ux["template"]["verdict"] == "ok"


def test_own_terms_flag_and_persist_in_firefox(firefox_ux):
    want = [(f["rule"], f["text"]) for f in app.check(TERM_DRAFT, own_terms=[TERM]).to_dict()["findings"]]
    assert ("own-terms.custom", "sunny gadgets") in want
    assert TERM in firefox_ux["termsList"] and TERM in firefox_ux["termsListReloaded"]
    assert [(f["rule"], f["text"]) for f in firefox_ux["terms"]["findings"]] == want
    # After the reload the saved draft is back and the saved term still flags it.
    assert firefox_ux["termsReloaded"]["draft"] == TERM_DRAFT
    assert [(f["rule"], f["text"]) for f in firefox_ux["termsReloaded"]["findings"]] == want


def test_draft_survives_reload_and_clear_empties_it_in_firefox(firefox_ux):
    kept, cleared = firefox_ux["kept"], firefox_ux["cleared"]
    assert kept["draft"] == KEEP_DRAFT and kept["storage"]["checker.draft"] == KEEP_DRAFT
    assert [(f["rule"], f["text"]) for f in kept["findings"]] == expected(KEEP_DRAFT)
    assert cleared["draft"] == "" and "checker.draft" not in cleared["storage"]
    assert cleared["findings"] == [] and cleared["verdict"] == "empty"


def test_no_horizontal_scroll_at_360px_in_firefox(firefox_ux):
    narrow = firefox_ux["narrow"]
    assert narrow["innerWidth"] == 360
    assert narrow["scrollWidth"] <= 360
    assert [(f["rule"], f["text"]) for f in narrow["findings"]] == expected(NEW_USER_DRAFT)
