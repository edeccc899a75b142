"""The appeal view as HTML strings: the form from ``form_schema()``, the plan, the plan check.

Pure (standard library only): the browser layer (``app/page_appeal.py``) writes these strings into the page
and reads the controls back through their ``data-path`` (a form path, see ``state``). Every text that comes
from the seller or from a label is escaped here; nothing else in the view builds HTML.

Labels come from the schema in the interface language (``lang``, "zh" or "en"); the interface's own words
(buttons, headings) from ``app/ui_strings.toml`` (``appeal.*`` keys, passed in as ``strings``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape

from .schema import ROLES, form_schema
from .state import get_value

OWN_ROLE = "__own"  # the role select's "type another role" option
_ID_RE = re.compile(r"[^a-z0-9]+")


def control_id(path: str) -> str:
    """The element id of the control at ``path`` (labels point at it)."""
    return "appeal-" + _ID_RE.sub("-", path.lower()).strip("-")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _error_slot(path: str) -> str:
    return f'<p class="appeal-error" data-error-for="{_e(path)}" hidden></p>'


def _help(text: str) -> str:
    return f'<p class="appeal-help">{_e(text)}</p>' if text else ""


def _label(path: str, field: dict, lang: str, strings: Mapping[str, str]) -> str:
    required = (f' <span class="appeal-required">{_e(strings["appeal.required"])}</span>'
                if field.get("required") else "")
    return f'<label for="{control_id(path)}">{_e(field["label"][lang])}{required}</label>'


def _options(choices: Iterable[tuple[str, str]], current: str, placeholder: str) -> str:
    out = [f'<option value="">{_e(placeholder)}</option>']
    for value, label in choices:
        selected = " selected" if value == current else ""
        out.append(f'<option value="{_e(value)}"{selected}>{_e(label)}</option>')
    return "".join(out)


def _control(path: str, field: dict, value: object, lang: str, strings: Mapping[str, str], own_roles) -> str:
    value = value if isinstance(value, str) else ""
    cid = control_id(path)
    common = f'id="{cid}" data-path="{_e(path)}"'
    ftype = field["type"]
    if ftype == "textarea":
        return f'<textarea {common} rows="3">{_e(value)}</textarea>'
    if ftype == "date":
        return f'<input type="date" {common} value="{_e(value)}">'
    if ftype == "choice":
        choices = [(c["id"], c["label"][lang]) for c in field["choices"]]
        return f'<select {common}>{_options(choices, value, strings["appeal.choose"])}</select>'
    if ftype == "role":
        role_ids = {r["id"] for r in ROLES}
        own = (value.strip() and value not in role_ids) or path in own_roles
        choices = [(r["id"], r["label"][lang]) for r in ROLES] + [(OWN_ROLE, strings["appeal.role_own"])]
        select = (f'<select {common} data-role-select>'
                  f'{_options(choices, OWN_ROLE if own else value, strings["appeal.choose"])}</select>')
        if not own:
            return select
        return (select + f'<input type="text" id="{cid}-own" data-path="{_e(path)}" value="{_e(value)}" '
                f'aria-label="{_e(strings["appeal.role_own_label"])}" '
                f'placeholder="{_e(strings["appeal.role_own_placeholder"])}">')
    placeholder = field.get("placeholder", "")
    extra = f' placeholder="{_e(placeholder)}"' if placeholder else ""
    return f'<input type="text" {common} value="{_e(value)}"{extra}>'


def _field(path: str, field: dict, value: object, lang: str, strings: Mapping[str, str], own_roles) -> str:
    return (f'<div class="appeal-field" data-field="{_e(field["id"])}">{_label(path, field, lang, strings)}'
            f'{_control(path, field, value, lang, strings, own_roles)}{_help(field["help"][lang])}'
            f'{_error_slot(path)}</div>')


def _remove_button(section: str, index: int, strings: Mapping[str, str]) -> str:
    return (f'<button type="button" class="appeal-remove" data-action="remove" data-section="{section}" '
            f'data-index="{index}">{_e(strings["appeal.remove"])}</button>')


def _behaviours(section: dict, form: dict, lang: str) -> str:
    chosen = set(form.get("behaviours") or [])
    items = []
    for b in section["choices"]:
        checked = " checked" if b["id"] in chosen else ""
        items.append(f'<label class="appeal-check"><input type="checkbox" data-path="behaviours" '
                     f'value="{_e(b["id"])}"{checked}><span>{_e(b["label"][lang])}'
                     f'<small>{_e(b["help"][lang])}</small></span></label>')
    return "".join(items)


def _orders(section: dict, form: dict) -> str:
    return (f'<textarea id="{control_id("orders")}" data-path="orders" rows="2" '
            f'placeholder="{_e(section["placeholder"])}" spellcheck="false">{_e(form.get("orders") or "")}</textarea>')


def _messages(section: dict, form: dict, lang: str, strings: Mapping[str, str], own_roles) -> str:
    out = []
    for i, _msg in enumerate(form.get("messages") or []):
        path = f"messages[{i}]"
        fields = []
        for field in section["fields"]:
            fpath = f"{path}.{field['id']}"
            if field["type"] == "phrases":
                fields.append(
                    f'<div class="appeal-field appeal-phrases-field"><span class="appeal-label">'
                    f'{_e(field["label"][lang])}</span>{_help(field["help"][lang])}'
                    f'<div class="appeal-phrases" data-phrases-for="{i}"></div>'
                    f'<div class="appeal-phrase-add"><input type="text" id="{control_id(fpath)}-add" '
                    f'data-phrase-input="{i}" aria-label="{_e(strings["appeal.phrase_add_label"])}" '
                    f'placeholder="{_e(strings["appeal.phrase_add_label"])}">'
                    f'<button type="button" data-action="add-phrase" data-index="{i}">'
                    f'{_e(strings["appeal.phrase_add"])}</button></div>{_error_slot(fpath)}</div>')
            else:
                fields.append(_field(fpath, field, get_value(form, fpath), lang, strings, own_roles))
        out.append(f'<div class="appeal-entry" data-entry="{path}"><div class="appeal-entry-head">'
                   f'<h4>{_e(strings["appeal.message_n"].format(n=i + 1))}</h4>'
                   f'{_remove_button("messages", i, strings)}</div>{"".join(fields)}{_error_slot(path)}</div>')
    out.append(f'<div class="appeal-add"><button type="button" data-action="add" data-section="messages">'
               f'{_e(strings["appeal.add_message"])}</button></div>')
    return "".join(out)


def _kinds(section: dict, form: dict, lang: str, strings: Mapping[str, str], own_roles) -> str:
    sid = section["id"]
    kinds = {k["id"]: k for k in section["kinds"]}
    out = []
    for i, entry in enumerate(form.get(sid) or []):
        kind = kinds.get(entry.get("kind")) if isinstance(entry, dict) else None
        if kind is None:
            continue
        path = f"{sid}[{i}]"
        fields = "".join(_field(f"{path}.{f['id']}", f, entry.get(f["id"]), lang, strings, own_roles)
                         for f in kind["fields"])
        out.append(f'<div class="appeal-entry" data-entry="{path}" data-kind="{_e(kind["id"])}">'
                   f'<div class="appeal-entry-head"><h4>{i + 1}. {_e(kind["label"][lang])}</h4>'
                   f'{_remove_button(sid, i, strings)}</div>{_help(kind["help"][lang])}{fields}'
                   f'{_error_slot(path)}</div>')
    buttons = "".join(f'<button type="button" data-action="add" data-section="{sid}" data-kind="{_e(k["id"])}">'
                      f'+ {_e(k["label"][lang])}</button>' for k in section["kinds"])
    out.append(f'<div class="appeal-add"><span class="appeal-label">{_e(strings["appeal.add_kind"])}</span>'
               f'{buttons}</div>')
    return "".join(out)


def render_form(form: dict, lang: str, strings: Mapping[str, str], *, own_roles: Iterable[str] = (),
                schema: dict | None = None) -> str:
    """The whole guided form, filled with ``form``. ``own_roles``: role paths whose select is on "another
    role" while the seller has not typed it yet."""
    schema = schema or form_schema()
    own_roles = frozenset(own_roles)
    parts = []
    for n, section in enumerate(schema["sections"], 1):
        sid = section["id"]
        if section["type"] == "multi-choice":
            body = _behaviours(section, form, lang)
        elif section["type"] == "order-list":
            body = _orders(section, form)
        elif section["type"] == "list":
            body = _messages(section, form, lang, strings, own_roles)
        else:
            body = _kinds(section, form, lang, strings, own_roles)
        label = (f'<label for="{control_id(sid)}">{_e(section["label"][lang])}</label>'
                 if sid == "orders" else _e(section["label"][lang]))
        parts.append(f'<fieldset class="appeal-section" data-section="{sid}"><legend>{n}. {label}</legend>'
                     f'{_help(section["help"][lang])}{body}{_error_slot(sid)}</fieldset>')
    return "".join(parts)


def render_phrases(index: int, choices: list[dict], strings: Mapping[str, str]) -> str:
    """The phrases of ``messages[index]`` as toggle buttons (pressed = quoted in the plan)."""
    if not choices:
        return f'<p class="appeal-help">{_e(strings["appeal.phrases_none"])}</p>'
    out = []
    for c in choices:
        pressed = "true" if c["selected"] else "false"
        kind = "flagged" if c["flagged"] else "added"
        out.append(f'<button type="button" class="appeal-phrase" data-action="toggle-phrase" data-index="{index}" '
                   f'data-phrase="{_e(c["text"])}" data-kind="{kind}" aria-pressed="{pressed}">{_e(c["text"])}'
                   f'</button>')
    return "".join(out)


def _slot_of(path: str, slots: set[str]) -> str | None:
    """The error slot for an error path: itself, else its entry (``causes[0].kind`` -> ``causes[0]``), else
    its section."""
    candidates = [path, path.rsplit(".", 1)[0], path.split("[", 1)[0]]
    return next((p for p in candidates if p in slots), None)


def place_errors(errors: Iterable[dict], slots: Iterable[str], lang: str) -> tuple[dict[str, str], str]:
    """``validate_form`` errors as HTML per error slot, plus the HTML of those that have no slot in the form."""
    slots = set(slots)
    placed: dict[str, list[str]] = {}
    rest: list[str] = []
    for err in errors:
        text = err["message"][lang]
        slot = _slot_of(err["field"], slots)
        target = placed.setdefault(slot, []) if slot else rest
        if text not in target:
            target.append(text)
    html = {slot: "".join(f"<span>{_e(t)}</span>" for t in texts) for slot, texts in placed.items()}
    return html, "".join(f"<li>{_e(t)}</li>" for t in rest)


def render_status(errors: list[dict], strings: Mapping[str, str]) -> str:
    if not errors:
        return _e(strings["appeal.complete"])
    return _e(strings["appeal.todo"].format(n=len(errors)))


def render_plan(text: str, findings: Iterable[dict] = ()) -> str:
    """The plan text (shown in a <pre>) with each plan-check span marked; spans are code points."""
    spans = sorted({tuple(f["span"]) for f in findings if f.get("span")})
    out, pos = [], 0
    for start, end in spans:
        if start < pos or end <= start or end > len(text):
            continue  # overlapping or stale span: the finding is still listed below the plan
        out.append(_e(text[pos:start]))
        out.append(f'<mark class="appeal-flag">{_e(text[start:end])}</mark>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def render_plan_check(findings: list[dict], lang: str, strings: Mapping[str, str]) -> str:
    """The plan checker's findings as list items with the hint; empty list when the plan is fine."""
    items = []
    for f in findings:
        quote = f'<q>{_e(f["text"])}</q> ' if f.get("text") else ""
        items.append(f'<li data-id="{_e(f["id"])}" data-severity="{_e(f["severity"])}">{quote}'
                     f'<span class="appeal-check-message">{_e(f["message"][lang])}</span> '
                     f'<span class="appeal-hint"><b>{_e(strings["appeal.hint"])}</b>{_e(f["hint"][lang])}</span></li>')
    return "".join(items)


def render_check_summary(findings: list[dict], strings: Mapping[str, str]) -> str:
    if not findings:
        return _e(strings["appeal.check_ok"])
    return _e(strings["appeal.check_count"].format(n=len(findings)))


def render_shell(lang: str, strings: Mapping[str, str], *, schema: dict | None = None) -> str:
    """The view around the form: heading, way back, the form's container, the plan panes and the buttons."""
    schema = schema or form_schema()
    s = {k: _e(v) for k, v in strings.items() if k.startswith("appeal.")}
    return (
        f'<div class="appeal-top"><button type="button" class="appeal-back" data-action="back">← {s["appeal.back"]}'
        f'</button><h2 id="appeal-title" tabindex="-1">{_e(schema["title"][lang])}</h2></div>'
        f'<p class="appeal-intro">{_e(schema["help"][lang])}</p>'
        f'<p class="appeal-note" id="appeal-prefilled" hidden>{s["appeal.prefilled"]}</p>'
        f'<div class="appeal-columns"><div class="appeal-form" id="appeal-form"></div>'
        f'<div class="appeal-output" aria-labelledby="appeal-plan-heading">'
        f'<p class="appeal-status" id="appeal-status" role="status" aria-live="polite"></p>'
        f'<ul class="appeal-errors" id="appeal-errors-other"></ul>'
        f'<div class="appeal-plans"><div><h3 id="appeal-plan-heading">{s["appeal.plan_en"]}</h3>'
        f'<pre class="appeal-plan" id="appeal-plan-en" lang="en" tabindex="0"></pre></div>'
        f'<div><h3>{s["appeal.plan_zh"]}</h3>'
        f'<pre class="appeal-plan appeal-plan-zh" id="appeal-plan-zh" lang="zh-CN" tabindex="0"></pre></div></div>'
        f'<h3>{s["appeal.check_heading"]}</h3>'
        f'<p class="appeal-check-summary" id="appeal-check-summary" role="status"></p>'
        f'<ol class="appeal-plan-check" id="appeal-plan-check"></ol>'
        f'<div class="appeal-actions">'
        f'<button type="button" id="appeal-copy" data-action="copy">{s["appeal.copy"]}</button>'
        f'<button type="button" id="appeal-download" data-action="download">{s["appeal.download"]}</button>'
        f'<button type="button" id="appeal-clear" class="appeal-danger" data-action="clear">{s["appeal.clear"]}'
        f'</button></div>'
        f'<p class="appeal-status" id="appeal-action-status" role="status" aria-live="polite"></p>'
        f'<p class="appeal-note">{s["appeal.storage_note"]}</p>'
        f'</div></div>'
    )


def plan_file_name(orders: list[str]) -> str:
    """The download's file name: the first order names it, so several plans do not overwrite each other."""
    return f"plan-of-action-{orders[0]}.txt" if orders else "plan-of-action.txt"


__all__ = [
    "OWN_ROLE",
    "control_id",
    "place_errors",
    "plan_file_name",
    "render_check_summary",
    "render_form",
    "render_phrases",
    "render_plan",
    "render_plan_check",
    "render_shell",
    "render_status",
]
