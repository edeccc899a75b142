// What the two Firefox drivers (firefox_page.mjs, firefox_ux.mjs) share: waiting on the page, and a page
// that records its errors and every request, aborting any that is not the page itself, a URL under the
// allowed prefix (the hosted folder's origin), blob: or data:.
export const BOOT_TIMEOUT_MS = 90000;
export const CHECK_TIMEOUT_MS = 15000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(page, fn, arg, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// The checker's state once it has left "loading" ("ready" or "error").
export const leaveLoading = (page) =>
  waitFor(
    page,
    () => document.documentElement.dataset.checker !== "loading" && document.documentElement.dataset.checker,
    null,
    BOOT_TIMEOUT_MS,
    "the checker to leave 'loading'",
  );

// A new page of `browser` that pushes its errors to result.errors and foreign requests (aborted) to
// result.requests.foreign; `seen(url)` is told every request.
export async function guardedPage(browser, { url, allowedPrefix, result, seen = () => {} }) {
  const allowed = (u) =>
    u === url || (allowedPrefix && u.startsWith(allowedPrefix)) || u.startsWith("blob:") || u.startsWith("data:");
  const page = await browser.newPage();
  page.on("pageerror", (error) => result.errors.push(String(error && error.message ? error.message : error)));
  page.on("console", (message) => {
    if (message.type() === "error") result.errors.push(message.text());
  });
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const u = request.url();
    seen(u);
    if (allowed(u)) request.continue();
    else {
      result.requests.foreign.push(u);
      request.abort();
    }
  });
  return page;
}
