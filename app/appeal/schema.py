"""The appeal form as data: what the page renders and what ``validate_form`` and ``compose_plan`` read.

Everything here is plain dicts, lists and strings so the page can walk it without knowing Python types, and
every user-facing string is ``{"en": …, "zh": …}``. The form the page sends back has this shape::

    {
      "behaviours": ["review-compensation", …],            # ids of BEHAVIOURS
      "orders": "123-1234567-1234567, …" | [str, …],       # free text or a list; separators , ， 、 ; newline
      "messages": [{"text": str, "order": str, "date": "YYYY-MM-DD", "phrases": [str, …]}, …],
      "causes":   [{"kind": <cause id>,   <field id>: value, …}, …],
      "actions":  [{"kind": <action id>,  <field id>: value, …}, …],
      "measures": [{"kind": <measure id>, <field id>: value, …}, …],
    }

A ``role`` value is either the id of one of ROLES (rendered in the plan's language) or the seller's own words;
a ``choice`` value is the id of one of the field's ``choices``. Only ``messages[].text`` may be in any language:
it is the message that was sent to the buyer, quoted as evidence. Every other text is written into the English
plan as typed, so it must be English.
"""

from __future__ import annotations

import copy


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


# The four behaviours of the founding article, plus one for the rest of the catalogue, because the same
# "inappropriate communication" warning is also issued for marketing, links and review requests.
BEHAVIOURS: list[dict] = [
    {
        "id": "abusive",
        "label": _t("Rude or insulting language towards a buyer", "对买家使用辱骂或不礼貌的言语"),
        "help": _t("For example during a disagreement about a return or a review.",
                   "例如在退货或评论的争执中对买家出言不逊。"),
        # what the plan says the seller did (past tense, follows "we")
        "plan": _t("used rude or insulting language towards a buyer", "对买家使用了辱骂或不礼貌的言语"),
    },
    {
        "id": "contact-request",
        "label": _t("Asking the buyer for WhatsApp, email or other contact details (or giving yours)",
                    "向买家索要 WhatsApp、邮箱等联系方式(或提供自己的联系方式)"),
        "help": _t("Also asking for a phone number, a social-media account or other personal data.",
                   "也包括索要电话号码、社交账号或其他个人信息。"),
        # the engine's contact-details category covers both directions; the quotes show which one it was
        "plan": _t("asked a buyer for contact details outside Amazon or gave them ours",
                   "向买家索要或提供了亚马逊以外的联系方式"),
    },
    {
        "id": "off-platform",
        "label": _t("Contacting the buyer outside Buyer-Seller Messaging", "在站内信以外联系买家"),
        "help": _t("Also sending the buyer to another website, or moving a refund or payment off Amazon.",
                   "也包括引导买家去其他网站,或在亚马逊以外退款、付款。"),
        "plan": _t("contacted a buyer or directed them outside Amazon's Buyer-Seller Messaging",
                   "在亚马逊买家与卖家消息服务以外联系或引导了买家"),
    },
    {
        "id": "review-compensation",
        "label": _t("Offering a refund or compensation for removing or changing a review",
                    "以退款或补偿换取买家删除差评或修改评论"),
        "help": _t("Any refund, gift, discount or free product tied to a review or to seller feedback.",
                   "任何与评论或卖家反馈挂钩的退款、礼品、折扣或免费产品。"),
        "plan": _t("offered a buyer a refund or compensation in exchange for removing or changing a review",
                   "以退款或补偿为条件要求买家删除或修改评论"),
    },
    {
        "id": "other-content",
        "label": _t("Other content not allowed (marketing, links, asking for a positive review, asking to cancel)",
                    "其他不允许的内容(营销、链接、索要好评、要求买家取消订单)"),
        "help": _t("Content the Communication Guidelines do not allow in buyer messages.",
                   "沟通指南不允许在买家消息中出现的内容。"),
        "plan": _t("sent a buyer content that Amazon's Communication Guidelines do not allow",
                   "向买家发送了亚马逊沟通指南不允许的内容"),
    },
]

# Engine categories (rules/categories.toml, app.check findings) to the behaviour they are evidence of, used to
# prefill the form from a draft's findings. None: style findings (emoji, markup, a needless message) are not what
# an inappropriate-communication warning is about, so they prefill nothing. The seller confirms every prefill.
CATEGORY_TO_BEHAVIOUR: dict[str, str | None] = {
    "abusive": "abusive",
    "contact-details": "contact-request",
    "sensitive-data": "contact-request",
    "off-platform": "off-platform",
    "external-link": "off-platform",
    "review-manipulation": "review-compensation",
    "marketing": "other-content",
    "cancel-request": "other-content",
    "important-tag": "other-content",
    "emoji": None,
    "html-markup": None,
    "unnecessary-message": None,
    "own-terms": "off-platform",  # the seller's own website, phone or shop name elsewhere: contact moved off Amazon
}

# Roles offered as choices so that the English plan gets English role names even when the seller uses the
# Chinese interface. A seller may type another role instead (in English).
ROLES: list[dict] = [
    {"id": "customer-service-agent", "label": _t("customer service agent", "客服专员")},
    {"id": "customer-service-lead", "label": _t("customer service supervisor", "客服主管")},
    {"id": "operations-specialist", "label": _t("store operations specialist", "运营专员")},
    {"id": "store-manager", "label": _t("store manager", "店铺负责人")},
    {"id": "owner", "label": _t("store owner", "店主")},
    {"id": "virtual-assistant", "label": _t("virtual assistant (VA)", "虚拟助理(VA)")},
    {"id": "outside-agency", "label": _t("outside service agency", "外包代运营公司")},
]

FREQUENCIES: list[dict] = [
    {"id": "weekly", "label": _t("Weekly", "每周"), "plan": _t("every week", "每周"),
     "period": _t("week", "周")},
    {"id": "monthly", "label": _t("Monthly", "每月"), "plan": _t("every month", "每月"),
     "period": _t("month", "个月")},
    {"id": "quarterly", "label": _t("Quarterly", "每季度"), "plan": _t("every quarter", "每季度"),
     "period": _t("quarter", "季度")},
]

REVIEW_SCOPES: list[dict] = [
    {"id": "disputes", "label": _t("Messages in disputes, returns and negative-feedback cases",
                                  "争议、退货和差评相关的消息"),
     "plan": _t("every message in a dispute, return or negative-feedback case", "每一条争议、退货或差评相关的消息")},
    {"id": "all", "label": _t("Every message to a buyer", "所有发给买家的消息"),
     "plan": _t("every message to a buyer", "每一条发给买家的消息")},
]

AMAZON_TOOL_SCOPES: list[dict] = [
    {"id": "review-requests", "label": _t("Review requests: only Amazon's Request a Review button",
                                         "索评:只用亚马逊的“请求评论”按钮")},
    {"id": "proactive", "label": _t("Proactive messages: only Amazon's message templates",
                                   "主动消息:只用亚马逊的消息模板")},
    {"id": "both", "label": _t("Both", "两者都是")},
]


def _field(fid: str, ftype: str, required: bool, label: dict, help_: dict, **extra) -> dict:
    field = {"id": fid, "type": ftype, "required": required, "label": label, "help": help_}
    field.update(extra)
    return field


def _role(required: bool, label: dict, help_: dict) -> dict:
    return _field("role", "role", required, label, help_)


def _date(required: bool, label: dict, help_: dict) -> dict:
    return _field("date", "date", required, label, help_)


def _text(fid: str, required: bool, label: dict, help_: dict, *, long: bool = True) -> dict:
    return _field(fid, "textarea" if long else "text", required, label, help_)


_EN_ONLY = _t(" Write it in English: it goes into the plan as you type it.",
              " 请用英文填写:内容会原样写进英文申诉信。")


def _en(help_: dict) -> dict:
    return {"en": help_["en"] + _EN_ONLY["en"], "zh": help_["zh"] + _EN_ONLY["zh"]}


CAUSES: list[dict] = [
    {
        "id": "untrained-staff",
        "label": _t("Staff not trained on Amazon's messaging rules", "员工缺乏亚马逊沟通规则培训"),
        "help": _t("Who wrote the message, when, and what they did not know.",
                   "谁写的消息、什么时候、他们不了解哪条规则。"),
        "fields": [
            _role(True, _t("Who (role)", "谁(岗位)"), _t("The role of the person who wrote the message.",
                                                          "写这条消息的人的岗位。")),
            _date(False, _t("When", "时间"), _t("The day the message was written.", "写这条消息的日期。")),
            _text("details", True, _t("What happened", "具体经过"),
                  _en(_t("What they wrote and which rule they did not know.", "他们写了什么、不了解哪条规则。"))),
        ],
    },
    {
        "id": "emotional-reply",
        "label": _t("Emotional reply during a dispute", "争执中情绪化回复"),
        "help": _t("Who replied, when, and what the dispute was about.", "谁回复的、什么时候、因为什么争执。"),
        "fields": [
            _role(True, _t("Who (role)", "谁(岗位)"), _t("The role of the person who replied.", "回复者的岗位。")),
            _date(False, _t("When", "时间"), _t("The day of the reply.", "回复的日期。")),
            _text("details", True, _t("What happened", "具体经过"),
                  _en(_t("What the dispute was about and how the reply went wrong.",
                         "争执的起因,以及回复哪里出了问题。"))),
        ],
    },
    {
        "id": "template-tool",
        "label": _t("A template or tool containing banned content", "模板或工具中含有违规内容"),
        "help": _t("Which template or tool, since when, and what banned content it contained.",
                   "哪个模板或工具、从什么时候开始用、含有什么违规内容。"),
        "fields": [
            _text("name", True, _t("Template or tool", "模板或工具名称"),
                  _en(_t("Its name as it appears in your tool.", "它在工具里的名称。")), long=False),
            _date(False, _t("In use since", "开始使用日期"), _t("When it started to be used.", "开始使用的日期。")),
            _role(False, _t("Set up by (role)", "设置者(岗位)"), _t("Who set it up.", "谁设置的。")),
            _text("details", True, _t("What it contained", "含有什么内容"),
                  _en(_t("The banned content in the template.", "模板里的违规内容。"))),
        ],
    },
    {
        "id": "outside-agent",
        "label": _t("Outside agent or VA without oversight", "外包人员或虚拟助理缺乏监督"),
        "help": _t("Who the agent was, since when they handled messages, and what they sent unchecked.",
                   "外包方是谁、从什么时候开始负责消息、未经检查发出了什么。"),
        "fields": [
            _role(True, _t("Who (role)", "谁(岗位)"), _t("For example a virtual assistant or an agency.",
                                                          "例如虚拟助理或代运营公司。")),
            _date(False, _t("Handling messages since", "开始负责消息的日期"),
                  _t("When they started to answer buyers.", "开始回复买家的日期。")),
            _text("details", True, _t("What happened", "具体经过"),
                  _en(_t("What they sent and why nobody checked it.", "他们发了什么、为什么没人检查。"))),
        ],
    },
    {
        "id": "other",
        "label": _t("Other cause", "其他原因"),
        "help": _t("Describe the real cause in your own words.", "用自己的话写出真实原因。"),
        "fields": [
            _role(False, _t("Who (role)", "谁(岗位)"), _t("If a person was involved.", "如涉及具体人员。")),
            _date(False, _t("When", "时间"), _t("When it happened.", "发生的日期。")),
            _text("details", True, _t("What happened", "具体经过"),
                  _en(_t("The cause, concretely.", "具体的原因。"))),
        ],
    },
]

ACTIONS: list[dict] = [
    {
        "id": "remove-template",
        "label": _t("Removed the template or automation", "删除了模板或自动化规则"),
        "help": _t("Which template, and the day it was removed.", "哪个模板、哪天删除的。"),
        "fields": [
            _text("name", True, _t("Template or tool", "模板或工具名称"),
                  _en(_t("Its name as it appears in your tool.", "它在工具里的名称。")), long=False),
            _date(True, _t("Date", "日期"), _t("The day it was removed.", "删除的日期。")),
            _text("details", False, _t("Details", "补充说明"),
                  _en(_t("For example what replaced it.", "例如用什么替代了它。"))),
        ],
    },
    {
        "id": "retrain-person",
        "label": _t("Retrained the person who sent the message", "对发消息的人重新培训"),
        "help": _t("Who, when, on what, and who gave the training.", "谁、什么时候、培训了什么、由谁培训。"),
        "fields": [
            _role(True, _t("Who (role)", "谁(岗位)"), _t("The person who was retrained.", "接受培训的人。")),
            _date(True, _t("Date", "日期"), _t("The day of the training.", "培训日期。")),
            _text("topic", True, _t("On what", "培训内容"),
                  _en(_t("For example: Amazon Communication Guidelines and Seller Code of Conduct.",
                         "例如:亚马逊沟通指南和卖家行为准则。")), long=False),
            _field("trainer", "role", False, _t("Given by (role)", "培训人(岗位)"),
                   _t("Who gave the training.", "谁做的培训。")),
        ],
    },
    {
        "id": "revoke-access",
        "label": _t("Removed the person's messaging permissions", "取消了此人的站内信权限"),
        "help": _t("Whose Seller Central permissions were removed, and when.", "取消了谁的卖家平台权限、什么时候。"),
        "fields": [
            _role(True, _t("Whose (role)", "谁的(岗位)"), _t("The person whose permissions were removed.",
                                                             "被取消权限的人。")),
            _date(True, _t("Date", "日期"), _t("The day the permissions were removed.", "取消权限的日期。")),
            _text("details", False, _t("Details", "补充说明"),
                  _en(_t("For example who answers buyers now.", "例如现在由谁回复买家。"))),
        ],
    },
    {
        "id": "audit-messages",
        "label": _t("Reviewed the messages already sent", "检查了已发送的消息"),
        "help": _t("Which messages you reviewed, when, and what you found.", "检查了哪些消息、什么时候、发现了什么。"),
        "fields": [
            _date(True, _t("Date", "日期"), _t("The day the review was finished.", "检查完成的日期。")),
            _text("scope", True, _t("Which messages", "检查范围"),
                  _en(_t("For example: all 212 buyer messages sent since 2024-01-01.",
                         "例如:all 212 buyer messages sent since 2024-01-01。")), long=False),
            _text("result", True, _t("What you found", "检查结果"),
                  _en(_t("For example: no other message contained contact details.",
                         "例如:no other message contained contact details。"))),
        ],
    },
    {
        "id": "other",
        "label": _t("Other action", "其他措施"),
        "help": _t("What you did and when.", "做了什么、什么时候。"),
        "fields": [
            _date(True, _t("Date", "日期"), _t("The day it was done.", "完成日期。")),
            _text("details", True, _t("What you did", "做了什么"), _en(_t("Concretely.", "写具体。"))),
        ],
    },
]

MEASURES: list[dict] = [
    {
        "id": "written-sop",
        "label": _t("Written messaging procedure (SOP)", "书面的站内信沟通流程(SOP)"),
        "help": _t("Its name, from when it applies, who maintains it, and its key rules.",
                   "名称、生效日期、负责人和主要规则。"),
        "fields": [
            _text("name", False, _t("Name of the document", "文件名称"),
                  _en(_t("As your team knows it.", "团队内部的叫法。")), long=False),
            _date(True, _t("In force from", "生效日期"), _t("The day it applies from.", "开始执行的日期。")),
            _role(False, _t("Maintained by (role)", "负责人(岗位)"), _t("Who keeps it up to date.", "谁负责更新。")),
            _text("details", True, _t("Key rules", "主要规则"),
                  _en(_t("For example: no contact details, no review requests except Request a Review.",
                         "例如:no contact details, no review requests except Request a Review。"))),
        ],
    },
    {
        "id": "pre-send-check",
        "label": _t("Check every message with this page before sending", "发送前用本页面检查每条消息"),
        "help": _t("Who checks, and from when.", "谁检查、从什么时候开始。"),
        "fields": [
            _role(True, _t("Who checks (role)", "谁检查(岗位)"), _t("Who runs the check.", "由谁检查。")),
            _date(True, _t("From", "开始日期"), _t("The first day of the check.", "开始检查的日期。")),
            _text("details", False, _t("Details", "补充说明"), _en(_t("Optional.", "可选。"))),
        ],
    },
    {
        "id": "training",
        "label": _t("Training on the messaging rules", "沟通规则培训"),
        "help": _t("On what, for whom, when, by whom, and how often.", "培训内容、对象、日期、培训人、频率。"),
        "fields": [
            _text("topic", True, _t("On what", "培训内容"),
                  _en(_t("For example: Amazon Communication Guidelines and Seller Code of Conduct.",
                         "例如:Amazon Communication Guidelines and Seller Code of Conduct。")), long=False),
            _role(True, _t("For whom (role)", "培训对象(岗位)"), _t("Who attends.", "谁参加。")),
            _date(True, _t("Date", "日期"), _t("The day of the (first) session.", "(首次)培训日期。")),
            _field("trainer", "role", False, _t("Given by (role)", "培训人(岗位)"),
                   _t("Who gives the training.", "谁来培训。")),
            _field("frequency", "choice", False, _t("Repeated", "重复频率"), _t("Optional.", "可选。"),
                   choices=FREQUENCIES),
        ],
    },
    {
        "id": "second-reviewer",
        "label": _t("A second person reviews messages before sending", "发送前由第二个人审核"),
        "help": _t("Who reviews, which messages, and from when.", "谁审核、审核哪些消息、从什么时候开始。"),
        "fields": [
            _role(True, _t("Reviewer (role)", "审核人(岗位)"), _t("Who reviews.", "由谁审核。")),
            _field("scope", "choice", True, _t("Which messages", "审核哪些消息"),
                   _t("Disputes are where emotional replies happen.", "情绪化回复多发生在争议中。"), choices=REVIEW_SCOPES),
            _date(True, _t("From", "开始日期"), _t("The first day of the review.", "开始审核的日期。")),
        ],
    },
    {
        "id": "periodic-audit",
        "label": _t("Periodic audit of sent messages", "定期抽查已发送的消息"),
        "help": _t("How often, by whom, and from when.", "频率、负责人、开始日期。"),
        "fields": [
            _field("frequency", "choice", True, _t("How often", "频率"),
                   _t("Each audit covers the messages since the previous one.", "每次抽查覆盖上次抽查以来的消息。"),
                   choices=FREQUENCIES),
            _role(True, _t("Auditor (role)", "负责人(岗位)"), _t("Who audits.", "由谁抽查。")),
            _date(True, _t("First audit", "首次抽查日期"), _t("The day of the first audit.", "首次抽查的日期。")),
            _text("details", False, _t("Details", "补充说明"), _en(_t("Optional.", "可选。"))),
        ],
    },
    {
        "id": "amazon-tools-only",
        "label": _t("Use only Amazon's templates / Request a Review", "只用亚马逊模板 / “请求评论”按钮"),
        "help": _t("Which messages, and from when.", "哪类消息、从什么时候开始。"),
        "fields": [
            _field("scope", "choice", True, _t("For", "适用于"),
                   _t("Amazon's own tools cannot contain banned content.", "亚马逊自带的工具不会含有违规内容。"),
                   choices=AMAZON_TOOL_SCOPES),
            _date(True, _t("From", "开始日期"), _t("The first day.", "开始日期。")),
            _text("details", False, _t("Details", "补充说明"),
                  _en(_t("For example which automation was switched off.", "例如关闭了哪个自动化工具。"))),
        ],
    },
    {
        "id": "escalate-disputes",
        "label": _t("Escalate disputes to Amazon instead of arguing", "争议交给亚马逊处理,不与买家争辩"),
        "help": _t("Who escalates, and from when.", "由谁提交、从什么时候开始。"),
        "fields": [
            _role(False, _t("Who escalates (role)", "谁负责提交(岗位)"), _t("Optional.", "可选。")),
            _date(True, _t("From", "开始日期"), _t("The first day.", "开始日期。")),
            _text("details", False, _t("Details", "补充说明"), _en(_t("Optional.", "可选。"))),
        ],
    },
    {
        "id": "other",
        "label": _t("Other measure", "其他预防措施"),
        "help": _t("What you will do and from when.", "做什么、从什么时候开始。"),
        "fields": [
            _date(True, _t("From", "开始日期"), _t("The first day.", "开始日期。")),
            _text("details", True, _t("What", "措施内容"), _en(_t("Concretely.", "写具体。"))),
        ],
    },
]

MESSAGE_FIELDS: list[dict] = [
    _field("text", "textarea", True, _t("Message as sent", "原消息"),
           _t("Paste the message exactly as it was sent, in any language; it is checked and quoted.",
              "原样粘贴发出的消息(任何语言均可),会被检查并在申诉信中引用。"), any_language=True),
    _field("order", "order", False, _t("Order ID", "订单号"), _t("The order the message was about.",
                                                               "这条消息对应的订单。")),
    _field("date", "date", False, _t("Sent on", "发送日期"), _t("The day it was sent.", "发送日期。")),
    _field("phrases", "phrases", False, _t("Phrases that broke the rules", "违规的语句"),
           _t("Prefilled with what the checker flags; remove or add exact words from the message.",
              "已预填检查器标出的内容;可删除,或添加消息中的原话。"), any_language=True),
]

SCHEMA: dict = {
    "version": 1,
    "title": _t("Appeal (Plan of Action)", "申诉助手(POA)"),
    "help": _t("Amazon asks for three parts: the root cause, the actions already taken and the measures that "
               "prevent it. Give real facts: a plan copied from a template is rejected. Nothing you type leaves "
               "this browser.",
               "亚马逊要求申诉信包含三部分:根本原因、已采取的措施、预防措施。请填写真实情况:照搬模板的申诉会被拒绝。"
               "您输入的内容不会离开本浏览器。"),
    "sections": [
        {"id": "behaviours", "type": "multi-choice", "required": True,
         "label": _t("What was wrong", "违规行为"),
         "help": _t("Tick everything that happened; prefilled from the checker's findings.",
                    "勾选所有发生过的行为;已根据检查结果预填。"),
         "choices": BEHAVIOURS},
        {"id": "orders", "type": "order-list", "required": True,
         "label": _t("Affected order IDs", "涉及的订单号"),
         "help": _t("One or more, like 123-1234567-1234567, separated by commas or new lines.",
                    "一个或多个,格式如 123-1234567-1234567,用逗号或换行分隔。"),
         "placeholder": "123-1234567-1234567"},
        {"id": "messages", "type": "list", "required": True,
         "label": _t("The message(s) that broke the rules", "违规的消息"),
         "help": _t("Find them in your sent messages; the plan quotes exactly what was wrong.",
                    "请在已发送消息中找出来;申诉信会逐字引用违规的内容。"),
         "fields": MESSAGE_FIELDS},
        {"id": "causes", "type": "kinds", "required": True,
         "label": _t("Root cause", "根本原因"),
         "help": _t("Why it happened. Take responsibility; do not blame the buyer or Amazon.",
                    "为什么会发生。承担责任,不要指责买家或亚马逊。"),
         "kinds": CAUSES},
        {"id": "actions", "type": "kinds", "required": True,
         "label": _t("Actions already taken", "已采取的措施"),
         "help": _t("Only what is already done, with the date.", "只写已经完成的事,并写上日期。"),
         "kinds": ACTIONS},
        {"id": "measures", "type": "kinds", "required": True,
         "label": _t("Preventive measures", "预防措施"),
         "help": _t("What stops it happening again. Only promise what you will really do.",
                    "怎样防止再次发生。只承诺真正会做的事。"),
         "kinds": MEASURES},
    ],
    "roles": ROLES,
}


def form_schema() -> dict:
    """The schema as a fresh copy, so a caller that annotates it cannot change what validation reads."""
    return copy.deepcopy(SCHEMA)


def kinds_of(section: str) -> dict[str, dict]:
    """The kinds of a ``kinds`` section by id (``causes``, ``actions``, ``measures``)."""
    for sec in SCHEMA["sections"]:
        if sec["id"] == section:
            return {k["id"]: k for k in sec["kinds"]}
    raise KeyError(section)


def choice_by_id(choices: list[dict], cid: str) -> dict | None:
    for c in choices:
        if c["id"] == cid:
            return c
    return None
