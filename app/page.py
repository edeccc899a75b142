"""The browser layer: the textarea in, the rendered report out, plus the seller's tools around it.

The only module of ``app`` that imports ``js``/``pyodide`` (it runs in PyScript only).  Checking is
``app.check``, the HTML is ``app.render`` (pure, tested on CPython), the texts are ``app.ui_text``.

Keystroke path: one Python call per ``input`` event (a flag and a ``requestAnimationFrame``); the
check, the ``innerHTML`` writes and saving the draft happen at most once per frame, so fast typing
or a big paste never queues up checks.  Caret moves and mouse moves over the editor share that
same frame (they only set a flag), so hovering a highlight costs one hit test per frame.

Offsets: the engine counts code points, the DOM UTF-16 code units.  Every finding in ``#findings``
carries its UTF-16 offsets (``data-utf16-start``/``-end``) and this module converts with
``render.utf16_offsets`` whenever it selects or replaces text in the textarea.

What the page keeps in ``localStorage`` (this browser only, never sent anywhere) — nothing else:
    ``checker.draft``     the draft, so it survives a reload; removed by the Clear button;
    ``checker.lang``      the interface language chosen with the switch ("zh" or "en");
    ``checker.ownTerms``  the seller's own terms to flag, a JSON list of strings.
"""

from __future__ import annotations

import gc
import json
import sys
import traceback
from pathlib import Path

import js
from pyodide.ffi import create_proxy

import app
from app import render
from app import templates_library as templates
from app.engine import prepare as prepare_pieces
from app.engine import validate_own_term
from app.ui_text import detect_ui_lang, normalize_ui_lang, ui_text

DRAFT_KEY = "checker.draft"
LANG_KEY = "checker.lang"
TERMS_KEY = "checker.ownTerms"
MAX_TERMS = 50
UNDO_DEPTH = 50
# A change of at least LONG_CHANGE characters (a big paste) in a draft of at least LONG_DRAFT is checked in
# steps of about STEP_CHARS characters, as many per frame as fit in STEP_BUDGET_MS, then reported at once:
# typing stays fluid while a long text is checked (engine.prepare fills the cache check() then reads).
LONG_DRAFT = 8_000
LONG_CHANGE = 4_000
STEP_CHARS = 1_500
STEP_BUDGET_MS = 12.0
# A typed draft is written to localStorage at most this often (and when the page is hidden or left):
# a write costs about a third of a millisecond, too much for every keystroke.
DRAFT_SAVE_MS = 300
# Keys that move the caret without an input event: the caret's finding is explained after them.
CARET_KEYS = frozenset(
    {"ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"}
)


def _put_wheels_on_path() -> None:
    """build.py ships jinja2 and markupsafe as wheels next to the app; Python imports straight
    from a wheel (zipimport), so they cost nothing until a feature imports them."""
    for wheel in sorted(Path("wheels").glob("*.whl")):
        path = str(wheel.resolve())
        if path not in sys.path:
            sys.path.append(path)


class Storage:
    """localStorage that never breaks the page: a browser that refuses storage just forgets."""

    def __init__(self) -> None:
        try:
            self.store = js.window.localStorage
            self.store.getItem(DRAFT_KEY)
        except Exception:
            self.store = None

    @property
    def available(self) -> bool:
        return self.store is not None

    def get(self, key: str) -> str | None:
        if self.store is None:
            return None
        try:
            value = _value(self.store.getItem(key))
        except Exception:
            return None
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        if self.store is not None:
            try:
                self.store.setItem(key, value)
            except Exception:  # quota or privacy mode: the page keeps working without it
                pass

    def remove(self, key: str) -> None:
        if self.store is not None:
            try:
                self.store.removeItem(key)
            except Exception:
                pass


def _by_id(name: str):
    return js.document.getElementById(name)


def _value(obj):
    """A JS value as Python sees it, with JS ``null``/``undefined`` as None (Pyodide gives ``jsnull``)."""
    return None if obj is None or type(obj).__name__ in ("JsNull", "JsUndefined") else obj


class Page:
    def __init__(self) -> None:
        document = js.document
        self.root = document.documentElement
        self.draft = _by_id("draft")
        self.highlights = _by_id("highlights")
        self.findings = _by_id("findings")
        self.verdict = _by_id("verdict")
        self.summary = _by_id("verdict-summary")
        self.status = _by_id("checker-status")
        self.action_status = _by_id("action-status")
        self.char_count = _by_id("char-count")
        self.undo_button = _by_id("undo")
        self.tip = _by_id("finding-tip")
        self.tip_body = _by_id("finding-tip-body")
        self.storage = Storage()
        stored_lang = self.storage.get(LANG_KEY)
        try:
            self.lang = normalize_ui_lang(stored_lang) if stored_lang else None
        except ValueError:
            self.lang = None
        if self.lang is None:
            self.lang = detect_ui_lang(list(js.navigator.languages or [js.navigator.language]))
        self.strings = ui_text(self.lang)
        self.terms: list[str] = self._load_terms()
        self.undo_stack: list[tuple[str, int, int]] = []
        self.text = ""
        self.report = None  # the last app.check result, for the text in self.text
        self.report_dict: dict = {"findings": []}
        self.reminders: dict[str, object] = {}
        self.tip_finding: int | None = None
        self.last_summary = ""
        self._shown: tuple[str, str, str] = ("", "", "")  # (highlights, findings, verdict) HTML on the page
        self._tip_open = False  # mirrors ``not self.tip.hidden`` (reading it back costs a call into JS)
        self._unsaved: str | None = None  # a typed draft not yet written to localStorage
        self._save_timer = None
        self._measure = js.Object.new()  # the options of performance.measure, reused
        self._frame_pending = False
        self._input_pending = False
        self._settle_pending = False  # the last typed check left a piece to check again (see check)
        self._long: list | None = None  # [text, next offset, started at]: a long paste being checked in steps
        self._caret_pending = False
        self._mouse: tuple[float, float] | None = None
        self._proxies = {
            "input": create_proxy(self.on_input),
            "frame": create_proxy(self.on_frame),
            "click": create_proxy(self.on_click),
            "keyup": create_proxy(self.on_keyup),
            "mouseup": create_proxy(self.on_mouseup),
            "mousemove": create_proxy(self.on_mousemove),
            "mouseleave": create_proxy(self.on_mouseleave),
            "keydown": create_proxy(self.on_keydown),
            "submit": create_proxy(self.on_terms_submit),
            "template": create_proxy(self.on_template_change),
            "resize": create_proxy(self.on_resize),
            "preload": create_proxy(self.preload_rewrites),
            "save": create_proxy(self.flush_draft),
        }

    # --- storage ---------------------------------------------------------------------------------

    def _load_terms(self) -> list[str]:
        raw = self.storage.get(TERMS_KEY)
        if not raw:
            return []
        try:
            terms = json.loads(raw)
        except ValueError:
            return []
        if not isinstance(terms, list):
            return []
        return [t for t in terms if isinstance(t, str) and validate_own_term(t) is None][:MAX_TERMS]

    def _save_terms(self) -> None:
        if self.terms:
            self.storage.set(TERMS_KEY, json.dumps(self.terms, ensure_ascii=False))
        else:
            self.storage.remove(TERMS_KEY)

    def _save_draft(self, text: str) -> None:
        self._unsaved = None
        if text:
            self.storage.set(DRAFT_KEY, text)
        else:
            self.storage.remove(DRAFT_KEY)

    def _save_draft_soon(self, text: str) -> None:
        """Keep a typed draft: written within DRAFT_SAVE_MS, or at once when the page is hidden or left."""
        self._unsaved = text
        if self._save_timer is None:
            self._save_timer = js.setTimeout(self._proxies["save"], DRAFT_SAVE_MS)

    def flush_draft(self, *_args) -> None:
        self._save_timer = None
        if self._unsaved is not None:
            self._save_draft(self._unsaved)

    # --- checking --------------------------------------------------------------------------------

    def check(self, text: str | None = None, typed: bool = False, settling: bool = False) -> None:
        """Check the draft as it is now and show the result (timed as ``checker:check``).

        A keystroke's check touches the page as little as it can (each call into the DOM costs, and
        reading layout back forces the browser to lay the page out in the middle of the frame): only
        the parts whose HTML changed are replaced, and a typed draft is saved a moment later
        (``typed``: the check comes from typing; any other change is saved at once).

        A typed check checks again only the piece that changed (``app.check(settle=False)``): the piece
        before it, whose following text changed, is shown from its last check, and checked again in the
        next frame unless another key comes first (``settling``: that check, timed as ``checker:settle``).
        Half the work of a keystroke waits for a pause in typing."""
        started = js.performance.now()
        if text is None:  # the caller may already hold the draft: it is copied out of the page once
            text = str(self.draft.value)
        name = "checker:settle" if settling else "checker:check"
        self._settle_pending = False  # (stays so if the check fails: the next keystroke checks again)
        report = app.check(text, own_terms=tuple(self.terms), settle=not typed or settling)
        self._settle_pending = not report.settled
        self.text, self.report = text, report
        self.report_dict = report.to_dict()
        self.reminders = {str(r["category"]): r for r in report.reminders}
        # Where a check's time goes (bench/boot.py reports the split): the engine and its report, the HTML,
        # and (the rest of checker:check) the writes into the page.
        engine_done = js.performance.now()
        self._measure_since(name + "-engine", started, engine_done)
        shown = render.render(text, self.report_dict, self.lang, self.strings, self.reminders)
        self._measure_since(name + "-render", engine_done)
        highlights, findings, verdict = self._shown
        if shown.highlights != highlights:
            self.highlights.innerHTML = shown.highlights
        if self.highlights.hasAttribute("data-behind"):
            # The textarea scrolled further than the layer's old content reached (a new last line, a
            # paste): web/boot.js marks that. Now that the content is there, follow it (this reads
            # layout back, so only when needed).
            self.highlights.removeAttribute("data-behind")
            self.highlights.scrollTop = self.draft.scrollTop
        if shown.findings != findings:
            self.findings.innerHTML = shown.findings
            settling = False  # what the open explanation card showed may have changed: close it below
        if shown.verdict != verdict:
            self.verdict.innerHTML = shown.verdict
            self.verdict.dataset.verdict = shown.verdict_key
        self._shown = (shown.highlights, shown.findings, shown.verdict)
        if shown.summary != self.last_summary:  # announce changes of the verdict, not every keystroke
            self.last_summary = shown.summary
            self.summary.textContent = shown.summary
        self.char_count.textContent = self.strings["editor.char_count"].format(n=len(text))
        if typed:
            self._save_draft_soon(text)
        else:
            self._save_draft(text)
        if not settling:  # a settling check that changed nothing leaves a card opened meanwhile alone
            self.hide_tip()
        self._measure_since(name, started)

    def _measure_since(self, name: str, started: float, ended: float | None = None) -> None:
        """``performance.measure(name)`` from ``started`` to ``ended`` or now (the options object is reused)."""
        self._measure.start = started
        self._measure.end = js.performance.now() if ended is None else ended
        js.performance.measure(name, self._measure)

    def safe_check(self, text: str | None = None, typed: bool = False, settling: bool = False) -> None:
        try:
            self.check(text, typed, settling)
        except Exception as err:  # keep the page alive: the next keystroke checks again
            traceback.print_exc()
            self.status.className = "status error"
            self.status.textContent = self.strings["status.error_check"].format(error=f"{type(err).__name__}: {err}")
        else:
            if self.status.classList.contains("error"):
                self.show_ready()

    def _request_frame(self) -> None:
        if not self._frame_pending:
            self._frame_pending = True
            js.requestAnimationFrame(self._proxies["frame"])

    def on_input(self, _event) -> None:
        self._input_pending = True
        self._request_frame()

    def on_frame(self, _timestamp) -> None:
        self._frame_pending = False
        if self._input_pending:
            self._input_pending = False
            self._caret_pending = False  # typing: the card would cover what is being typed
            text = str(self.draft.value)
            if self._long is not None:  # typed while a long paste is being checked: go on with the new text
                old, pos, started = self._long
                self._long = [text, min(pos, _common_prefix(old, text)), started]
                self._long_check_step()
            else:
                start = self._long_change(text)
                if start is None:
                    self.safe_check(text, typed=True)
                else:
                    self._begin_long_check(text, start)
        elif self._long is not None:
            self._long_check_step()
        elif self._settle_pending:
            self.safe_check(typed=True, settling=True)
        if self._settle_pending and self._long is None:
            self._request_frame()
        if self._caret_pending:
            self._caret_pending = False
            self.explain_at_caret()
        if self._mouse is not None:
            x, y = self._mouse
            self._mouse = None
            self.explain_at_point(x, y)

    # --- a long paste, checked in steps ----------------------------------------------------------------

    def _long_change(self, text: str) -> int | None:
        """Where a change of at least LONG_CHANGE characters starts in a long draft, else None."""
        if len(text) < LONG_DRAFT:
            return None
        old = self.text
        prefix = _common_prefix(old, text)
        suffix = _common_prefix(old[prefix:][::-1], text[prefix:][::-1])
        return prefix if len(text) - prefix - suffix >= LONG_CHANGE else None

    def _begin_long_check(self, text: str, start: int) -> None:
        self._long = [text, start, js.performance.now()]
        # The old marks and list belong to the old text: hide them until the new report is shown.
        self.highlights.innerHTML = ""
        self._shown = ("", *self._shown[1:])
        self.findings.setAttribute("aria-busy", "true")
        self.findings.classList.add("stale")
        self._long_check_step()

    def _long_check_step(self) -> None:
        text, pos, started = self._long
        step_started = js.performance.now()
        deadline = step_started + STEP_BUDGET_MS
        try:
            while pos < len(text):
                pos = prepare_pieces(text, start=pos, chars=STEP_CHARS, own_terms=tuple(self.terms))
                if js.performance.now() >= deadline:
                    break
        except Exception:
            traceback.print_exc()
            pos = len(text)  # the full check below reports the error in the status line
        self._measure_since("checker:long-step", step_started)  # the engine's share of a long check
        if pos < len(text):
            self._long[1] = pos
            self.status.className = "status busy"
            self.status.textContent = self.strings["status.checking_long"].format(percent=pos * 100 // len(text))
            self._request_frame()
            return
        self._long = None
        self.findings.removeAttribute("aria-busy")
        self.findings.classList.remove("stale")
        self.show_ready()
        self.safe_check()
        self._measure_since("checker:long-check", started)

    # --- explaining a finding in place --------------------------------------------------------------

    def _finding_units(self, index: int) -> tuple[int, int]:
        finding = self.report_dict["findings"][index]
        units = render.utf16_offsets(self.text, (finding["start"], finding["end"]))
        return units[finding["start"]], units[finding["end"]]

    def _marks(self, index: int):
        return self.highlights.querySelectorAll(f'mark[data-finding="{index}"]')

    def show_tip(self, index: int) -> None:
        """The card under the finding's highlight: title, message, policy reminder, wording, fix."""
        findings = self.report_dict["findings"]
        if not 0 <= index < len(findings):
            self.hide_tip()
            return
        marks = self._marks(index)
        if marks.length == 0:
            self.hide_tip()
            return
        if self.tip_finding != index or not self._tip_open:
            self.tip_body.innerHTML = render.tip_html(
                self.text, findings[index], index, self.lang, self.strings, self.reminders
            )
            self.tip.dataset.severity = str(findings[index]["severity"])
            self.tip.dataset.finding = str(index)
        self.tip_finding = index
        for mark in self.highlights.querySelectorAll("mark[data-active]"):
            mark.removeAttribute("data-active")
        for item in self.findings.querySelectorAll("li[aria-current]"):
            item.removeAttribute("aria-current")
        for i in range(marks.length):
            marks.item(i).setAttribute("data-active", "")
        item = _value(self.findings.querySelector(f'li[data-finding="{index}"]'))
        if item is not None:
            item.setAttribute("aria-current", "true")
        self.tip.hidden = False
        self._tip_open = True
        self.place_tip(marks.item(marks.length - 1))

    def place_tip(self, mark) -> None:
        """Put the card right under the mark's last line, inside the editor box (CSSOM, CSP-safe)."""
        box = self.tip.parentElement.getBoundingClientRect()
        rects = mark.getClientRects()
        rect = rects.item(rects.length - 1) if rects.length else mark.getBoundingClientRect()
        draft_box = self.draft.getBoundingClientRect()
        bottom = min(max(rect.bottom, draft_box.top), draft_box.bottom)
        width = self.tip.offsetWidth
        left = max(0, min(rect.left - box.left, box.width - width))
        self.tip.style.top = f"{bottom - box.top + 2:.0f}px"
        self.tip.style.left = f"{left:.0f}px"

    def hide_tip(self) -> None:
        if self.tip_finding is None and not self._tip_open:
            return  # nothing shown, no mark active (show_tip is the only one that marks them)
        if self._tip_open:
            self.tip.hidden = True
            self._tip_open = False
        self.tip_finding = None
        for mark in self.highlights.querySelectorAll("mark[data-active]"):
            mark.removeAttribute("data-active")

    def finding_at_units(self, start: int, end: int) -> int | None:
        """The innermost finding that holds the caret (touching counts) or the whole selection."""
        best: tuple[int, int] | None = None
        for item in self.findings.children:
            s, e = int(item.dataset.utf16Start), int(item.dataset.utf16End)
            if s <= start and end <= e and (best is None or e - s < best[1]):
                best = (int(item.dataset.finding), e - s)
        return None if best is None else best[0]

    def explain_at_caret(self) -> None:
        index = self.finding_at_units(int(self.draft.selectionStart), int(self.draft.selectionEnd))
        if index is None:
            self.hide_tip()
        else:
            self.show_tip(index)

    def explain_at_point(self, x: float, y: float) -> None:
        hit = None
        for mark in self.highlights.querySelectorAll("mark"):
            rects = mark.getClientRects()
            for i in range(rects.length):
                r = rects.item(i)
                if r.left <= x <= r.right and r.top <= y <= r.bottom:
                    hit = int(mark.dataset.finding)  # later marks are nested inside earlier ones
        if hit is not None:
            self.show_tip(hit)
        elif self.tip_finding is not None and js.document.activeElement != self.draft:
            self.hide_tip()

    def on_keyup(self, event) -> None:
        if str(event.key) in CARET_KEYS:
            self._caret_pending = True
            self._request_frame()

    def on_mouseup(self, _event) -> None:
        self._caret_pending = True
        self._request_frame()

    def on_mousemove(self, event) -> None:
        if self.report_dict["findings"]:
            self._mouse = (float(event.clientX), float(event.clientY))
            self._request_frame()

    def on_mouseleave(self, event) -> None:
        related = _value(event.relatedTarget)
        if related is not None and self.tip.contains(related):
            return
        if js.document.activeElement != self.draft:
            self.hide_tip()

    def on_keydown(self, event) -> None:
        if str(event.key) == "Escape" and self._tip_open:
            self.hide_tip()
            self.draft.focus()

    def on_resize(self, _event) -> None:
        self.highlights.scrollTop = self.draft.scrollTop
        if self.tip_finding is not None:
            self.show_tip(self.tip_finding)

    # --- actions ---------------------------------------------------------------------------------

    def announce(self, key: str, **values) -> None:
        self.action_status.textContent = self.strings[key].format(**values)

    def push_undo(self) -> None:
        self.undo_stack.append((str(self.draft.value), int(self.draft.selectionStart), int(self.draft.selectionEnd)))
        del self.undo_stack[:-UNDO_DEPTH]
        self.undo_button.disabled = False

    def replace_draft(self, text: str, select: tuple[int, int] | None = None) -> None:
        """Put ``text`` in the editor and check it now; ``select`` is a UTF-16 range to select."""
        self.draft.value = text
        if select is not None:
            self.draft.focus()
            self.draft.setSelectionRange(select[0], select[1])
        self._input_pending = False
        self.safe_check()

    def select_finding(self, index: int) -> None:
        start, end = self._finding_units(index)
        self.draft.focus()
        self.draft.setSelectionRange(start, end)
        marks = self._marks(index)
        if marks.length:
            # Bring the selection into the textarea's view; the layer follows its scroll event.
            mark = marks.item(0)
            top = mark.offsetTop
            if top < self.draft.scrollTop or top > self.draft.scrollTop + self.draft.clientHeight - 40:
                self.draft.scrollTop = max(0, top - self.draft.clientHeight / 3)
                self.highlights.scrollTop = self.draft.scrollTop
        self.show_tip(index)

    def apply_fix(self, index: int) -> None:
        """Replace the fix's range (``fix_start``/``fix_end``: the finding, or the whole phrase a rewrite
        covers) with its replacement, check again, and keep the old draft for Undo."""
        findings = self.report_dict["findings"]
        if not 0 <= index < len(findings) or findings[index].get("fix") is None:
            return
        finding = findings[index]
        text = self.text
        if str(self.draft.value) != text:  # a keystroke not yet checked: check first, then retry
            self.safe_check()
            return
        replacement = str(finding["fix"])
        fix_start, fix_end = render.fix_range(finding)
        expected = text[:fix_start] + replacement + text[fix_end:]
        units = render.utf16_offsets(text, (fix_start, fix_end))
        start, end = units[fix_start], units[fix_end]
        self.push_undo()
        self.draft.focus()
        self.draft.setSelectionRange(start, end)
        # execCommand keeps the browser's own undo (Ctrl+Z) working; our Undo button covers the rest.
        try:
            if replacement:
                js.document.execCommand("insertText", False, replacement)
            else:
                js.document.execCommand("delete", False, None)
        except Exception:
            pass
        if str(self.draft.value) != expected:
            self.draft.value = expected
        caret = start + sum(2 if ord(ch) > 0xFFFF else 1 for ch in replacement)  # UTF-16 units, no codec needed
        self.draft.setSelectionRange(caret, caret)
        self._input_pending = False
        self.safe_check()
        self.announce("findings.fix_applied")

    def undo(self) -> None:
        if not self.undo_stack:
            self.announce("findings.nothing_to_undo")
            return
        text, start, end = self.undo_stack.pop()
        self.replace_draft(text, (start, end))
        self.undo_button.disabled = not self.undo_stack
        self.announce("findings.undone")

    def copy(self) -> None:
        text = str(self.draft.value)
        start, end = int(self.draft.selectionStart), int(self.draft.selectionEnd)
        self.draft.focus()
        self.draft.select()
        copied = False
        try:
            copied = bool(js.document.execCommand("copy"))
        except Exception:
            copied = False
        self.draft.setSelectionRange(start, end)
        if not copied and _value(getattr(js.navigator, "clipboard", None)) is not None:
            try:
                js.navigator.clipboard.writeText(text)
                copied = True
            except Exception:
                copied = False
        self.announce("editor.copied" if copied else "editor.copy_failed")
        button = _by_id("copy")
        button.dataset.copied = "true" if copied else "false"

    def clear(self) -> None:
        if str(self.draft.value):
            self.push_undo()
        self.replace_draft("", (0, 0))
        self.storage.remove(DRAFT_KEY)
        self.announce("editor.cleared")

    # --- interface language ----------------------------------------------------------------------

    def switch_language(self) -> None:
        self.set_language("en" if self.lang == "zh" else "zh")
        self.storage.set(LANG_KEY, self.lang)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.strings = ui_text(lang)
        self.apply_language()
        self.last_summary = ""
        self.safe_check()

    def apply_language(self) -> None:
        """Every static text of the page from ui_strings (``data-i18n`` / ``data-i18n-attr``)."""
        strings = self.strings
        self.root.lang = "zh-CN" if self.lang == "zh" else "en"
        self.root.dataset.uiLang = self.lang
        js.document.title = f'{strings["app.title"]} · {strings["app.tagline"]}'
        for el in js.document.querySelectorAll("[data-i18n]"):
            el.textContent = strings[str(el.dataset.i18n)]
        for el in js.document.querySelectorAll("[data-i18n-attr]"):
            for pair in str(el.dataset.i18nAttr).split(","):
                attr, _, key = pair.partition("=")
                el.setAttribute(attr.strip(), strings[key.strip()])
        switch = _by_id("lang-switch")
        switch.lang = "en" if self.lang == "zh" else "zh-CN"
        self.action_status.textContent = ""
        self.render_terms()
        self.render_template_choices()

    # --- own terms -------------------------------------------------------------------------------

    def render_terms(self) -> None:
        _by_id("terms-list").innerHTML = render.terms_html(self.terms, self.strings)
        count = _by_id("terms-count")
        count.textContent = f"({len(self.terms)})" if self.terms else ""

    def on_terms_submit(self, event) -> None:
        event.preventDefault()
        field = _by_id("term-input")
        error = _by_id("term-error")
        term = str(field.value).strip()
        reason = validate_own_term(term)
        if reason is not None:
            message = self.strings["terms.invalid"].format(reason=reason[self.lang])
        elif any(term.casefold() == t.casefold() for t in self.terms):
            message = self.strings["terms.invalid_duplicate"].format(term=term)
        elif len(self.terms) >= MAX_TERMS:
            message = self.strings["terms.invalid_too_many"].format(max=MAX_TERMS)
        else:
            message = ""
        if message:
            error.textContent = message
            field.setAttribute("aria-invalid", "true")
            return
        error.textContent = ""
        field.removeAttribute("aria-invalid")
        field.value = ""
        self.terms.append(term)
        self._save_terms()
        self.render_terms()
        self.announce("terms.added", term=term)
        self.safe_check()

    def remove_term(self, index: int) -> None:
        if 0 <= index < len(self.terms):
            term = self.terms.pop(index)
            self._save_terms()
            self.render_terms()
            self.announce("terms.removed", term=term)
            self.safe_check()

    # --- templates -------------------------------------------------------------------------------

    def render_template_choices(self) -> None:
        case_select, lang_select = _by_id("template-case"), _by_id("template-lang")
        case = str(_value(case_select.value) or "") or templates.list_cases()[0]["id"]
        language = str(_value(lang_select.value) or "") or "en"
        case_select.innerHTML = render.options_html(
            ((c["id"], c["title"][self.lang]) for c in templates.list_cases()), case
        )
        lang_select.innerHTML = render.options_html(
            ((code, self.strings[f"lang.name.{code}"]) for code in templates.TEMPLATE_LANGUAGES), language
        )
        self.on_template_change(None)

    def selected_template(self) -> dict:
        case = str(_by_id("template-case").value)
        language = str(_by_id("template-lang").value)
        return templates.get_template(f"{case}.{language}")

    def on_template_change(self, _event) -> None:
        template = self.selected_template()
        case = next(c for c in templates.list_cases() if c["id"] == template["case"])
        when = case["when"][self.lang]
        kind = self.strings["templates.proactive" if case["proactive"] else "templates.reply"]
        note = f" {self.strings['templates.zh_reference']}" if template["language"] == "zh" else ""
        _by_id("template-when").textContent = f"{kind} · {when}{note}"
        _by_id("template-preview").textContent = template["text"]

    def insert_template(self) -> None:
        text = self.selected_template()["text"]
        if str(self.draft.value):
            self.push_undo()
        spans = templates.placeholder_spans(text)
        select = None
        if spans:
            _, start, end = spans[0]
            units = render.utf16_offsets(text, (start, end))
            select = (units[start], units[end])
        self.replace_draft(text, select or (0, 0))
        self.draft.scrollTop = 0
        self.announce("templates.inserted")

    # --- wiring ----------------------------------------------------------------------------------

    def on_click(self, event) -> None:
        target = event.target
        button = _value(target.closest("[data-action]")) if hasattr(target, "closest") else None
        if button is None or _value(button.closest("#appeal-view")) is not None:
            return  # the appeal view (app/page_appeal.py) handles its own actions
        action = str(button.dataset.action)
        try:
            if action == "select":
                self.select_finding(int(button.dataset.finding))
            elif action == "fix":
                self.apply_fix(int(button.dataset.finding))
            elif action == "undo":
                self.undo()
            elif action == "copy":
                self.copy()
            elif action == "clear":
                self.clear()
            elif action == "lang":
                self.switch_language()
            elif action == "remove-term":
                self.remove_term(int(button.dataset.term))
            elif action == "insert-template":
                self.insert_template()
            elif action == "close-tip":
                self.hide_tip()
                self.draft.focus()
        except Exception as err:
            traceback.print_exc()
            self.status.className = "status error"
            self.status.textContent = self.strings["status.error_check"].format(error=f"{type(err).__name__}: {err}")

    def preload_rewrites(self, *_args) -> None:
        """Load the phrase rewrites (app/rewrites.toml) once the page is idle, not on the first flagged request."""
        try:
            from app import rewrites

            rewrites.preload()
        except Exception:  # the next check that needs them reports the problem
            traceback.print_exc()

    def show_ready(self) -> None:
        self.status.className = "status"
        self.status.textContent = self.strings["status.ready"]

    def start(self) -> None:
        if not str(self.draft.value):
            saved = self.storage.get(DRAFT_KEY)
            if saved:
                self.draft.value = saved
                self.announce("status.draft_restored")
        self.apply_language()
        # Whatever was typed or pasted while Python loaded is checked now, before "ready".
        self.check()
        p = self._proxies
        self.draft.addEventListener("input", p["input"])
        self.draft.addEventListener("keyup", p["keyup"])
        self.draft.addEventListener("mouseup", p["mouseup"])
        self.draft.addEventListener("mousemove", p["mousemove"])
        self.draft.addEventListener("mouseleave", p["mouseleave"])
        js.document.addEventListener("click", p["click"])
        js.document.addEventListener("keydown", p["keydown"])
        js.window.addEventListener("resize", p["resize"])
        js.window.addEventListener("pagehide", p["save"])  # a typed draft not saved yet is kept
        js.document.addEventListener("visibilitychange", p["save"])
        _by_id("terms-form").addEventListener("submit", p["submit"])
        _by_id("template-case").addEventListener("change", p["template"])
        _by_id("template-lang").addEventListener("change", p["template"])
        if not self.storage.available:
            self.announce("status.error_storage")
        self.show_ready()
        self.root.dataset.checker = "ready"
        js.performance.mark("checker:ready")
        js.setTimeout(self._proxies["preload"], 1500)


_page: Page | None = None  # the live page; its proxies must outlive main()


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of two strings, by halving (slice comparisons run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def main() -> Page:
    global _page
    try:
        _put_wheels_on_path()
        _page = Page()
        _page.start()
        import app.page_appeal; app.page_appeal.install(_page)  # noqa: E702 - the appeal view (issue 5)
        # Everything alive now (the interpreter's modules, the compiled catalogue, the page: ~32,000
        # objects) lives as long as the page. Frozen, the cycle collector stops walking it: a full
        # collection took ~50 ms in Pyodide, and the increments the collector adds to collections during
        # typing cost the checks (in Chromium the slowest keystroke check fell from 24-28 to 8-18 ms).
        gc.freeze()
    except BaseException as err:
        js.checkerFailed(f"{type(err).__name__}: {err}")
        raise
    return _page
