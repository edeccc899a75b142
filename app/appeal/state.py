"""Editing the appeal form: the pure operations behind the page's form controls.

The page keeps the form as the plain dict ``validate_form``/``compose_plan`` read (see ``schema``) and
changes it only through these functions, so what a click or a keystroke does is testable on CPython.
Controls name the value they edit with a *path* in the syntax ``validate_form`` reports errors in:
``orders``, ``messages[0].text``, ``causes[1].role``.
"""

from __future__ import annotations

import re

from .form import Checker, flagged_phrases, quoted_phrases
from .schema import BEHAVIOURS, kinds_of

SECTIONS = ("causes", "actions", "measures")
_LISTS = ("messages", *SECTIONS)
_PATH_RE = re.compile(r"^(behaviours|orders)$|^(messages|causes|actions|measures)\[(\d{1,3})\]\.([a-z_]+)$")
MESSAGE_KEYS = ("text", "order", "date", "phrases")


def empty_form() -> dict:
    return {"behaviours": [], "orders": "", "messages": [], "causes": [], "actions": [], "measures": []}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def normalize_form(data: object) -> dict:
    """A well-formed form from anything (what localStorage held, a prefill): unknown keys, kinds and
    non-text values are dropped, so a stale or hand-edited stored form cannot break the page."""
    form = empty_form()
    if not isinstance(data, dict):
        return form
    known = [b["id"] for b in BEHAVIOURS]
    chosen = data.get("behaviours") if isinstance(data.get("behaviours"), list) else []
    form["behaviours"] = [b for b in known if b in chosen]
    orders = data.get("orders")
    form["orders"] = "\n".join(o for o in orders if isinstance(o, str)) if isinstance(orders, list) else _text(orders)
    for msg in data.get("messages") if isinstance(data.get("messages"), list) else []:
        if isinstance(msg, dict):
            phrases = msg.get("phrases") if isinstance(msg.get("phrases"), list) else []
            form["messages"].append({"text": _text(msg.get("text")), "order": _text(msg.get("order")),
                                     "date": _text(msg.get("date")),
                                     "phrases": [p for p in phrases if isinstance(p, str) and p.strip()]})
    for section in SECTIONS:
        kinds = kinds_of(section)
        for entry in data.get(section) if isinstance(data.get(section), list) else []:
            if isinstance(entry, dict) and entry.get("kind") in kinds:
                kind = kinds[entry["kind"]]
                clean = {"kind": kind["id"]}
                for field in kind["fields"]:
                    if isinstance(entry.get(field["id"]), str):
                        clean[field["id"]] = entry[field["id"]]
                form[section].append(clean)
    return form


def is_empty(form: dict) -> bool:
    return normalize_form(form) == empty_form()


def parse_path(path: str) -> tuple[str, int | None, str | None]:
    """``"causes[1].role"`` -> ``("causes", 1, "role")``; ``"orders"`` -> ``("orders", None, None)``."""
    m = _PATH_RE.match(path or "")
    if not m:
        raise ValueError(f"not a form path: {path!r}")
    if m.group(1):
        return m.group(1), None, None
    return m.group(2), int(m.group(3)), m.group(4)


def _entry(form: dict, section: str, index: int | None) -> dict | None:
    entries = form.get(section)
    if index is None or not isinstance(entries, list) or not 0 <= index < len(entries):
        return None
    return entries[index]


def get_value(form: dict, path: str) -> object:
    section, index, key = parse_path(path)
    if index is None:
        return form.get(section)
    entry = _entry(form, section, index)
    return None if entry is None else entry.get(key)


def set_value(form: dict, path: str, value: str) -> bool:
    """Store one control's text at ``path``; False (form unchanged) when the path names nothing."""
    section, index, key = parse_path(path)
    if section == "orders":
        form["orders"] = _text(value)
        return True
    entry = _entry(form, section, index)
    if entry is None or section == "behaviours":
        return False
    if section == "messages":
        if key not in MESSAGE_KEYS or key == "phrases":
            return False
        entry[key] = _text(value)
        if key == "text":
            # phrases the seller picked must be words of the message; keep those that still are
            entry["phrases"] = [p for p in entry.get("phrases", []) if p in entry[key]]
        return True
    kind = kinds_of(section).get(entry.get("kind"))
    if kind is None or key not in {f["id"] for f in kind["fields"]}:
        return False
    entry[key] = _text(value)
    return True


def set_behaviour(form: dict, behaviour: str, on: bool) -> None:
    chosen = set(form.get("behaviours") or [])
    chosen.add(behaviour) if on else chosen.discard(behaviour)
    form["behaviours"] = [b["id"] for b in BEHAVIOURS if b["id"] in chosen]


def add_entry(form: dict, section: str, kind: str | None = None) -> int:
    """Append an empty message or an entry of ``kind``; returns its index."""
    if section == "messages":
        form.setdefault("messages", []).append({"text": "", "order": "", "date": "", "phrases": []})
    elif section in SECTIONS and kind in kinds_of(section):
        form.setdefault(section, []).append({"kind": kind})
    else:
        raise ValueError(f"cannot add {kind!r} to {section!r}")
    return len(form[section]) - 1


def remove_entry(form: dict, section: str, index: int) -> bool:
    entries = form.get(section)
    if section not in _LISTS or not isinstance(entries, list) or not 0 <= index < len(entries):
        return False
    del entries[index]
    return True


def phrase_choices(message: dict, *, check: Checker | None = None) -> list[dict]:
    """The phrases offered for one message: what the checker flags (joined as the plan quotes them) plus
    words the seller added, each ``{"text", "selected", "flagged"}``. With no explicit selection every
    flagged phrase is selected, which is what ``compose_plan`` quotes."""
    text = _text(message.get("text"))
    if not text.strip():
        return []
    flagged = quoted_phrases(text, [(p["start"], p["end"]) for p in flagged_phrases(text, check=check)])
    chosen = [p for p in message.get("phrases") or [] if isinstance(p, str) and p.strip() and p in text]
    selected = set(chosen) if chosen else set(flagged)
    offered = flagged + [p for p in chosen if p not in flagged]
    return [{"text": p, "selected": p in selected, "flagged": p in flagged} for p in offered]


def toggle_phrase(form: dict, index: int, phrase: str, *, check: Checker | None = None) -> bool:
    """Select or deselect one offered phrase of ``messages[index]``. The last selected phrase cannot be
    deselected: a plan must quote something (an empty selection would mean "all flagged" again)."""
    msg = _entry(form, "messages", index)
    if msg is None:
        return False
    choices = phrase_choices(msg, check=check)
    if phrase not in {c["text"] for c in choices}:
        return False
    selected = [c["text"] for c in choices if c["selected"] != (c["text"] == phrase)]
    if not selected:
        return False
    msg["phrases"] = selected
    return True


def add_phrase(form: dict, index: int, phrase: str, *, check: Checker | None = None) -> bool:
    """Add exact words of ``messages[index]`` to the quoted phrases; False when they are not in the message."""
    msg = _entry(form, "messages", index)
    phrase = _text(phrase).strip()
    if msg is None or not phrase or phrase not in _text(msg.get("text")):
        return False
    selected = [c["text"] for c in phrase_choices(msg, check=check) if c["selected"]]
    if phrase not in selected:
        selected.append(phrase)
    msg["phrases"] = selected
    return True


def merge_prefill(form: dict, prefill: dict) -> dict:
    """Add what ``prefill_from_report`` found to the form the seller already has: behaviours are added (never
    removed) and the draft becomes a message unless the form already holds that exact text."""
    merged = normalize_form(form)
    for behaviour in prefill.get("behaviours") or []:
        set_behaviour(merged, behaviour, True)
    present = {m["text"].strip() for m in merged["messages"]}
    for msg in normalize_form({"messages": prefill.get("messages") or []})["messages"]:
        if msg["text"].strip() and msg["text"].strip() not in present:
            # an unused empty message slot is filled instead of leaving it above the prefilled one
            blank = next((m for m in merged["messages"] if not m["text"].strip()), None)
            if blank is not None:
                blank.update(msg)
            else:
                merged["messages"].append(msg)
            present.add(msg["text"].strip())
    return merged
