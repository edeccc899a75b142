// Drives Firefox ESR over WebDriver BiDi (puppeteer-core) through the checker page and prints
// what it saw as JSON; tests/browser/test_firefox.py makes the assertions.
//
//   node tests/browser/firefox_page.mjs <firefox binary> <page URL> <drafts as a JSON array> [<allowed prefix>]
//
// Every request is logged; anything but the page itself (or, for the hosted folder, URLs under
// the allowed prefix: its origin), blob: and data: is aborted.
import puppeteer from "puppeteer-core";
import { CHECK_TIMEOUT_MS, guardedPage, leaveLoading, waitFor } from "./firefox_driver.mjs";

const [executablePath, url, draftsJSON, allowedPrefix] = process.argv.slice(2);
const drafts = JSON.parse(draftsJSON);

const result = { url, requests: { beforeReady: [], afterReady: [], foreign: [] }, errors: [], drafts: [] };
let ready = false;
const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
try {
  result.browser = await browser.version();
  const page = await guardedPage(browser, {
    url, allowedPrefix, result,
    seen: (u) => (ready ? result.requests.afterReady : result.requests.beforeReady).push(u),
  });
  const started = Date.now();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const state = await leaveLoading(page);
  ready = true;
  result.state = state;
  result.bootWallMs = Date.now() - started;
  result.readyMark = await page.evaluate(() => {
    const mark = performance.getEntriesByName("checker:ready")[0];
    return mark ? mark.startTime : null;
  });
  result.status = await page.evaluate(() => document.getElementById("checker-status").textContent);
  result.csp = await page.evaluate(
    () => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content,
  );
  if (state === "ready") {
    for (const draft of drafts) {
      const before = await page.evaluate(() => performance.getEntriesByName("checker:check").length);
      await page.evaluate((text) => {
        const area = document.getElementById("draft");
        area.value = text;
        area.dispatchEvent(new Event("input", { bubbles: true })); // what a paste does
      }, draft);
      await waitFor(
        page,
        (n) => performance.getEntriesByName("checker:check").length > n,
        before,
        CHECK_TIMEOUT_MS,
        "a check",
      );
      result.drafts.push(
        await page.evaluate(() => {
          const draft = document.getElementById("draft").value;
          return {
            draft,
            marks: [...document.querySelectorAll("#highlights mark")].map((m) => ({
              text: m.textContent,
              rule: m.dataset.rule,
              continued: "continued" in m.dataset,
            })),
            findings: [...document.getElementById("findings").children].map((li) => ({
              rule: li.dataset.rule,
              category: li.dataset.category,
              severity: li.dataset.severity,
              text: li.querySelector(".quote").textContent,
              utf16: draft.slice(Number(li.dataset.utf16Start), Number(li.dataset.utf16End)),
            })),
            verdict: document.getElementById("verdict").dataset.verdict,
            // The layer must wrap exactly like the textarea, or the marks drift off their words.
            layout: ["draft", "highlights"].map((id) => {
              const el = document.getElementById(id);
              return [el.scrollHeight, el.clientWidth];
            }),
            layerText: document.getElementById("highlights").textContent,
            pwned: window.__pwned === undefined ? null : window.__pwned,
          };
        }),
      );
    }
  }
} catch (error) {
  result.failure = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
