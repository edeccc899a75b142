"""The browser layer: the textarea in, the rendered report out.

The only module of ``app`` that imports ``js``/``pyodide`` (it runs in PyScript only).  It holds
no logic worth testing on its own: checking is ``app.check``, the HTML is ``app.render``, the
texts are ``app.ui_text``.  The keystroke path is one Python call per ``input`` event (a flag
and a ``requestAnimationFrame``); the check and the three ``innerHTML`` writes happen at most once
per frame, so fast typing or a big paste never queues up checks.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import js
from pyodide.ffi import create_proxy, to_js

import app
from app import render
from app.ui_text import detect_ui_lang, ui_text


def _put_wheels_on_path() -> None:
    """build.py ships jinja2 and markupsafe as wheels next to the app; Python imports straight
    from a wheel (zipimport), so they cost nothing until a feature imports them."""
    for wheel in sorted(Path("wheels").glob("*.whl")):
        path = str(wheel.resolve())
        if path not in sys.path:
            sys.path.append(path)


class Page:
    def __init__(self) -> None:
        document = js.document
        self.root = document.documentElement
        self.draft = document.getElementById("draft")
        self.highlights = document.getElementById("highlights")
        self.findings = document.getElementById("findings")
        self.verdict = document.getElementById("verdict")
        self.status = document.getElementById("checker-status")
        self.lang = detect_ui_lang(list(js.navigator.languages or [js.navigator.language]))
        self.strings = ui_text(self.lang)
        self._frame_pending = False
        self._on_input = create_proxy(self.on_input)
        self._on_frame = create_proxy(self.on_frame)

    def check(self) -> None:
        """Check the draft as it is now and show the result (timed as ``checker:check``)."""
        started = js.performance.now()
        text = self.draft.value
        shown = render.render(text, app.check(text).to_dict(), self.lang, self.strings)
        self.highlights.innerHTML = shown.highlights
        # New content can reset the layer's scroll position; keep it on the textarea's.
        self.highlights.scrollTop = self.draft.scrollTop
        self.findings.innerHTML = shown.findings
        self.verdict.innerHTML = shown.verdict
        self.verdict.dataset.verdict = shown.verdict_key
        js.performance.measure("checker:check", to_js({"start": started}, dict_converter=js.Object.fromEntries))

    def on_input(self, _event) -> None:
        if not self._frame_pending:
            self._frame_pending = True
            js.requestAnimationFrame(self._on_frame)

    def on_frame(self, _timestamp) -> None:
        self._frame_pending = False
        try:
            self.check()
        except Exception as err:  # keep the page alive: the next keystroke checks again
            traceback.print_exc()
            self.status.className = "status error"
            self.status.textContent = self.strings["status.error_check"].format(error=f"{type(err).__name__}: {err}")
        else:
            if self.status.classList.contains("error"):
                self.show_ready()

    def show_ready(self) -> None:
        self.status.className = "status"
        self.status.textContent = self.strings["status.ready"]

    def start(self) -> None:
        # Whatever was typed or pasted while Python loaded is checked now, before "ready".
        self.check()
        self.draft.addEventListener("input", self._on_input)
        self.show_ready()
        self.root.dataset.checker = "ready"
        js.performance.mark("checker:ready")


_page: Page | None = None  # the live page; its proxies must outlive main()


def main() -> Page:
    global _page
    try:
        _put_wheels_on_path()
        _page = Page()
        _page.start()
        import app.page_appeal; app.page_appeal.install(_page)  # noqa: E702 - the appeal view (issue 5)
    except BaseException as err:
        js.checkerFailed(f"{type(err).__name__}: {err}")
        raise
    return _page
