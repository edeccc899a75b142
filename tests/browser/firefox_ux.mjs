// The seller's main flows in Firefox ESR over WebDriver BiDi (puppeteer-core), in ONE browser session:
// exact marks, selecting a list entry, a one-click fix with re-check and Undo, the interface language
// switch across a reload, a template, own terms across a reload, the draft across a reload and Clear,
// and 360 px without horizontal scroll. Prints what it saw as JSON; tests/browser/test_firefox.py asserts.
//
//   node tests/browser/firefox_ux.mjs <firefox binary> <page URL> <plan as JSON> [<allowed prefix>]
//
// The plan: {mixed, fixes: [{draft, index}], template: {case, lang}, term, termDraft, keep, narrow}.
// Requests other than the page itself, URLs under the allowed prefix, blob: and data: are aborted and listed.
import puppeteer from "puppeteer-core";
import { CHECK_TIMEOUT_MS, guardedPage, leaveLoading, waitFor } from "./firefox_driver.mjs";

const [executablePath, url, planJSON, allowedPrefix] = process.argv.slice(2);
const plan = JSON.parse(planJSON);

const checks = (page) => page.evaluate(() => performance.getEntriesByName("checker:check").length);

// Two animation frames: whatever check an event scheduled has run and rendered.
const settle = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// Run an action that causes a check, wait for that check and for any it scheduled.
async function checked(page, action, what) {
  const before = await checks(page);
  await action();
  await waitFor(page, (n) => performance.getEntriesByName("checker:check").length > n, before, CHECK_TIMEOUT_MS, what);
  await settle(page);
}

async function bootWait(page) {
  const state = await leaveLoading(page);
  if (state !== "ready") {
    const status = await page.evaluate(() => document.getElementById("checker-status").textContent);
    throw new Error(`the checker did not become ready: ${state}: ${status}`);
  }
}

async function reload(page) {
  await page.reload({ waitUntil: "domcontentloaded" });
  await bootWait(page);
}

const setDraft = (page, text) =>
  checked(
    page,
    () =>
      page.evaluate((t) => {
        const area = document.getElementById("draft");
        area.value = t;
        area.dispatchEvent(new Event("input", { bubbles: true })); // what a paste does
      }, text),
    "a check of the draft",
  );

// A click as the page's delegated handler sees it (document listener on [data-action]).
const clickOn = (page, selector) =>
  page.evaluate((s) => {
    const el = document.querySelector(s);
    if (!el) throw new Error(`nothing matches ${s}`);
    el.click();
  }, selector);

const seen = (page) =>
  page.evaluate(() => {
    const area = document.getElementById("draft");
    const draft = area.value;
    return {
      draft,
      marks: [...document.querySelectorAll("#highlights mark")]
        .filter((m) => !("continued" in m.dataset))
        .map((m) => ({ text: m.textContent, rule: m.dataset.rule })),
      findings: [...document.getElementById("findings").children].map((li) => ({
        rule: li.dataset.rule,
        text: li.querySelector(".quote") ? li.querySelector(".quote").textContent : null,
        utf16: draft.slice(Number(li.dataset.utf16Start), Number(li.dataset.utf16End)),
        fix: li.querySelector(".finding-fix") ? li.querySelector(".finding-fix .fix-what").textContent : null,
      })),
      verdict: document.getElementById("verdict").dataset.verdict,
      selected: draft.slice(area.selectionStart, area.selectionEnd),
      active: document.activeElement ? document.activeElement.id : null,
      tipVisible: !document.getElementById("finding-tip").hidden,
      tip: document.getElementById("finding-tip").textContent,
      uiLang: document.documentElement.dataset.uiLang,
      h1: document.querySelector("h1").textContent,
      status: document.getElementById("action-status").textContent,
      storage: { ...localStorage },
      undoDisabled: document.getElementById("undo").disabled,
    };
  });

const result = { url, requests: { foreign: [] }, errors: [], steps: {} };
const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
try {
  result.browser = await browser.version();
  const page = await guardedPage(browser, { url, allowedPrefix, result });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await bootWait(page);
  const steps = result.steps;

  // The interface language: switch, then it survives a reload.
  steps.languageBefore = await seen(page);
  await checked(page, () => clickOn(page, "#lang-switch"), "the check after switching language");
  steps.languageSwitched = await seen(page);
  await reload(page);
  steps.languageReloaded = await seen(page);

  // Marks after right-to-left text, CJK and emoji; then the last list entry selects its text.
  await setDraft(page, plan.mixed);
  steps.marks = await seen(page);
  const last = steps.marks.findings.length - 1;
  await clickOn(page, `#findings li[data-finding="${last}"] .finding-select`);
  await settle(page);
  steps.selected = await seen(page);

  // One-click fixes: applied, checked again, and Undo restores the draft exactly.
  steps.fixes = [];
  for (const { draft, index } of plan.fixes) {
    await setDraft(page, draft);
    const before = await seen(page);
    await checked(page, () => clickOn(page, `#findings li[data-finding="${index}"] .finding-fix`), "the check after a fix");
    const fixed = await seen(page);
    await checked(page, () => clickOn(page, "#undo"), "the check after Undo");
    const undone = await seen(page);
    steps.fixes.push({ before, fixed, undone });
  }

  // A template: chosen, inserted, and it passes.
  await page.evaluate(({ case: c, lang }) => {
    document.getElementById("templates").open = true;
    for (const [id, value] of [["template-case", c], ["template-lang", lang]]) {
      const select = document.getElementById(id);
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }, plan.template);
  steps.templatePreview = await page.evaluate(() => document.getElementById("template-preview").textContent);
  await checked(page, () => clickOn(page, "#template-insert"), "the check after inserting a template");
  steps.template = await seen(page);

  // Own terms: added, flagged, and still there (and flagging) after a reload.
  await page.evaluate((term) => {
    document.getElementById("own-terms").open = true;
    document.getElementById("term-input").value = term;
  }, plan.term);
  await checked(page, () => clickOn(page, "#term-add"), "the check after adding a term");
  steps.termsList = await page.evaluate(() => document.getElementById("terms-list").textContent);
  await setDraft(page, plan.termDraft);
  steps.terms = await seen(page);
  await reload(page);
  steps.termsReloaded = await seen(page);
  steps.termsListReloaded = await page.evaluate(() => document.getElementById("terms-list").textContent);

  // The draft survives a reload; Clear empties it (and storage).
  await setDraft(page, plan.keep);
  await reload(page);
  steps.kept = await seen(page);
  await checked(page, () => clickOn(page, "#clear"), "the check after Clear");
  steps.cleared = await seen(page);

  // 360 px wide: no horizontal scroll, with a long draft and its findings.
  await page.setViewport({ width: 360, height: 740 });
  await setDraft(page, plan.narrow);
  steps.narrow = await seen(page);
  steps.narrow.scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  steps.narrow.innerWidth = await page.evaluate(() => window.innerWidth);
} catch (error) {
  result.failure = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
