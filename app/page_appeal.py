"""The browser layer of the appeal view ("申诉助手 / Appeal (POA)"): DOM events in, rendered HTML out.

DOM look-ups return ``jsnull`` (falsy, not None) for "nothing": test them by truthiness.

Thin on purpose: the form's data and its editing are ``app.appeal`` (``state``), the HTML is
``app.appeal.render``, the plan is ``compose_plan`` (jinja2) and ``check_plan``. None of them is imported
before the seller first opens the view (``#open-appeal`` or a finding's ``.finding-appeal``), so the checker's
start-up pays neither for them nor for jinja2.

Storage: the form is kept in this browser only, as JSON under the localStorage key ``STORAGE_KEY``, written
after every change and deleted by the view's clear button. Nothing is sent anywhere: copying uses the local
clipboard, the download is a Blob turned into an object URL and clicked as ``<a download>``.

Wiring: ``app/page.py`` calls ``install(page)`` once the checker is ready; ``page`` provides ``lang``
("zh"/"en", the interface language) and ``draft`` (the textarea).
"""

from __future__ import annotations

import asyncio
import functools
import json
import traceback

import js
from pyodide.ffi import create_once_callable, create_proxy, to_js

STORAGE_KEY = "message-checker.appeal-form.v1"
CLEAR_ARM_MS = 4000  # the clear button asks for a second click within this time


@functools.lru_cache(maxsize=64)
def _checked(text: str) -> dict:
    """app.check on a pasted message, as a dict; cached because validation, composing and the phrase list all
    ask about the same message on every keystroke."""
    import app

    return app.check(text).to_dict()


def _to_obj(value: dict):
    return to_js(value, dict_converter=js.Object.fromEntries)


class AppealView:
    def __init__(self, page) -> None:
        self.page = page
        self.document = js.document
        self.root = self.document.getElementById("appeal-view")
        self.appeal = self.state = self.render = None  # imported on first open
        self.lang: str | None = None
        self.form: dict | None = None
        self.own_roles: set[str] = set()
        self.plan_en = ""
        self.orders: list[str] = []
        self._pending = False
        self._clear_armed_at = float("-inf")  # not armed (performance.now() starts at 0 on every load)
        self._proxies = [create_proxy(self.on_document_click), create_proxy(self.on_input),
                         create_proxy(self.on_click), create_proxy(self.on_keydown), create_proxy(self.on_frame)]
        self._on_document_click, self._on_input, self._on_click, self._on_keydown, self._on_frame = self._proxies

    # --- wiring -----------------------------------------------------------------------------------

    def install(self) -> None:
        # Delegated from the document: the nav button and the findings' actions are re-rendered by page.py.
        self.document.addEventListener("click", self._on_document_click)
        self.root.addEventListener("input", self._on_input)
        self.root.addEventListener("change", self._on_input)
        self.root.addEventListener("click", self._on_click)
        self.root.addEventListener("keydown", self._on_keydown)
        self.root.dataset.appeal = "closed"

    def _guard(self, action, *args) -> None:
        """Run a handler; a failure is shown in the view instead of leaving the seller with a dead page."""
        try:
            action(*args)
        except Exception as err:
            traceback.print_exc()
            status = self.document.getElementById("appeal-status")
            text = f"{type(err).__name__}: {err}"
            if status and self.render is not None:
                status.textContent = self.strings["appeal.error"].format(error=text)
                status.className = "appeal-status error"
            self.root.dataset.appealError = text

    @property
    def strings(self) -> dict:
        from app.ui_text import ui_text

        return ui_text(self.lang or "en")

    def on_document_click(self, event) -> None:
        target = event.target
        if not hasattr(target, "closest"):
            return
        if target.closest("#open-appeal"):
            self._guard(self.open)
        elif target.closest(".finding-appeal"):
            self._guard(self.open_from_draft)
        elif target.closest("#lang-switch") and not self.root.hidden:
            self._guard(self.follow_language)

    # --- opening and closing --------------------------------------------------------------------------

    def _load(self) -> None:
        if self.appeal is not None:
            return
        import app.appeal as appeal
        from app.appeal import render, state

        self.appeal, self.render, self.state = appeal, render, state
        self.form = state.normalize_form(self._stored())

    def _stored(self) -> object:
        try:
            raw = js.localStorage.getItem(STORAGE_KEY)
            return json.loads(raw) if raw else None
        except Exception:  # storage blocked or a corrupt entry: start from an empty form
            return None

    def _save(self) -> None:
        try:
            if self.state.is_empty(self.form):
                js.localStorage.removeItem(STORAGE_KEY)
            else:
                js.localStorage.setItem(STORAGE_KEY, json.dumps(self.form, ensure_ascii=False))
        except Exception:
            pass  # storage blocked (private mode): the view keeps working for this visit

    def open(self, *, prefilled: bool = False) -> None:
        started = js.performance.now()
        self._load()
        lang = getattr(self.page, "lang", "en")
        if self.lang != lang or not self.root.firstElementChild:
            self.lang = lang
            self.root.innerHTML = self.render.render_shell(lang, self.strings)
        self.rerender_form()
        self.update()
        self.document.getElementById("appeal-prefilled").hidden = not prefilled
        main = self.document.querySelector("main")
        if main:
            main.hidden = True
        self.root.hidden = False
        self.document.getElementById("appeal-title").focus()
        self.root.dataset.appeal = "open"
        js.performance.measure("appeal:open", _to_obj({"start": started}))

    def open_from_draft(self) -> None:
        """From a finding: the draft's behaviours and the draft itself as the offending message."""
        import app

        self._load()
        draft = self.page.draft.value
        prefill = self.appeal.prefill_from_report(draft, app.check(draft))
        self.form = self.state.merge_prefill(self.form, prefill)
        self._save()
        self.open(prefilled=True)

    def close(self) -> None:
        self.root.hidden = True
        main = self.document.querySelector("main")
        if main:
            main.hidden = False
        self.root.dataset.appeal = "closed"
        opener = self.document.getElementById("open-appeal")
        if opener:
            opener.focus()

    def follow_language(self) -> None:
        if getattr(self.page, "lang", self.lang) != self.lang:
            self.open()

    # --- rendering ------------------------------------------------------------------------------------

    def rerender_form(self, focus: str | None = None) -> None:
        """Rebuild the form (after a structural change); the focused control keeps the focus."""
        active = self.document.activeElement
        focus = focus or (active.id if active and self.root.contains(active) else None)
        container = self.document.getElementById("appeal-form")
        container.innerHTML = self.render.render_form(self.form, self.lang, self.strings, own_roles=self.own_roles)
        if focus:
            element = self.document.getElementById(focus)
            if element:
                element.focus()

    def schedule_update(self) -> None:
        if not self._pending:
            self._pending = True
            js.requestAnimationFrame(self._on_frame)

    def on_frame(self, _timestamp) -> None:
        self._pending = False
        self._guard(self.update)

    def update(self) -> None:
        """Validate, compose and check the plan, show all of it, and keep the form in this browser."""
        started = js.performance.now()
        appeal, render, strings = self.appeal, self.render, self.strings
        errors = appeal.validate_form(self.form, check=_checked)
        plan = appeal.compose_plan(self.form, check=_checked)
        findings = appeal.check_plan(plan["en"])
        self.plan_en = plan["en"]
        self.orders = appeal.plan_facts(self.form, check=_checked)["orders"]

        slots = self.root.querySelectorAll("[data-error-for]")
        placed, rest = render.place_errors(errors, [el.dataset.errorFor for el in slots], self.lang)
        for el in slots:
            html = placed.get(el.dataset.errorFor, "")
            el.innerHTML = html
            el.hidden = not html
        self.document.getElementById("appeal-errors-other").innerHTML = rest
        for el in self.root.querySelectorAll("[data-phrases-for]"):
            index = int(el.dataset.phrasesFor)
            choices = self.state.phrase_choices(self.form["messages"][index], check=_checked)
            el.innerHTML = render.render_phrases(index, choices, strings)

        status = self.document.getElementById("appeal-status")
        status.className = "appeal-status" + ("" if errors else " done")
        status.innerHTML = render.render_status(errors, strings)
        self.document.getElementById("appeal-plan-en").innerHTML = render.render_plan(plan["en"], findings)
        self.document.getElementById("appeal-plan-zh").textContent = plan["zh"]
        self.document.getElementById("appeal-check-summary").innerHTML = render.render_check_summary(findings, strings)
        check_list = self.document.getElementById("appeal-plan-check")
        check_list.innerHTML = render.render_plan_check(findings, self.lang, strings)
        check_list.dataset.count = str(len(findings))
        self._save()
        js.performance.measure("appeal:update", _to_obj({"start": started}))

    # --- events ---------------------------------------------------------------------------------------

    def on_input(self, event) -> None:
        self._guard(self._input, event)

    def _input(self, event) -> None:
        target = event.target
        path = (target.getAttribute("data-path") or None) if hasattr(target, "getAttribute") else None
        if not path or self.form is None:
            return
        if path == "behaviours":
            self.state.set_behaviour(self.form, target.value, bool(target.checked))
        elif target.hasAttribute("data-role-select"):
            if event.type != "change":
                return
            own = target.value == self.render.OWN_ROLE
            if own:
                self.own_roles.add(path)
                if not self._is_own_words(path):
                    self.state.set_value(self.form, path, "")
            else:
                self.own_roles.discard(path)
                self.state.set_value(self.form, path, target.value)
            self.rerender_form(focus=self.render.control_id(path) + ("-own" if own else ""))
        else:
            self.state.set_value(self.form, path, target.value)
        self.schedule_update()

    def _is_own_words(self, path: str) -> bool:
        from app.appeal.schema import ROLES

        value = self.state.get_value(self.form, path) or ""
        return bool(value.strip()) and value not in {r["id"] for r in ROLES}

    def on_keydown(self, event) -> None:
        # Enter in the "exact words" box adds them, as its button does.
        if event.key == "Enter" and event.target.hasAttribute("data-phrase-input"):
            event.preventDefault()
            self._guard(self.add_phrase, int(event.target.dataset.phraseInput))

    def on_click(self, event) -> None:
        button = event.target.closest("[data-action]") if hasattr(event.target, "closest") else None
        if not button or not self.root.contains(button):
            return
        self._guard(self._click, button)

    def _click(self, button) -> None:
        action = button.dataset.action
        data = button.dataset
        if action == "back":
            self.close()
        elif action == "add":
            kind = button.getAttribute("data-kind") or None
            index = self.state.add_entry(self.form, data.section, kind)
            self.rerender_form()
            first = self.root.querySelector(f'[data-entry="{data.section}[{index}]"] [data-path]')
            if first:
                first.focus()
            self.schedule_update()
        elif action == "remove":
            if self.state.remove_entry(self.form, data.section, int(data.index)):
                self.own_roles = {p for p in self.own_roles if not p.startswith(data.section + "[")}
                self.rerender_form()
                self.schedule_update()
        elif action == "toggle-phrase":
            if self.state.toggle_phrase(self.form, int(data.index), data.phrase, check=_checked):
                self.schedule_update()
        elif action == "add-phrase":
            self.add_phrase(int(data.index))
        elif action == "copy":
            self.copy()
        elif action == "download":
            self.download()
        elif action == "clear":
            self.clear(button)

    def add_phrase(self, index: int) -> None:
        box = self.root.querySelector(f'[data-phrase-input="{index}"]')
        if not box:
            return
        if self.state.add_phrase(self.form, index, box.value, check=_checked):
            box.value = ""
            self.schedule_update()
        else:
            slot = self.root.querySelector(f'[data-error-for="messages[{index}].phrases"]')
            if slot:
                slot.textContent = self.strings["appeal.phrase_not_found"]
                slot.hidden = False

    # --- copy, download, clear ---------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.document.getElementById("appeal-action-status").textContent = text

    def copy(self) -> None:
        text = self.plan_en
        clipboard = getattr(js.navigator, "clipboard", None)
        if clipboard is None:
            self._say(self.strings["appeal.copy" + ("ed" if self._copy_by_selection(text) else "_failed")])
            return
        # writeText is called inside the click (user activation); its promise settles later
        asyncio.ensure_future(self._await_copy(clipboard.writeText(text), text))

    async def _await_copy(self, promise, text: str) -> None:
        try:
            await promise
            ok = True
        except Exception:
            ok = self._copy_by_selection(text)
        self._say(self.strings["appeal.copied" if ok else "appeal.copy_failed"])
        if ok:
            self.root.dataset.copied = str(int(self.root.getAttribute("data-copied") or "0") + 1)

    def _copy_by_selection(self, text: str) -> bool:
        """The old way, for browsers without the async clipboard: copy a selected, off-screen textarea."""
        area = self.document.createElement("textarea")
        area.value = text
        area.setAttribute("readonly", "")
        area.className = "appeal-offscreen"
        self.document.body.append(area)
        area.select()
        try:
            return bool(self.document.execCommand("copy"))
        except Exception:
            return False
        finally:
            area.remove()

    def download(self) -> None:
        """The English plan as a .txt file made in this browser: Blob -> object URL -> <a download>."""
        name = self.render.plan_file_name(self.orders)
        blob = js.Blob.new(to_js([self.plan_en]), _to_obj({"type": "text/plain;charset=utf-8"}))
        url = js.URL.createObjectURL(blob)
        link = self.document.createElement("a")
        link.href = url
        link.download = name
        link.hidden = True
        self.document.body.append(link)
        link.click()
        link.remove()
        js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 60_000)
        self._say(self.strings["appeal.downloaded"].format(name=name))

    def clear(self, button) -> None:
        """Two clicks: the first arms the button (its text asks to confirm), the second clears."""
        now = js.performance.now()
        if now - self._clear_armed_at > CLEAR_ARM_MS:
            self._clear_armed_at = now
            button.textContent = self.strings["appeal.clear_confirm"]
            button.dataset.armed = "true"
            return
        self._clear_armed_at = float("-inf")
        self.form = self.state.empty_form()
        self.own_roles.clear()
        try:
            js.localStorage.removeItem(STORAGE_KEY)
        except Exception:
            pass
        button.textContent = self.strings["appeal.clear"]
        button.removeAttribute("data-armed")
        self.document.getElementById("appeal-prefilled").hidden = True
        self.rerender_form()
        self.update()
        self._say(self.strings["appeal.cleared"])


_view: AppealView | None = None  # the live view; its proxies must outlive install()


def install(page) -> AppealView | None:
    """Hook the appeal view into the checker page. A failure here never stops the checker itself."""
    global _view
    try:
        if not js.document.getElementById("appeal-view"):
            return None
        _view = AppealView(page)
        _view.install()
    except Exception:
        traceback.print_exc()
        return None
    return _view
