"""The appeal view ("申诉助手 / Appeal (POA)") in Chromium: the issue 5 "Done when" scenario on the single file.

A seller in the Chinese interface was warned for offering a refund to remove a review. From the finding in the
checker they open the appeal helper, fill in the form, and get an English plan that names their order, the
message, the cause, what they changed and how they prevent it; the plan checker is silent; they copy it,
download it, reload (the form is kept), and clear it. What the page composes is compared with
``compose_plan`` run on CPython on the form the page stored: the same templates, so the same text.
"""

from __future__ import annotations

import json

import pytest

from app.appeal import check_plan, compose_plan, validate_form
from app.ui_text import ui_text

from .conftest import CheckerPage, open_checker, outputs, wait_ready

pytestmark = pytest.mark.browser

ZH = ui_text("zh")
EN = ui_text("en")
STORAGE_KEY = "message-checker.appeal-form.v1"
ORDER = "113-4567890-1234567"
DRAFT = ("Hello, we are sorry the blender arrived late. We will give you a full refund if you remove your "
         "1-star review. Best regards, Anna")

PROBE_PY = """\
import sys, js
js.document.body.dataset.appealProbe = repr(sorted(m for m in sys.modules
    if m.split(".")[0] in ("jinja2", "markupsafe") or m == "app.appeal" or m.startswith("app.appeal.")))
"""


def open_page(browser, output: str, url: str, allowed: tuple[str, ...], **context_options) -> CheckerPage:
    """conftest.open_checker with downloads accepted, plus context options (interface language, clipboard)."""
    return open_checker(browser, output, url, allowed, accept_downloads=True, **context_options)


def probe_modules(checker: CheckerPage) -> list[str]:
    page = checker.page
    page.evaluate("() => { delete document.body.dataset.appealProbe; }")
    page.evaluate(
        "(code) => { const s = document.createElement('script'); s.type = 'py'; s.textContent = code;"
        " document.body.append(s); }",
        PROBE_PY,
    )
    return eval(checker.wait_until("() => document.body.dataset.appealProbe", what="the Python probe"))  # noqa: S307


def loaded_at_start_up(checker: CheckerPage) -> list[str]:
    """What start-up made Python import of the appeal helper and jinja2.  The appeal package's pure
    modules come ready-made in the build's interpreter snapshot (no import work in the browser, so they
    are not counted); jinja2 must not be imported until the helper renders something."""
    assert checker.page.evaluate("() => performance.getEntriesByName('checker:snapshot').length") == 1
    return [m for m in probe_modules(checker) if m != "app.appeal" and not m.startswith("app.appeal.")]


def updates(checker: CheckerPage) -> int:
    return checker.page.evaluate("() => performance.getEntriesByName('appeal:update').length")


def wait_open(checker: CheckerPage) -> None:
    checker.wait_until("() => document.getElementById('appeal-view').dataset.appeal === 'open'", what="the view")


def wait_settled(checker: CheckerPage, before: int) -> None:
    """Wait for the update that follows the last input (it runs in the next animation frame)."""
    checker.wait_until(f"() => performance.getEntriesByName('appeal:update').length > {before}", what="an update")
    checker.settle()


def text_of(checker: CheckerPage, element_id: str) -> str:
    return checker.page.evaluate(f"() => document.getElementById('{element_id}').textContent")


def add(checker: CheckerPage, section: str, kind: str) -> None:
    checker.page.click(f'#appeal-view [data-action="add"][data-section="{section}"][data-kind="{kind}"]')


def fill_the_warning_scenario(checker: CheckerPage) -> None:
    """What the seller types after arriving from the finding (behaviours and message already prefilled)."""
    page = checker.page
    page.fill("#appeal-orders", ORDER)
    page.fill("#appeal-messages-0-order", ORDER)
    page.fill("#appeal-messages-0-date", "2024-05-02")

    add(checker, "causes", "untrained-staff")
    page.select_option("#appeal-causes-0-role", "customer-service-agent")
    page.fill("#appeal-causes-0-date", "2024-05-02")
    page.fill("#appeal-causes-0-details", "She did not know that a refund may never be tied to a review")

    add(checker, "actions", "remove-template")
    page.fill("#appeal-actions-0-name", "Negative review follow-up")
    page.fill("#appeal-actions-0-date", "2024-05-06")
    add(checker, "actions", "retrain-person")
    page.select_option("#appeal-actions-1-role", "customer-service-agent")
    page.fill("#appeal-actions-1-date", "2024-05-07")
    page.fill("#appeal-actions-1-topic", "Amazon Communication Guidelines and the Customer Product Reviews policy")
    page.select_option("#appeal-actions-1-trainer", "store-manager")

    add(checker, "measures", "pre-send-check")
    page.select_option("#appeal-measures-0-role", "customer-service-agent")
    page.fill("#appeal-measures-0-date", "2024-05-09")
    add(checker, "measures", "second-reviewer")
    page.select_option("#appeal-measures-1-role", "customer-service-lead")
    page.select_option("#appeal-measures-1-scope", "disputes")
    page.fill("#appeal-measures-1-date", "2024-05-09")
    add(checker, "measures", "training")
    page.fill("#appeal-measures-2-topic", "Amazon Communication Guidelines")
    page.select_option("#appeal-measures-2-role", "__own")  # a role not in the list, typed in English
    page.fill("#appeal-measures-2-role-own", "all three customer service agents")
    page.fill("#appeal-measures-2-date", "2024-06-03")
    page.select_option("#appeal-measures-2-frequency", "quarterly")


@pytest.fixture(scope="module")
def zh_single_file(chromium, dist, site_url):
    url, allowed = outputs(dist, site_url)["single-file"]
    checker = open_page(chromium, "single-file", url, allowed, locale="zh-CN")
    checker.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield checker
    checker.page.context.close()


def test_done_when_scenario_on_the_single_file_in_chinese(zh_single_file):
    checker = zh_single_file
    page = checker.page
    assert page.evaluate("() => document.documentElement.lang").startswith("zh")

    # Start-up pays neither for the appeal package nor for jinja2.
    assert loaded_at_start_up(checker) == []

    # From the finding: "I already got a warning for this".
    checker.set_draft(DRAFT)
    page.locator("#findings .finding-appeal").first.click()
    wait_open(checker)
    assert page.is_hidden("main") and page.is_visible("#appeal-view")
    assert text_of(checker, "appeal-title") == "申诉助手(POA)"
    assert "根本原因" in text_of(checker, "appeal-form")  # labels in the interface language
    loaded = probe_modules(checker)
    assert "app.appeal" in loaded and "jinja2" in loaded, loaded

    # Prefilled: the behaviour and the draft as the message, with the flagged words selected.
    assert page.is_checked('#appeal-view input[data-path="behaviours"][value="review-compensation"]')
    assert page.input_value("#appeal-messages-0-text") == DRAFT
    pressed = page.evaluate("() => [...document.querySelectorAll('.appeal-phrase[aria-pressed=\"true\"]')]"
                            ".map(b => b.dataset.phrase)")
    assert pressed and all(p in DRAFT for p in pressed) and any("review" in p for p in pressed), pressed

    # Order IDs are validated inline, in Chinese.
    before = updates(checker)
    page.fill("#appeal-orders", "113-456789-1234567")
    wait_settled(checker, before)
    error = page.evaluate("() => document.querySelector('[data-error-for=\"orders\"]').textContent")
    assert "113-456789-1234567" in error and "不是亚马逊订单号" in error, error

    before = updates(checker)
    fill_the_warning_scenario(checker)
    wait_settled(checker, before)
    checker.wait_until(f"() => document.getElementById('appeal-status').textContent === {json.dumps(ZH['appeal.complete'])}",
                       what="the form to be complete")
    assert page.evaluate("() => [...document.querySelectorAll('[data-error-for]')].every(e => e.hidden)")

    plan_en = page.evaluate("() => document.getElementById('appeal-plan-en').textContent")
    plan_zh = text_of(checker, "appeal-plan-zh")
    for fact in (ORDER, "2024-05-02", "2024-05-06", "2024-05-07", "2024-05-09", "2024-06-03",
                 "Negative review follow-up", "all three customer service agents", "customer service supervisor"):
        assert fact in plan_en, fact
    assert all(f"“{p}”" in plan_en for p in pressed)
    assert ORDER in plan_zh and "根本原因" in plan_zh
    # The plan checker is silent, in the page and on CPython.
    assert page.evaluate("() => document.getElementById('appeal-plan-check').dataset.count") == "0"
    assert text_of(checker, "appeal-check-summary") == ZH["appeal.check_ok"]
    assert check_plan(plan_en) == []

    # The form kept in this browser is the form on the page; CPython composes the same plan from it.
    stored = json.loads(page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')"))
    assert validate_form(stored) == []
    assert compose_plan(stored) == {"en": plan_en, "zh": plan_zh}

    # Copy: the clipboard holds exactly the English plan.
    page.click("#appeal-copy")
    checker.wait_until("() => document.getElementById('appeal-view').dataset.copied === '1'", what="the copy")
    assert page.evaluate("() => navigator.clipboard.readText()") == plan_en
    assert text_of(checker, "appeal-action-status") == ZH["appeal.copied"]

    # Download: a .txt made in the page (blob:), named after the order.
    with page.expect_download() as download_info:
        page.click("#appeal-download")
    download = download_info.value
    assert download.suggested_filename == f"plan-of-action-{ORDER}.txt"
    assert download.url.startswith("blob:")
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.read() == plan_en

    # Nothing went anywhere: since boot only blob: URLs (the download), no CSP refusal, no page error.
    assert all(url.startswith("blob:") for url in checker.log.after_ready), checker.log.after_ready
    assert checker.log.foreign_requests() == []
    assert page.evaluate("() => window.__cspViolations") == []
    # (errors of the checker's own layer, app/page.py, are its tests' business)
    assert not [e for e in checker.errors if "page_appeal" in e or "app/appeal" in e], checker.errors
    assert "appealError" not in page.evaluate("() => ({...document.getElementById('appeal-view').dataset})")

    # Back to the checker, with the draft as it was.
    page.click("#appeal-view [data-action='back']")
    assert page.is_visible("main") and page.is_hidden("#appeal-view")
    assert page.input_value("#draft") == DRAFT


def test_reload_keeps_the_form_and_clear_empties_it(zh_single_file):
    checker = zh_single_file
    page = checker.page
    stored = page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')")
    assert stored and ORDER in stored, "run after the scenario test: it fills the form"
    page.reload(wait_until="commit")
    wait_ready(checker)
    assert loaded_at_start_up(checker) == []  # the kept form does not make start-up load jinja2
    page.click("#open-appeal")
    wait_open(checker)
    checker.settle()
    assert page.input_value("#appeal-orders") == ORDER
    assert page.input_value("#appeal-causes-0-details") == "She did not know that a refund may never be tied to a review"
    assert page.input_value("#appeal-measures-2-role-own") == "all three customer service agents"
    assert ORDER in page.evaluate("() => document.getElementById('appeal-plan-en').textContent")

    # Clearing takes two clicks; the form and the stored copy are gone, also after a reload.
    page.click("#appeal-clear")
    assert page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')") is not None
    assert text_of(checker, "appeal-clear") == ZH["appeal.clear_confirm"]
    page.click("#appeal-clear")
    assert page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')") is None
    assert page.input_value("#appeal-orders") == ""
    assert page.evaluate("() => document.querySelectorAll('#appeal-form [data-entry]').length") == 0
    assert text_of(checker, "appeal-action-status") == ZH["appeal.cleared"]
    page.reload(wait_until="commit")
    wait_ready(checker)
    page.click("#open-appeal")
    wait_open(checker)
    assert page.input_value("#appeal-orders") == ""
    assert checker.log.foreign_requests() == []
    assert page.evaluate("() => window.__cspViolations") == []


def test_english_interface_on_the_hosted_folder(chromium, dist, site_url):
    url, allowed = outputs(dist, site_url)["site"]
    checker = open_page(chromium, "site", url, allowed, locale="en-US")
    page = checker.page
    try:
        page.click("#open-appeal")
        wait_open(checker)
        assert text_of(checker, "appeal-title") == "Appeal (Plan of Action)"
        assert "Root cause" in text_of(checker, "appeal-form")
        # appeal.css is shipped and applied
        assert page.evaluate("() => getComputedStyle(document.querySelector('.appeal-section')).borderTopStyle") == "solid"
        before = updates(checker)
        page.click('#appeal-view [data-action="add"][data-section="messages"]')
        page.fill("#appeal-messages-0-text", "Add me on WhatsApp +86 138 1234 5678 and I refund you")
        wait_settled(checker, before)
        phrases = page.evaluate("() => [...document.querySelectorAll('.appeal-phrase')].map(b => b.dataset.phrase)")
        assert any("WhatsApp" in p for p in phrases), phrases
        # checker findings for a plan without facts are listed with their hints
        assert int(page.evaluate("() => document.getElementById('appeal-plan-check').dataset.count")) > 0
        assert EN["appeal.hint"].strip() in text_of(checker, "appeal-plan-check")
        with page.expect_download() as download_info:
            page.click("#appeal-download")
        assert download_info.value.suggested_filename == "plan-of-action.txt"
        # Switching the interface language while the view is open re-renders it, the form kept.
        page.click("#lang-switch")
        checker.wait_until("() => document.getElementById('appeal-title').textContent === '申诉助手(POA)'",
                           what="the view in Chinese")
        assert "根本原因" in text_of(checker, "appeal-form")
        assert "WhatsApp" in page.input_value("#appeal-messages-0-text")
        assert all(u.startswith("blob:") for u in checker.log.after_ready), checker.log.after_ready
        assert checker.log.foreign_requests() == []
        assert page.evaluate("() => window.__cspViolations") == []
    finally:
        page.context.close()
