"""Reading the appeal form: order IDs, dates, offending phrases, prefill from the checker, validation.

The page hands over whatever the seller typed (JSON from the browser), so nothing here trusts types: a
wrong type is reported as an error on its field, never raised.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Iterable

from .schema import BEHAVIOURS, CATEGORY_TO_BEHAVIOUR, MESSAGE_FIELDS, ROLES, choice_by_id, kinds_of

ORDER_ID_RE = re.compile(r"[0-9]{3}-[0-9]{7}-[0-9]{7}")  # ASCII only: \d also takes Arabic-Indic digits
# Sellers paste order IDs from Seller Central, spreadsheets and chat apps: dashes of every kind, spaces around
# them, full-width digits (NFKC folds those), a leading '#'.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_SPACED_ORDER_RE = re.compile(r"(?<![0-9])([0-9]{3})\s*[-\s]\s*([0-9]{7})\s*[-\s]\s*([0-9]{7})(?![0-9])")
_ORDER_SEPARATORS_RE = re.compile(r"[,，、;；\s]+")
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Scripts that cannot be English. Latin-script foreign words are not detected (they cannot be told from English
# names without a dictionary); the case that matters is a Chinese team typing details in Chinese.
NON_ENGLISH_RE = re.compile(
    "[\u0400-\u04ff\u0600-\u06ff\u0e00-\u0e7f\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)

# Only these severities are quoted: info findings are advice, not what Amazon warned about.
_QUOTED_SEVERITIES = ("block", "warn")

Checker = Callable[[str], object]


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _error(field: str, en: str, zh: str) -> dict:
    return {"field": field, "message": _t(en, zh)}


def _clean(value: object) -> str:
    """A form value as a trimmed string ('' for None or non-strings)."""
    return value.strip() if isinstance(value, str) else ""


def parse_order_ids(value: object) -> dict:
    """Order IDs from free text or a list: ``{"ids": [canonical, …], "invalid": [entry as typed, …]}``.

    IDs come back in the order first seen, without duplicates, as ``123-1234567-1234567``.
    """
    if value is None:
        return {"ids": [], "invalid": []}
    items = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [str(value)]
    ids: list[str] = []
    invalid: list[str] = []
    for item in items:
        if not isinstance(item, str):
            invalid.append(str(item))
            continue
        text = unicodedata.normalize("NFKC", item).translate(_DASHES)
        text = _SPACED_ORDER_RE.sub(r"\1-\2-\3", text)
        for token in _ORDER_SEPARATORS_RE.split(text):
            token = token.strip().lstrip("#")
            if not token:
                continue
            if ORDER_ID_RE.fullmatch(token):
                if token not in ids:
                    ids.append(token)
            else:
                invalid.append(token)
    return {"ids": ids, "invalid": invalid}


def parse_date(value: object) -> _dt.date | None:
    """An ISO date (YYYY-MM-DD, full-width digits allowed), or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).translate(_DASHES).strip()
    if not _ISO_DATE_RE.fullmatch(text):
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def role_label(value: object, lang: str) -> str:
    """A role id rendered in ``lang``; anything else is the seller's own words, kept as typed."""
    text = _clean(value)
    for role in ROLES:
        if role["id"] == text:
            return role["label"][lang]
    return text


def _report_findings(report: object) -> list[dict]:
    """Findings from whatever the checker returned: an ``app.Report`` or its ``to_dict()``."""
    data = report if isinstance(report, dict) else report.to_dict()  # type: ignore[attr-defined]
    return list(data.get("findings", []))


def _default_check() -> Checker:
    # Imported when first needed: app.appeal must stay importable (and cheap) on its own.
    from app import check

    return check


def flagged_phrases(text: str, *, check: Checker | None = None) -> list[dict]:
    """What the checker flags (block or warn) in a message that was sent, in order of position::

        [{"text": str, "start": int, "end": int, "rule": str, "category": str, "severity": str,
          "behaviour": str | None}, …]

    ``text == message[start:end]``. A phrase flagged twice (two rules, same words) appears once.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    findings = _report_findings((check or _default_check())(text))
    out: list[dict] = []
    seen: set[tuple[int, int]] = set()
    for f in sorted(findings, key=lambda f: (f["start"], f["end"])):
        if f.get("severity") not in _QUOTED_SEVERITIES or (f["start"], f["end"]) in seen:
            continue
        seen.add((f["start"], f["end"]))
        out.append({
            "text": text[f["start"]:f["end"]],
            "start": f["start"],
            "end": f["end"],
            "rule": f.get("rule", ""),
            "category": f.get("category", ""),
            "severity": f["severity"],
            "behaviour": CATEGORY_TO_BEHAVIOUR.get(f.get("category", "")),
        })
    return out


def behaviours_from_findings(findings: Iterable[dict]) -> list[str]:
    """Behaviour ids evidenced by block/warn findings (finding dicts as in the JSON shape), in schema order."""
    hit = {
        CATEGORY_TO_BEHAVIOUR.get(f.get("category", ""))
        for f in findings
        if f.get("severity") in _QUOTED_SEVERITIES
    }
    return [b["id"] for b in BEHAVIOURS if b["id"] in hit]


def prefill_from_report(draft: str, report: dict | object) -> dict:
    """The part of the form a seller coming from the checker already has: behaviours and the message.

    ``report`` is ``app.check(draft)`` or its ``to_dict()``. Returns ``{"behaviours": [...],
    "messages": [{"text": draft, "phrases": [...]}]}`` (no message when the draft is empty).
    """
    findings = _report_findings(report)
    form: dict = {"behaviours": behaviours_from_findings(findings), "messages": []}
    if isinstance(draft, str) and draft.strip():
        spans = [(f["start"], f["end"]) for f in findings if f.get("severity") in _QUOTED_SEVERITIES]
        form["messages"].append({"text": draft, "phrases": quoted_phrases(draft, spans)})
    return form


# Two flagged spans with only a space or a colon between them ("WhatsApp" "+86 138…") are one phrase to a
# reader; quoting them separately would cut the seller's sentence into fragments.
_JOINABLE_GAP_RE = re.compile(r"[\s:：,，-]{0,3}")


def quoted_phrases(text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """The exact words of ``text`` at ``spans``, adjacent spans joined, in order, without repeats."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 3 and _JOINABLE_GAP_RE.fullmatch(text[merged[-1][1]:max(start,
                                                                                                 merged[-1][1])]):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    for start, end in merged:
        phrase = text[start:end].strip()
        if phrase and phrase not in out:
            out.append(phrase)
    return out


def message_phrases(message: dict, *, check: Checker | None = None) -> list[str]:
    """The phrases the plan quotes for one message: the seller's own selection when given (each must occur in
    the message), otherwise what the checker flags."""
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text.strip():
        return []
    chosen = message.get("phrases")
    if isinstance(chosen, list) and any(_clean(p) for p in chosen):
        out: list[str] = []
        for p in chosen:
            p = _clean(p)
            if p and p in text and p not in out:
                out.append(p)
        return out
    return quoted_phrases(text, [(f["start"], f["end"]) for f in flagged_phrases(text, check=check)])


def _as_list(form: dict, key: str, errors: list[dict], en: str, zh: str) -> list:
    value = form.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(_error(key, f"{en} must be a list.", f"{zh}格式不对(应为列表)。"))
        return []
    return value


def _non_english(text: str) -> str | None:
    m = NON_ENGLISH_RE.search(text)
    if not m:
        return None
    # show the seller the run of foreign characters, not just one character
    end = m.end()
    while end < len(text) and (NON_ENGLISH_RE.match(text, end) or text[end] == " "):
        end += 1
    return text[m.start():end].strip()[:20]


def _validate_field(path: str, field: dict, value: object, errors: list[dict], today: _dt.date | None) -> None:
    label_en, label_zh = field["label"]["en"], field["label"]["zh"]
    ftype = field["type"]
    if ftype == "date":
        raw = _clean(value)
        if not raw:
            if field["required"]:
                errors.append(_error(path, f"{label_en}: enter a date (YYYY-MM-DD).",
                                     f"{label_zh}:请填写日期(YYYY-MM-DD)。"))
            return
        day = parse_date(raw)
        if day is None:
            errors.append(_error(path, f"{label_en}: “{raw}” is not a date; use YYYY-MM-DD, e.g. 2024-05-03.",
                                 f"{label_zh}:“{raw}”不是有效日期,请用 YYYY-MM-DD 格式,例如 2024-05-03。"))
        elif today is not None and day > today:
            if path.startswith("actions"):
                errors.append(_error(path, f"{label_en}: {day.isoformat()} is in the future; list only actions "
                                           "already taken (put plans under preventive measures).",
                                     f"{label_zh}:{day.isoformat()} 是将来的日期;这里只写已完成的措施"
                                     "(计划要做的请写在预防措施里)。"))
            else:
                errors.append(_error(path, f"{label_en}: {day.isoformat()} is in the future.",
                                     f"{label_zh}:{day.isoformat()} 是将来的日期。"))
        return
    if ftype == "choice":
        raw = _clean(value)
        if not raw:
            if field["required"]:
                errors.append(_error(path, f"{label_en}: choose one.", f"{label_zh}:请选择一项。"))
        elif choice_by_id(field["choices"], raw) is None:
            errors.append(_error(path, f"{label_en}: unknown choice “{raw}”.", f"{label_zh}:未知选项“{raw}”。"))
        return
    if ftype == "order":
        raw = _clean(value)
        if raw:
            parsed = parse_order_ids(raw)
            if parsed["invalid"] or len(parsed["ids"]) != 1:
                errors.append(_order_error(path, raw))
        elif field["required"]:
            errors.append(_error(path, f"{label_en}: enter the order ID.", f"{label_zh}:请填写订单号。"))
        return
    # text, textarea, role: the seller's words, which go into the English plan
    if value is not None and not isinstance(value, str):
        errors.append(_error(path, f"{label_en}: expected text.", f"{label_zh}:应为文字。"))
        return
    raw = _clean(value)
    if not raw:
        if field["required"]:
            errors.append(_error(path, f"{label_en}: this is needed for the plan.", f"{label_zh}:申诉信需要这一项。"))
        return
    if not field.get("any_language"):
        foreign = _non_english(raw if ftype != "role" else role_label(raw, "en"))
        if foreign:
            errors.append(_error(path, f"{label_en}: write this in English; the plan is sent to Amazon in "
                                       f"English and would contain “{foreign}”.",
                                 f"{label_zh}:请用英文填写;申诉信以英文提交给亚马逊,否则信中会出现“{foreign}”。"))


def _order_error(path: str, entry: str) -> dict:
    return _error(path, f"“{entry}” is not an Amazon order ID: the format is 123-1234567-1234567 (3-7-7 digits).",
                  f"“{entry}”不是亚马逊订单号:格式应为 123-1234567-1234567(3-7-7 位数字)。")


def validate_form(form: object, *, today: _dt.date | str | None = None, check: Checker | None = None) -> list[dict]:
    """Every problem in the form, as ``[{"field": path, "message": {"en": …, "zh": …}}, …]``; ``[]`` = complete.

    ``field`` is a path into the form: ``orders``, ``messages[0].text``, ``causes[1].details``. ``today``
    (a date or ISO string; default: the current date) bounds the dates of actions already taken. ``check``
    replaces ``app.check`` (tests); messages are checked to find what the plan will quote.
    """
    errors: list[dict] = []
    if not isinstance(form, dict):
        return [_error("", "The form is empty.", "表单是空的。")]
    if today is None:
        today = _dt.date.today()
    elif isinstance(today, str):
        today = _dt.date.fromisoformat(today)

    behaviours = _as_list(form, "behaviours", errors, "Behaviours", "违规行为")
    known = {b["id"] for b in BEHAVIOURS}
    for b in behaviours:
        if b not in known:
            errors.append(_error("behaviours", f"Unknown behaviour “{b}”.", f"未知的违规行为“{b}”。"))
    if not behaviours:
        errors.append(_error("behaviours", "Tick at least one behaviour that happened.", "请至少勾选一项违规行为。"))

    parsed = parse_order_ids(form.get("orders"))
    for bad in parsed["invalid"]:
        errors.append(_order_error("orders", bad))

    messages = _as_list(form, "messages", errors, "Messages", "违规消息")
    message_orders: list[str] = []
    for i, msg in enumerate(messages):
        path = f"messages[{i}]"
        if not isinstance(msg, dict):
            errors.append(_error(path, "Expected a message.", "应为一条消息。"))
            continue
        for field in MESSAGE_FIELDS:
            if field["type"] != "phrases":
                _validate_field(f"{path}.{field['id']}", field, msg.get(field["id"]), errors, today)
        order = parse_order_ids(_clean(msg.get("order")))["ids"]
        message_orders.extend(order)
        text = _clean(msg.get("text"))
        chosen = msg.get("phrases")
        if chosen is not None and not isinstance(chosen, list):
            errors.append(_error(f"{path}.phrases", "Phrases must be a list.", "违规语句格式不对(应为列表)。"))
            continue
        for p in chosen or []:
            p = _clean(p)
            if p and p not in msg.get("text", ""):
                errors.append(_error(f"{path}.phrases", f"“{p}” is not in the message; copy the exact words.",
                                     f"消息中没有“{p}”;请复制原话。"))
        if text and not message_phrases(msg, check=check):
            errors.append(_error(f"{path}.phrases",
                                 "The checker finds nothing wrong in this message: mark the exact words that broke "
                                 "the rules, or remove the message if it was not the one.",
                                 "检查器在这条消息里没有发现问题:请标出违规的原话;如果不是这条消息,请删除它。"))
    if not messages:
        errors.append(_error("messages", "Paste at least one message that broke the rules; the plan quotes it.",
                             "请至少粘贴一条违规消息;申诉信会引用它。"))
    if not parsed["ids"] and not message_orders and not parsed["invalid"]:
        errors.append(_error("orders", "Enter the affected order ID(s), e.g. 123-1234567-1234567.",
                             "请填写涉及的订单号,例如 123-1234567-1234567。"))

    section_names = {"causes": ("root cause", "根本原因"), "actions": ("action already taken", "已采取的措施"),
                     "measures": ("preventive measure", "预防措施")}
    for section, (name_en, name_zh) in section_names.items():
        entries = _as_list(form, section, errors, section.capitalize(), name_zh)
        kinds = kinds_of(section)
        for i, entry in enumerate(entries):
            path = f"{section}[{i}]"
            if not isinstance(entry, dict) or entry.get("kind") not in kinds:
                kind = entry.get("kind") if isinstance(entry, dict) else entry
                errors.append(_error(f"{path}.kind", f"Unknown {name_en} “{kind}”.", f"未知的{name_zh}“{kind}”。"))
                continue
            # measures may start later; causes and actions lie in the past
            bound = None if section == "measures" else today
            for field in kinds[entry["kind"]]["fields"]:
                _validate_field(f"{path}.{field['id']}", field, entry.get(field["id"]), errors, bound)
        if not entries:
            errors.append(_error(section, f"Add at least one {name_en}.", f"请至少添加一项{name_zh}。"))
    return errors
