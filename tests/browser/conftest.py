"""Real-browser fixtures: one Chromium per session, the built outputs, a local server, a request log.

Chromium is Debian's binary driven by Playwright (``executable_path``; never ``playwright
install``).  Every request a page makes is logged; anything that is not the page's own file or
origin (or blob:/data:) is aborted, so a leak fails the test instead of reaching the network.
The page's CSP also blocks Playwright's ``wait_for_function``, hence the polling with ``evaluate``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import build  # noqa: E402 - needs ROOT on sys.path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
BOOT_TIMEOUT_S = 90
INSTALL_HINT = (
    "install Debian's browsers: `apt-get install -y chromium firefox-esr` (as root), "
    "or point CHROMIUM / FIREFOX at the binaries"
)


def find_browser(env: str, *names: str) -> str | None:
    explicit = os.environ.get(env)
    if explicit:
        return explicit
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = find_browser("CHROMIUM", "chromium", "chromium-browser")
FIREFOX = find_browser("FIREFOX", "firefox-esr", "firefox")


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """The built outputs: dist/ when it was built from the tree as it is, else a fresh build."""
    default = ROOT / "dist"
    stamp = default / build.INPUTS_STAMP
    if stamp.is_file() and stamp.read_text().strip() == build.input_digest(ROOT / "rules"):
        return default
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", str(out), "--no-docs"],
        capture_output=True, text=True, cwd=ROOT,
    )
    if result.returncode != 0:
        pytest.fail(f"build.py failed:\n{result.stdout}\n{result.stderr}")
    return out


@contextlib.contextmanager
def serving(folder: Path):
    """``folder`` on http://127.0.0.1 with the stock handler of `python -m http.server` (the hosted folder
    must work with it as is); yields the URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(dist):
    with serving(dist / "site") as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM:
        pytest.fail(f"no Chromium found — {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a browser that closes a connection mid-transfer (a page left while its 38 MB file loads) is no error of
        # the page's; the stock server prints a traceback into the test log for it (seen once in CI of a6f29f5)
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@dataclass
class RequestLog:
    """Every request of a page, split at the moment it became ready."""

    allowed: tuple[str, ...]  # URL prefixes the page may load
    before_ready: list[str] = field(default_factory=list)
    after_ready: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # aborted: not the page's own file/origin
    ready: bool = False

    def on_request(self, request) -> None:
        (self.after_ready if self.ready else self.before_ready).append(request.url)

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def foreign_requests(self) -> list[str]:
        seen = self.before_ready + self.after_ready
        return self.foreign + [url for url in seen if not url.startswith(self.allowed)]


@dataclass
class CheckerPage:
    output: str  # "single-file" | "site"
    url: str
    page: object
    log: RequestLog
    errors: list[str]

    def state(self) -> str:
        # Polled from the moment navigation commits, when the document may not exist yet: no element, no state.
        return self.page.evaluate("() => document.documentElement?.dataset.checker ?? null")

    def wait_until(self, script: str, timeout: float = 15, what: str = "") -> object:
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(script)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or script}")
            time.sleep(0.05)

    def checks_done(self) -> int:
        return self.page.evaluate("() => performance.getEntriesByName('checker:check').length")

    def settle(self) -> None:
        """Wait until every pending check has run: checks happen in the next animation frame."""
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def set_draft(self, text: str) -> None:
        """Replace the draft as a paste would (one input event) and wait for its check."""
        if self.page.input_value("#draft") == text:
            return  # no input event, hence no check, would follow
        before = self.checks_done()
        self.page.fill("#draft", text)
        self.wait_until(f"() => performance.getEntriesByName('checker:check').length > {before}", what="a check")
        self.settle()

    def marks(self) -> list[dict]:
        return self.page.evaluate(
            """() => [...document.querySelectorAll('#highlights mark')].map(m => ({
                text: m.textContent, rule: m.dataset.rule, category: m.dataset.category,
                severity: m.dataset.severity, finding: m.dataset.finding, continued: 'continued' in m.dataset}))"""
        )

    def findings(self) -> list[dict]:
        return self.page.evaluate(
            """() => {
                const draft = document.getElementById('draft').value;
                return [...document.getElementById('findings').children].map(li => ({
                    rule: li.dataset.rule, category: li.dataset.category, severity: li.dataset.severity,
                    text: li.querySelector('.quote') ? li.querySelector('.quote').textContent : null,
                    utf16: draft.slice(Number(li.dataset.utf16Start), Number(li.dataset.utf16End)),
                    shown: li.textContent}));
            }"""
        )


def open_checker(browser, output: str, url: str, allowed: tuple[str, ...], *, before_ready=None,
                 **context_options) -> CheckerPage:
    """A booted page in a new browser context (own storage; ``context_options`` such as locale, viewport,
    colour scheme or downloads), with every request, CSP refusal and error recorded."""
    context = browser.new_context(**context_options)
    # Injected by the driver, so the page's own CSP does not stop it: records every refusal.
    context.add_init_script(
        "window.__cspViolations = [];"
        "addEventListener('securitypolicyviolation', e => __cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI));"
    )
    log = RequestLog(allowed)
    context.route("**/*", log.route)
    page = context.new_page()
    errors: list[str] = []
    page.on("request", log.on_request)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(url, wait_until="commit")
    checker = CheckerPage(output, url, page, log, errors)
    if before_ready:
        before_ready(checker)
    wait_ready(checker)
    log.ready = True
    return checker


def wait_ready(checker: CheckerPage) -> None:
    """Poll (the CSP blocks wait_for_function) until the page is ready; fail with its own message if it
    reports an error or does not get there in time."""
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while True:
        state = checker.state()
        if state == "ready":
            return
        if state == "error" or time.monotonic() > deadline:
            status = checker.page.evaluate("() => document.getElementById('checker-status')?.textContent")
            raise AssertionError(f"{checker.output}: state {state} after boot: {status}; errors: {checker.errors}")
        time.sleep(0.05)


def outputs(dist: Path, site_url: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    single = (dist / "message-checker.html").resolve().as_uri()
    return {
        # The single file may load itself and what it builds in memory, nothing else.
        "single-file": (single, (single, "blob:", "data:")),
        "site": (site_url, (site_url, "blob:", "data:")),
    }


@pytest.fixture(scope="module", params=["single-file", "site"])
def checker(request, chromium, dist, site_url):
    """A booted checker page per output, shared by the tests of a module."""
    url, allowed = outputs(dist, site_url)[request.param]
    page = open_checker(chromium, request.param, url, allowed)
    yield page
    page.page.context.close()


@pytest.fixture
def open_page(chromium, dist, site_url):
    """Open a fresh page of one output (for tests that need their own boot)."""
    opened = []

    def opener(output: str, **kwargs) -> CheckerPage:
        url, allowed = outputs(dist, site_url)[output]
        page = open_checker(chromium, output, url, allowed, **kwargs)
        opened.append(page)
        return page

    yield opener
    for page in opened:
        page.page.context.close()
