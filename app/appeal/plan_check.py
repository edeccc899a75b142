"""Checking an English Plan of Action before it is copied: what makes reviewers reject appeals.

``check_plan`` reads any text (a composed plan the seller edited, or a plan they wrote elsewhere). Quoted text
(“…”, "…", 「…」, «…», „…“) is evidence of what was sent, so the wording checks (blame, promises, filler,
contact details, foreign script) skip it; the specifics checks (order ID, date) read everything.

Precision first, as for the message checker: a plan composed from complete facts gets no finding, and each
pattern names a phrasing reviewers object to, not a topic.
"""

from __future__ import annotations

import re
import unicodedata

from .form import NON_ENGLISH_RE

MAX_WORDS = 700
MAX_SENTENCES_PER_POINT = 3


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


# (opening, closing) quote pairs; a straight double quote closes itself. Quotes do not span lines, so an
# unbalanced quote mark cannot hide the rest of the plan from the checks.
_QUOTE_RE = re.compile(r'“[^”\n]*”|"[^"\n]*"|„[^“”\n]*[“”]|«[^»\n]*»|「[^」\n]*」|『[^』\n]*』')

_ORDER_RE = re.compile(r"(?<![0-9])[0-9]{3}-[0-9]{7}-[0-9]{7}(?![0-9])")
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE_RE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?!\d)"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?\b"
    rf"|\b{_MONTHS}\s+\d{{4}}\b",
    re.IGNORECASE,
)
_FREQUENCY_RE = re.compile(
    r"\b(?:daily|weekly|monthly|quarterly|yearly|annually|every\s+(?:\d+\s+)?(?:day|week|month|quarter|year)s?"
    r"|each\s+(?:day|week|month|quarter|year)|once\s+a\s+(?:day|week|month|quarter|year))\b",
    re.IGNORECASE,
)
# Section headings, by what they announce. A heading is a short line without a full stop or a date, possibly
# numbered ("3. Preventive measures:"); "Plan of Action" is a title, not the actions section.
_SECTION_KINDS = (
    ("prevent", re.compile(r"prevent", re.IGNORECASE)),
    ("cause", re.compile(r"root\s+cause|\bcauses?\b|what\s+happened|why\s+it\s+happened", re.IGNORECASE)),
    ("action", re.compile(r"actions?\s+(?:already\s+)?taken|corrective|immediate\s+actions?|"
                          r"what\s+we\s+(?:have\s+)?(?:already\s+)?done|resolv", re.IGNORECASE)),
)
_MEASURE_WORDS_RE = re.compile(
    r"\b(?:procedure|sop|checklist|polic(?:y|ies)|train\w*|audit\w*|review\w*|check\w*|approv\w*|"
    r"template\w*|request a review|permission\w*|escalat\w*|second person|supervis\w*)\b",
    re.IGNORECASE,
)
_POINT_RE = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-*•])[ \t]+", re.MULTILINE)

# Blaming the buyer or Amazon: reviewers read it as refusing responsibility.
_BLAME_RE = re.compile(
    r"\b(?:the|this|that|our)\s+(?:buyer|customer|client)\s+(?:\w+\s+)?(?:lied|was lying|is lying|is a liar|"
    r"was a liar|scammed|tried to (?:scam|cheat|trick)|(?:was|is) trying to (?:scam|cheat|trick)|is a scammer|was a scammer|cheated|provoked|abused|harassed|was wrong|"
    r"is wrong|was unreasonable|is unreasonable|left a fake|wrote a fake|left an unfair|"
    r"made it up|exaggerated)"
    r"|\b(?:unreasonable|malicious|dishonest|lying|fraudulent)\s+(?:buyer|customer|client)s?\b"
    r"|\bfake\s+(?:review|complaint|claim)s?\b"
    r"|\b(?:buyer|customer|client)(?:'s|’s|s')\s+fault\b|\bfault\s+of\s+the\s+(?:buyer|customer|client)\b"
    r"|\bamazon(?:'s|’s)?\s+(?:\w+\s+){0,2}(?:is|was|are|were)\s+(?:\w+\s+)?(?:unfair|wrong|mistaken|flawed|biased|"
    r"broken|unjust)"
    r"|\b(?:amazon|the\s+(?:system|algorithm|bot))\s+(?:made\s+a\s+mistake|got\s+it\s+wrong|wrongly|unfairly|"
    r"mistakenly)"
    r"|\b(?:unfair(?:ly)?|wrongly|wrongful(?:ly)?|unjust(?:ly)?)\s+(?:warn|flag|suspend|penali[sz]|punish|"
    r"accus|deactivat|restrict)\w*"
    r"|\b(?:unfair|unjust|wrongful)\s+(?:warning|suspension|decision|penalty)\b"
    r"|\bwe\s+did\s+(?:nothing|not\s+do\s+anything)\s+wrong\b|\bnot\s+our\s+fault\b|\bno\s+fault\s+of\s+ours\b",
    re.IGNORECASE,
)

# Absolute promises: reviewers want systemic measures, and nobody can guarantee zero mistakes.
_PROMISE_RE = re.compile(
    r"\b(?:will|shall|can|could)\s+never\s+(?:\w+\s+)?(?:happen|occur|be\s+repeated|recur)(?:\s+again)?\b"
    r"|\b(?:will|shall)\s+not\s+(?:\w+\s+)?(?:happen|occur|be\s+repeated|recur)\s+again\b"
    r"|\bnever\s+(?:happen|occur)s?\s+again\b|\bnever\s+again\b"
    r"|(?:\b100\s?%|\bone\s+hundred\s+percent)\s+(?:guarantee\w*|sure|certain|compliant|compliance|"
    r"error[- ]free|mistake[- ]free|safe|accura\w*)"
    # "guarantee" as a promise, not the noun of a product warranty or of the A-to-z Guarantee
    r"|\b(?:we|i)\s+(?:can\s+|will\s+|do\s+|hereby\s+)?guarantee\b"
    r"|\bguarantee\s+(?:that|this|it|no|zero|full|complete|total|there)\b"
    r"|\b(?:is|are|be)\s+guaranteed\b"
    r"|\bzero\s+(?:mistakes?|errors?|violations?|issues?|risk|chance)\b"
    r"|\bforever\b"
    r"|\b(?:completely|fully|totally)\s+(?:eliminat|eradicat)\w*"
    r"|\bno\s+(?:mistake|error|violation)s?\s+(?:will\s+)?ever\b",
    re.IGNORECASE,
)

# Stock phrases of appeal templates: they say nothing about this case and mark the plan as copied.
_FILLER_RE = re.compile(
    r"\bwe\s+(?:truly\s+|greatly\s+|highly\s+|deeply\s+)?value\s+(?:all\s+)?(?:our|your)\s+"
    r"(?:customers|buyers|clients|partnership)\b"
    r"|\bapologi[sz]e\s+for\s+any\s+(?:inconvenience|trouble|confusion)\b"
    r"|\bsorry\s+for\s+any\s+(?:inconvenience|trouble|confusion)\b"
    r"|\btake\s+(?:this|these|the|such)\s+(?:\w+\s+)?(?:matters?|issues?|concerns?|violations?)\s+"
    r"(?:very\s+|extremely\s+|most\s+)?seriously\b"
    r"|\b(?:customer|buyer)\s+satisfaction\s+is\s+(?:our|always\s+our)\s+(?:top|highest|number\s+one|first|main)\b"
    r"|\bcommitted\s+to\s+(?:providing|delivering|offering)\s+(?:the\s+best|excellent|exceptional|outstanding|"
    r"a\s+great|the\s+highest)\b"
    r"|\btake\s+(?:this|it)\s+(?:very\s+|extremely\s+|most\s+)?seriously\b"
    r"|\bwe\s+understand\s+the\s+importance\s+of\b"
    r"|\b(?:taken|take|taking)\s+(?:all\s+)?(?:the\s+)?(?:necessary|appropriate|required)\s+"
    r"(?:steps|measures|actions)\b"
    r"|\bwe\s+will\s+be\s+more\s+careful\b"
    r"|\bhighest\s+(?:standards?|level)\s+of\s+(?:customer\s+)?service\b",
    re.IGNORECASE,
)

# Live contact details. Order IDs and dates are masked first: `123-1234567-1234567` looks like a phone number.
# Each contact pattern starts only where its run of characters starts: starting inside a long run would make
# every position rescan the run (quadratic time on a long paste).
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# bare domains only in lower case: "the buyer.It was" (a missing space) is a typo, not a link
_DOMAIN_RE = re.compile(
    r"(?<![\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|shop|store|online|site|top|xyz|io|co|me|cn|hk|"
    r"de|fr|es|it|uk|jp|us|ca|au)\b(?:/\S*)?"
)
# Amazon's own pages (Seller Central help, the review page) are not contact details; "amazon.com.evil.com" is
_AMAZON_URL_RE = re.compile(r"(?:^|[/.])amazon\.(?:com?|[a-z]{2})(?:\.[a-z]{2})?(?:[/:?#]|$)", re.IGNORECASE)
_PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().-]{5,}\d(?!\w)")
_HANDLE_RE = re.compile(
    r"\b(?:whats\s?app|wechat|weixin|telegram|skype|viber|signal|line|instagram|facebook|wa|wx)"
    r"(?:\s+(?:id|number|no\.?|account|handle))?\s*[:：]\s*@?[\w.+-]{3,}"
    r"|\b(?:whats\s?app|wechat|telegram|skype|instagram|facebook)\s+@[\w.]{3,}",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bNo)[.!?](?=\s+|$)")


def _mask(text: str, pattern: re.Pattern) -> str:
    """``text`` with every match of ``pattern`` blanked out, offsets unchanged."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _finding(fid: str, severity: str, message: dict, hint: dict, text: str, span: tuple[int, int] | None) -> dict:
    return {
        "id": fid,
        "severity": severity,
        "message": message,
        "hint": hint,
        "span": list(span) if span else None,
        "text": text[span[0]:span[1]] if span else None,
    }


def _points(text: str) -> list[tuple[int, int]]:
    """Spans of numbered or bulleted points; a point runs to the next point or a blank line."""
    starts = [m.start() for m in _POINT_RE.finditer(text)]
    spans = []
    for i, start in enumerate(starts):
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        blank = text.find("\n\n", start, limit)
        end = blank if blank != -1 else limit
        spans.append((start, len(text[:end].rstrip())))
    return spans


def _headings(text: str) -> list[tuple[int, str | None]]:
    """(offset, kind) of each heading line; kind is "prevent", "cause", "action" or None (another heading)."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        body = line.group()
        stripped = body.strip().rstrip(":").strip()
        if (not stripped or len(stripped) > 60 or body[:1].isspace() or stripped.endswith((".", "!", "?"))
                or _DATE_RE.search(stripped) or _ORDER_RE.search(stripped)):
            continue
        kind = next((k for k, pattern in _SECTION_KINDS if pattern.search(stripped)), None)
        # a short numbered line is a point unless it names a section
        if _POINT_RE.match(body) and kind is None:
            continue
        out.append((line.start(), kind))
    return out


def _section_of(headings: list[tuple[int, str | None]], offset: int) -> str | None:
    kind = None
    for start, k in headings:
        if start > offset:
            break
        kind = k
    return kind


def _has_concrete_measure(text: str) -> bool:
    """A preventive point that says from when or how often. Under a "Preventive" heading any such point counts;
    a plan without that heading is searched outside its cause and action sections, for a point that also names
    a measure (training, a check, an audit…)."""
    headings = _headings(text)
    has_prevent = any(k == "prevent" for _, k in headings)
    for start, end in _points(text) or [(0, len(text))]:
        section = _section_of(headings, start)
        if start in {h for h, _ in headings}:
            continue  # a numbered heading is not a measure
        if has_prevent and section != "prevent":
            continue
        if not has_prevent and section in ("cause", "action"):
            continue
        point = unicodedata.normalize("NFKC", text[start:end])
        if not (_DATE_RE.search(point) or _FREQUENCY_RE.search(point)):
            continue
        if has_prevent or _MEASURE_WORDS_RE.search(point):
            return True
    return False


def check_plan(text: str) -> list[dict]:
    """Problems in an English Plan of Action, most serious first, then in reading order::

        [{"id": str, "severity": "block" | "warn" | "info",
          "message": {"en", "zh"}, "hint": {"en", "zh"},
          "span": [start, end] | None, "text": str | None}, …]

    ``span`` are code-point offsets into ``text`` (``text[start:end]`` is the flagged part); None when the
    finding is about something missing or about the whole plan. ids: missing-order-id, missing-date,
    missing-measure, blame, unrealistic-promise, generic-filler, too-long, long-point, non-english,
    contact-details.
    """
    if not isinstance(text, str):
        return []
    # full-width digits in order IDs and dates still count as specifics
    folded = unicodedata.normalize("NFKC", text)
    findings: list[dict] = []
    unquoted = _mask(text, _QUOTE_RE)

    # -- missing specifics -------------------------------------------------------------------------------
    if not _ORDER_RE.search(folded):
        findings.append(_finding(
            "missing-order-id", "warn",
            _t("The plan names no order ID.", "申诉信里没有订单号。"),
            _t("Name the affected order(s), e.g. 123-1234567-1234567: accepted appeals list them.",
               "写出涉及的订单号(如 123-1234567-1234567):通过的申诉都列出了订单号。"),
            text, None))
    if not _DATE_RE.search(folded):
        findings.append(_finding(
            "missing-date", "warn",
            _t("The plan gives no date.", "申诉信里没有任何日期。"),
            _t("Date what happened and what you did (YYYY-MM-DD): undated actions read as not done.",
               "写出事情发生和采取措施的日期(YYYY-MM-DD):没有日期的措施会被认为没有落实。"),
            text, None))
    if not _has_concrete_measure(text):
        findings.append(_finding(
            "missing-measure", "warn",
            _t("No concrete preventive measure: none names a date or how often it happens.",
               "没有具体的预防措施:没有一条写明日期或频率。"),
            _t("Under “Preventive measures”, list what you put in place, from when, who does it and how often "
               "(a written procedure, a pre-send check, training, a second reviewer, audits).",
               "在“预防措施”下写出具体做法、开始日期、负责人和频率(书面流程、发送前检查、培训、第二人审核、定期抽查)。"),
            text, None))

    # -- wording ------------------------------------------------------------------------------------------
    for m in _BLAME_RE.finditer(unquoted):
        findings.append(_finding(
            "blame", "block",
            _t("This blames the buyer or Amazon.", "这句话在指责买家或亚马逊。"),
            _t("Take responsibility for what your team sent; describe the buyer's or Amazon's part only as neutral "
               "facts, or leave it out.",
               "对团队发出的消息承担责任;买家或亚马逊方面的情况只陈述客观事实,或者不写。"),
            text, m.span()))
    for m in _PROMISE_RE.finditer(unquoted):
        findings.append(_finding(
            "unrealistic-promise", "warn",
            _t("This promise sounds unrealistic.", "这个承诺听起来不现实。"),
            _t("Promise only what you will actually do (a check, a review, an audit, with dates), not perfection.",
               "只承诺真正会做的事(检查、审核、抽查,并写明日期),不要承诺“永不再犯”。"),
            text, m.span()))
    for m in _FILLER_RE.finditer(unquoted):
        findings.append(_finding(
            "generic-filler", "warn",
            _t("Generic phrase copied from appeal templates.", "这是申诉模板里的套话。"),
            _t("Remove it or replace it with a fact of your case (who, what, when).",
               "删除它,或换成您这件事的具体事实(谁、做了什么、什么时候)。"),
            text, m.span()))

    # contact details: quoted ones are the evidence the plan must show; live ones are a new violation
    masked = _mask(_mask(unquoted, _ORDER_RE), _DATE_RE)
    contact_spans: list[tuple[int, int]] = []
    for m in _EMAIL_RE.finditer(masked):
        contact_spans.append(m.span())
    for m in (*_URL_RE.finditer(masked), *_DOMAIN_RE.finditer(masked)):
        if not _AMAZON_URL_RE.search(m.group().rstrip(".,;:!?)]}'\"")):
            # a link at the end of a sentence does not own the full stop after it
            contact_spans.append((m.start(), m.start() + len(m.group().rstrip(".,;:!?)]}'\""))))
    for m in _HANDLE_RE.finditer(masked):
        contact_spans.append(m.span())
    for m in _PHONE_RE.finditer(masked):
        digits = sum(c.isdigit() for c in m.group())
        if 7 <= digits <= 15:
            contact_spans.append(m.span())
    for start, end in _merge(contact_spans):
        findings.append(_finding(
            "contact-details", "block",
            _t("A live contact detail (email, phone, link or messenger ID) is in the plan.",
               "申诉信里出现了联系方式(邮箱、电话、链接或聊天账号)。"),
            _t("Quote an offending message only inside quotation marks as evidence; do not add contact details.",
               "违规消息只能放在引号里作为证据引用;不要在申诉信中写联系方式。"),
            text, (start, end)))

    # foreign script outside quotes, one finding per line
    for line in re.finditer(r"[^\n]+", unquoted):
        hits = list(NON_ENGLISH_RE.finditer(line.group()))
        if hits:
            span = (line.start() + hits[0].start(), line.start() + hits[-1].end())
            findings.append(_finding(
                "non-english", "block",
                _t("Non-English text in the English plan.", "英文申诉信中有非英文内容。"),
                _t("Translate it into English; only a quoted offending message may stay in its language.",
                   "请翻译成英文;只有引号内引用的违规原话可以保留原文。"),
                text, span))

    # -- length --------------------------------------------------------------------------------------------
    words = len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", text))
    if words > MAX_WORDS:
        findings.append(_finding(
            "too-long", "warn",
            _t(f"The plan has {words} words; reviewers expect short points (about {MAX_WORDS} words at most).",
               f"申诉信有 {words} 个英文单词;审核人员希望看到简短的要点(最多约 {MAX_WORDS} 词)。"),
            _t("Keep one fact per point and cut background the reviewer does not need.",
               "每条只写一个事实,删掉审核人员不需要的背景。"),
            text, None))
    for start, end in _points(text):
        # "1." numbers a point, it does not end a sentence (the marker ends where the point's text starts)
        body = unquoted[_POINT_RE.match(unquoted, start).end():max(end, start)].rstrip()
        if body and body[-1] not in ".!?":
            body += "."
        sentences = len(_SENTENCE_END_RE.findall(body))
        if sentences > MAX_SENTENCES_PER_POINT:
            findings.append(_finding(
                "long-point", "info",
                _t(f"This point has {sentences} sentences.", f"这一条有 {sentences} 句。"),
                _t(f"Split it: short numbered points of at most {MAX_SENTENCES_PER_POINT} sentences are easier to "
                   "review.", f"拆分它:每条不超过 {MAX_SENTENCES_PER_POINT} 句的编号要点更容易审核。"),
                text, (start, end)))

    order = {"block": 0, "warn": 1, "info": 2}
    findings.sort(key=lambda f: (order[f["severity"]], f["span"][0] if f["span"] else -1))
    return findings


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
