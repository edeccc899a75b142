"""Command line: check message templates in bulk, and keep the generated rule catalogue current.

    python -m app check [FILE ... | -] [--jsonl FILE] [--format text|json] [--ui-lang zh|en] [--lang CODE]
    python -m app docs [--check | --write]
    python -m app rule RULE_ID [--ui-lang zh|en]

``check`` exits 0 when nothing is flagged at block/warn, 1 when something is, 2 on bad usage or input
(the message names the file and, where there is one, the line). ``--jsonl FILE`` (``-`` = stdin) reads
one ``{"id": …, "text": …}`` object per line (an optional ``"lang"`` overrides ``--lang`` for that line)
and writes one ``{"id": …, "verdict": …, "findings": […]}`` line per input line, in order; blank lines
are skipped. ``--format json`` on files writes one object per file: the documented report shape plus
``"file"``. The text format prints ``file:line:column``, the severity and rule, the message in the chosen
interface language, and the line with the flagged text underlined (CJK characters take two columns).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from bisect import bisect_right
from pathlib import Path
from typing import Iterable, TextIO

from .catalogue import LANGUAGES, CatalogueError, catalogue_markdown, load_catalogue
from . import check  # the public check: findings plus their one-click phrase rewrites
from .engine import default_catalogue
from .report import Report

__all__ = ["main"]

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE = 0, 1, 2
_SEV_ZH = {"block": "阻止", "warn": "警告", "info": "提示"}
_DOCS = Path(__file__).resolve().parent.parent / "docs" / "RULES.md"


class InputError(Exception):
    """Bad input: the message names the file (and line) and is printed as is, with exit code 2."""


# -------------------------------------------------------------------------------------------------- input


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(
            f"{name}:{line}:{col}: not valid UTF-8 (byte offset {e.start}: {e.reason}); save the file as UTF-8"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text  # a BOM is an encoding mark, not text


def _read(name: str, stdin: TextIO) -> str:
    if name == "-":
        buf = getattr(stdin, "buffer", None)
        data = buf.read() if buf is not None else stdin.read().encode("utf-8", "surrogatepass")
        return _decode(data, "<stdin>")
    path = Path(name)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory; give the files inside it") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None
    return _decode(data, name)


def _jsonl_records(name: str, stdin: TextIO) -> list[tuple[int, object, str, str | None]]:
    text = _read(name, stdin)
    shown = "<stdin>" if name == "-" else name
    records = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{shown}:{lineno}: invalid JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(obj, dict):
            raise InputError(f'{shown}:{lineno}: expected an object like {{"id": …, "text": …}}')
        if "text" not in obj:
            raise InputError(f'{shown}:{lineno}: missing "text"')
        if not isinstance(obj["text"], str):
            raise InputError(f'{shown}:{lineno}: "text" must be a string, not {type(obj["text"]).__name__}')
        lang = obj.get("lang")
        if lang is not None and lang not in LANGUAGES:
            raise InputError(f'{shown}:{lineno}: "lang" {lang!r} is not one of {", ".join(LANGUAGES)}')
        records.append((lineno, obj.get("id"), obj["text"], lang))
    return records


# ------------------------------------------------------------------------------------------------- output


def _width(s: str) -> int:
    """Terminal columns of ``s``: wide/full-width characters take 2, combining marks 0."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f\ufe0e":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _underline(prefix: str, flagged: str) -> str:
    # Tabs are copied so the carets line up under the same tab stops as the text above.
    pad = "".join(ch if ch == "\t" else " " * _width(ch) for ch in prefix)
    return pad + "^" * max(1, _width(flagged))


def _text_report(name: str, text: str, report: Report, ui: str, out: TextIO) -> None:
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for f in report.findings:
        li = bisect_right(line_starts, f.start) - 1
        ls = line_starts[li]
        le = text.find("\n", ls)
        le = len(text) if le == -1 else le
        line = text[ls:le].rstrip("\r")
        col = f.start - ls + 1
        sev = f.severity if ui == "en" else f"{_SEV_ZH[f.severity]} {f.severity}"
        out.write(f"{name}:{li + 1}:{col}: {sev} {f.rule}: {f.message[ui]}\n")
        flagged = text[f.start:min(f.end, ls + len(line))]
        out.write(f"    {line}\n")
        out.write(f"    {_underline(line[: f.start - ls], flagged)}{'…' if f.end > ls + len(line) else ''}\n")
        out.write(f"    → {f.suggestion[ui]}\n")


def _summary(results: Iterable[Report], ui: str) -> str:
    counts = {"block": 0, "warn": 0, "info": 0}
    n = 0
    for r in results:
        n += 1
        for k, v in r.counts.items():
            counts[k] += v
    if ui == "zh":
        return f"检查了 {n} 条：阻止 {counts['block']}，警告 {counts['warn']}，提示 {counts['info']}\n"
    return f"{n} checked: {counts['block']} block, {counts['warn']} warn, {counts['info']} info\n"


def _flagged(report: Report) -> bool:
    return report.verdict != "ok"


# --------------------------------------------------------------------------------------------- commands


def _cmd_check(args, stdin: TextIO, out: TextIO) -> int:
    if not args.files and args.jsonl is None:
        raise InputError("nothing to check: give FILE …, - (standard input) or --jsonl FILE")
    default_catalogue()  # a broken catalogue is reported before any output
    any_flagged = False
    if args.jsonl is not None:
        if args.files:
            raise InputError("give either FILE … or --jsonl FILE, not both")
        records = _jsonl_records(args.jsonl, stdin)  # all lines validated before any output
        reports = []
        for _lineno, rid, text, lang in records:
            report = check(text, lang=lang or args.lang)
            reports.append(report)
            any_flagged |= _flagged(report)
            d = report.to_dict()
            out.write(json.dumps({"id": rid, "verdict": d["verdict"], "findings": d["findings"]}, ensure_ascii=False))
            out.write("\n")
        return EXIT_FLAGGED if any_flagged else EXIT_OK
    texts = [(("<stdin>" if name == "-" else name), _read(name, stdin)) for name in args.files]
    reports = []
    for name, text in texts:
        report = check(text, lang=args.lang)
        reports.append(report)
        any_flagged |= _flagged(report)
        if args.format == "json":
            out.write(json.dumps({"file": name, **report.to_dict()}, ensure_ascii=False) + "\n")
        else:
            _text_report(name, text, report, args.ui_lang, out)
    if args.format == "text":
        out.write(_summary(reports, args.ui_lang))
    return EXIT_FLAGGED if any_flagged else EXIT_OK


def _cmd_docs(args, out: TextIO) -> int:
    md = catalogue_markdown(load_catalogue())
    if args.write:
        _DOCS.parent.mkdir(parents=True, exist_ok=True)
        _DOCS.write_text(md, encoding="utf-8")
        out.write(f"wrote {_DOCS}\n")
        return EXIT_OK
    if args.check:
        current = _DOCS.read_text(encoding="utf-8") if _DOCS.is_file() else None
        if current != md:
            out.write(f"{_DOCS} is stale: run `python -m app docs --write` and commit it\n")
            return EXIT_FLAGGED
        out.write(f"{_DOCS} is up to date\n")
        return EXIT_OK
    out.write(md)
    return EXIT_OK


def _cmd_rule(args, out: TextIO) -> int:
    cat = default_catalogue()
    try:
        r = cat.rule(args.rule_id)
    except KeyError:
        near = [x.id for x in cat.rules if args.rule_id in x.id]
        hint = f"; did you mean {', '.join(near[:5])}?" if near else ""
        raise InputError(f"no rule {args.rule_id!r}{hint}") from None
    ui = args.ui_lang
    c = cat.categories[r.category]
    langs = "any" if r.any_language else ", ".join(r.languages)
    out.write(f"{r.id} — {r.title[ui]}\n")
    out.write(f"category {r.category} ({c.title[ui]}), severity {r.severity}, languages {langs}, file {r.file}\n\n")
    out.write(f"{r.message[ui]}\n\n→ {r.suggestion[ui]}\n\n{c.reminder[ui]}\n\n")
    for ex in r.bad:
        out.write(f"  ✗ {ex}\n")
    for ex in r.good:
        out.write(f"  ✓ {ex}\n")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m app", description="Buyer-message checker (站内信合规检查).")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check message files, standard input or a JSON-lines file")
    c.add_argument("files", nargs="*", metavar="FILE", help="files to check; - reads standard input")
    c.add_argument("--jsonl", metavar="FILE", help='JSON lines {"id": …, "text": …}; - reads standard input')
    c.add_argument("--format", choices=("text", "json"), default="text", help="output for FILE arguments")
    c.add_argument("--ui-lang", choices=("zh", "en"), default="en", help="language of the messages")
    c.add_argument("--lang", choices=LANGUAGES, help="language of the drafts (default: detected)")
    d = sub.add_parser("docs", help="print, write or check docs/RULES.md (the generated rule catalogue)")
    g = d.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="exit 1 when docs/RULES.md is stale")
    g.add_argument("--write", action="store_true", help="regenerate docs/RULES.md")
    r = sub.add_parser("rule", help="explain one rule")
    r.add_argument("rule_id")
    r.add_argument("--ui-lang", choices=("zh", "en"), default="en")
    return p


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    for stream in (out, err):
        # Chinese text and lone surrogates must print whatever the terminal's locale says.
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - detached or unusual streams
                pass
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse already printed the usage error
        return EXIT_USAGE if e.code not in (0, None) else EXIT_OK
    try:
        if args.command == "check":
            return _cmd_check(args, stdin, out)
        if args.command == "docs":
            return _cmd_docs(args, out)
        return _cmd_rule(args, out)
    except InputError as e:
        err.write(f"error: {e}\n")
        return EXIT_USAGE
    except CatalogueError as e:
        err.write(f"error: the rule catalogue is invalid:\n{e}\n")
        return EXIT_USAGE
