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


@pytest.fixture(scope="module", params=["single-file", "site"])
def firefox_run(request, dist, site_url):
    if not FIREFOX:
        pytest.fail(f"no Firefox found — {INSTALL_HINT}")
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH — install Node.js 20+ (the Firefox test runs puppeteer-core)")
    if not (ROOT / "node_modules" / "puppeteer-core").is_dir():
        pytest.fail("node_modules/puppeteer-core is missing — run `npm ci`")
    if request.param == "single-file":
        url, allowed = (dist / "message-checker.html").resolve().as_uri(), ""
    else:
        url, allowed = site_url, site_url
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
