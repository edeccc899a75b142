"""What a check returns: findings on the draft's own characters, a verdict, and the policy reminders.

The JSON shape (``Report.to_dict()``) is the one documented in docs/ARCHITECTURE.md; the command line's
``--format json`` prints exactly this, and the page renders from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["Finding", "Report", "SEVERITY_RANK", "apply_fixes", "verdict_of"]

# Higher is more serious; the verdict and overlap resolution compare severities through this.
SEVERITY_RANK = {"info": 0, "warn": 1, "block": 2}


@dataclass(frozen=True)
class Finding:
    """One flagged span. ``text == draft[start:end]``; offsets count code points (not UTF-16 units).

    ``fix`` (None: no one-click fix) replaces ``draft[fix_start:fix_end]``. A rule's own fix replaces the
    finding's span (``fix_start``/``fix_end`` left None mean ``start``/``end``); a phrase rewrite
    (app/rewrites.py) may replace a wider range holding the finding ("contact me on WhatsApp +44 …").
    """

    rule: str
    category: str
    severity: str
    start: int
    end: int
    text: str
    title: Mapping[str, str] = field(hash=False, repr=False)
    message: Mapping[str, str] = field(hash=False, repr=False)
    suggestion: Mapping[str, str] = field(hash=False, repr=False)
    fix: str | None = None
    policy: str = ""
    fix_start: int | None = None
    fix_end: int | None = None

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "title": dict(self.title),
            "message": dict(self.message),
            "suggestion": dict(self.suggestion),
            "fix": self.fix,
            "fix_start": None if self.fix is None else (self.start if self.fix_start is None else self.fix_start),
            "fix_end": None if self.fix is None else (self.end if self.fix_end is None else self.fix_end),
            "policy": self.policy,
        }


def fix_range(finding: "Finding | Mapping") -> tuple[int, int]:
    """The code-point range ``finding``'s fix replaces: ``fix_start``/``fix_end`` (a phrase rewrite may be wider
    than the finding), else its own span. ``finding`` is a ``Finding`` or its ``to_dict()`` form (the page's)."""
    if isinstance(finding, Mapping):
        start, end, own = finding.get("fix_start"), finding.get("fix_end"), (finding["start"], finding["end"])
    else:
        start, end, own = finding.fix_start, finding.fix_end, (finding.start, finding.end)
    return (own[0] if start is None else start), (own[1] if end is None else end)


def apply_fixes(text: str, findings) -> str:
    """``text`` after the one-click fix of every finding that has one, each replacing its ``fix_range``; applied
    from the end so earlier offsets hold, the widest first among those ending together. A fix whose range overlaps one
    already applied is skipped (a phone number inside a rewrite of its whole sentence: the page re-checks after the
    first click, and the second is no longer there)."""
    out = text
    limit = len(text) + 1
    ranges = sorted(((*fix_range(f), f.fix) for f in findings if f.fix is not None), key=lambda r: (-r[1], r[0]))
    for start, end, fix in ranges:
        if end > limit:
            continue
        out = out[:start] + fix + out[end:]
        limit = start
    return out


def verdict_of(findings) -> str:
    """``fix`` when anything blocks, ``review`` when anything warns, else ``ok`` (info alone is ok)."""
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return ("ok", "review", "fix")[worst]


@dataclass(frozen=True)
class Report:
    """The result of ``app.check``.

    ``reminders`` holds, for each category hit (in order of first appearance), its title, policy reminder
    and sources — what the page shows under the list of findings. It is not part of ``to_dict()``, whose
    shape is pinned by the architecture document.
    """

    verdict: str
    findings: tuple[Finding, ...]
    lang: str
    reminders: tuple[Mapping, ...] = field(default=(), hash=False, repr=False)
    # False when ``check(settle=False)`` reported a piece from its last check instead of checking it again
    # (see app/engine.py ``check``); not part of ``to_dict()``.
    settled: bool = field(default=True, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        c = {"block": 0, "warn": 0, "info": 0}
        for f in self.findings:
            c[f.severity] += 1
        return c

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "lang": self.lang,
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
        }
