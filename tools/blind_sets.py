"""The blind-author cycle that measures the checker on unseen text (README "How well it checks").

Each round, new authors who read nothing but ../shared/policy.md write a set of messages (three mixed sets and one
set of clean look-alikes, 140 each, two letters per author: ``en-gc01``). Before a set becomes the holdout it is
scanned for near-copies of older messages, which are left out by id; after the round that fixes what it missed,
it moves into the main corpus and the next set takes its place.

    python tools/blind_sets.py brief CODE mixed|clean TRADE DEADLINE [--out DIR]
    python tools/blind_sets.py engineer ROUND TAG AREA AREA_TEXT FILES DEADLINE
    python tools/blind_sets.py nearcopy DIR CODE [CODE ...]
    python tools/blind_sets.py merge DIR CODE [CODE ...] [--skip ID,ID]
    python tools/blind_sets.py move
    python tools/blind_sets.py perset [--list fp|fn]
    python tools/blind_sets.py spread [--min-sole N]

``brief`` fills tools/blind_sets/brief-<kind>.md for one author (the authors' folder DIR/CODE/ is theirs alone);
``engineer`` fills tools/blind_sets/brief-engineer.md for one rule engineer of a round (AREA_TEXT names the main
corpus's misses and false alarms in that area — never the holdout's; FILES the rule files that engineer owns);
``nearcopy`` lists new messages too close to an older one or to each other, by the corpus test's own rule (difflib
ratio over 0.85, corpus_metrics.near_duplicates) and by a looser one that catches reworded templates (character 5-gram
Jaccard over 0.40 on NFKC-folded text); ``merge`` writes the sets into the (empty) holdout, leaving out the ids
given and the allowances of clean messages (a clean message allows nothing); ``move`` appends the holdout to the
main corpus and empties it; ``perset`` reads the holdout per author set with the checker of this checkout;
``spread`` lists, per rule, the author sets of its finds in the main corpus (a rule finding alone in one set only
is an overfit suspect).
Update ``ID_PATTERN`` in tests/test_corpus.py by hand when a set moves (the codes are the record of which set
was read when).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import corpus_metrics as cm  # noqa: E402

HERE = Path(__file__).resolve().parent / "blind_sets"
JACCARD = 0.40
GRAM = 5


def brief(code: str, kind: str, trade: str, deadline: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", code):
        raise SystemExit(f"brief: the set code must be two small letters, not {code!r}")
    template = (HERE / f"brief-{kind}.md").read_text(encoding="utf-8")
    return template.replace("{CODE}", code).replace("{DEADLINE}", deadline).replace("{TRADE}", trade)


def engineer_brief(round_: str, tag: str, area: str, area_text: str, files: str, deadline: str) -> str:
    template = (HERE / "brief-engineer.md").read_text(encoding="utf-8")
    for key, value in (("{ROUND}", round_), ("{TAG}", tag), ("{AREA_TEXT}", area_text), ("{AREA}", area),
                       ("{FILES}", files), ("{DEADLINE}", deadline)):
        template = template.replace(key, value)
    return template


def read_set(folder: Path, codes: list[str]) -> list[cm.Message]:
    """Every message of the sets named, in code and language order; a missing or malformed file is an error
    that names it."""
    messages: list[cm.Message] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for code in codes:
        for lang in cm.LANGS:
            path = folder / code / f"{lang}.jsonl"
            if not path.is_file():
                raise SystemExit(f"{path}: missing (every set has one file per language)")
            try:
                records = cm.read_records(path)
            except ValueError as error:
                raise SystemExit(f"{path.parent.name}/{error}") from None
            id_re = re.compile(rf"{lang}-{code}\d{{2}}")
            for number, obj in records:
                where = f"{path}:{number}"
                # a clean message's allowance is dropped by merge, not an error here
                found = [p for p in cm.record_problems(obj, where, id_re, lang, seen) if "allows nothing" not in p]
                problems += found
                if not found:
                    messages.append(cm.Message(id=obj["id"], lang=lang, text=obj["text"],
                                               expect=frozenset(obj["expect"]), allow=frozenset(obj["allow"]),
                                               note=obj["note"]))
    if problems:
        raise SystemExit("\n".join(problems))
    return messages


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _grams(text: str) -> frozenset[str]:
    t = _folded(text)
    return frozenset(t[i:i + GRAM] for i in range(max(1, len(t) - GRAM + 1)))


def near_copies(old: list[cm.Message], new: list[cm.Message]) -> list[str]:
    """Lines 'NEW ~ OTHER (how)' for each new message too close to an older message or an earlier new one."""
    new_ids = {m.id for m in new}
    lines = []
    # the corpus test's own near-duplicate rule, so that a set merged clean passes it
    for first, second, ratio in cm.near_duplicates(old + new):
        if second in new_ids:  # the later of the two in corpus order is the one left out
            lines.append(f"{second} ~ {first} ({ratio:.2f}) difflib")
        elif first in new_ids:
            lines.append(f"{first} ~ {second} ({ratio:.2f}) difflib")
    for lang in cm.LANGS:
        older = [(m.id, _grams(m.text)) for m in old if m.lang == lang]
        mine = [(m.id, _grams(m.text)) for m in new if m.lang == lang]
        for i, (nid, g) in enumerate(mine):
            best, best_id = 0.0, None
            for oid, h in older + mine[:i]:
                j = len(g & h) / len(g | h)
                if j > best:
                    best, best_id = j, oid
            if best > JACCARD:
                lines.append(f"{nid} ~ {best_id} ({best:.2f}) jaccard")
    return lines


def merge(new: list[cm.Message], skip: set[str], holdout: Path) -> dict[str, int]:
    unknown = skip - {m.id for m in new}
    if unknown:
        raise SystemExit(f"merge: --skip names ids that are in none of the sets: {', '.join(sorted(unknown))}")
    for path in (holdout / f"{lang}.jsonl" for lang in cm.LANGS):
        if path.is_file() and path.read_text(encoding="utf-8").strip():
            raise SystemExit(f"merge: {path} is not empty; move the holdout into the main corpus first")
    counts = {}
    for lang in cm.LANGS:
        lines = []
        for m in new:
            if m.lang != lang or m.id in skip:
                continue
            allow = [] if not m.expect else sorted(m.allow)
            record = {"id": m.id, "lang": m.lang, "text": m.text, "expect": sorted(m.expect), "allow": allow,
                      "note": m.note}
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        (holdout / f"{lang}.jsonl").write_text("".join(lines), encoding="utf-8")
        counts[lang] = len(lines)
    return counts


def move(main: Path = cm.CORPUS_DIR, holdout: Path = cm.HOLDOUT_DIR) -> dict[str, int]:
    """Append every holdout line to the main corpus file of its language and empty the holdout; every file is
    checked first, so a broken line moves nothing."""
    moving = {}
    for lang in cm.LANGS:
        source = holdout / f"{lang}.jsonl"
        lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        for n, line in enumerate(lines, 1):
            try:
                json.loads(line)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{source}:{n}: not JSON ({error}); nothing moved") from None
        moving[lang] = lines
    for lang, lines in moving.items():
        target = main / f"{lang}.jsonl"
        text = target.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):
            text += "\n"
        target.write_text(text + "".join(line + "\n" for line in lines), encoding="utf-8")
        (holdout / f"{lang}.jsonl").write_text("", encoding="utf-8")
    return {lang: len(lines) for lang, lines in moving.items()}


def perset(listing: str | None) -> str:
    import app

    outcomes = cm.run(cm.load(holdout=True), app.check)
    sets = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    cats = collections.defaultdict(lambda: [0, 0, 0])
    for o in outcomes:
        row = sets[set_of(o.message.id)]
        row[0] += len(o.tp)
        row[1] += len(o.tp) + len(o.fn)
        row[2] += len(o.fp)
        row[3] += o.message.clean
        row[4] += o.false_alarm
        for c in o.tp:
            cats[c][0] += 1
        for c in o.fn:
            cats[c][1] += 1
        for c in o.fp:
            cats[c][2] += 1
    out = [f"-{s}: found {tp}/{n}, false {fp}, clean flagged {fa}/{clean}"
           for s, (tp, n, fp, clean, fa) in sorted(sets.items())]
    out += [f"{c}: {tp}/{tp + fn} ({fp} false)" for c, (tp, fn, fp) in sorted(cats.items())]
    for o in outcomes:
        if (listing == "fp" and o.fp) or (listing == "fn" and o.fn):
            out.append(f"{o.message.id} missed {sorted(o.fn)} false {sorted(o.fp)} | {o.message.text[:300]}")
            out += [f"    {f['rule']} {f['severity']} {f['text']!r}" for f in o.findings]
    return "\n".join(out)


_SET_OF = re.compile(r"^[a-z]{2}-(\D*)\d+$")


def set_of(message_id: str) -> str:
    """The author set of a corpus id: the letters after the language (``en-gm11`` -> ``gm``); ``-`` for the
    first, numbered messages (``en-001``)."""
    m = _SET_OF.match(message_id)
    return (m.group(1) or "-") if m else "?"


def spread(outcomes, min_sole: int = 1) -> str:
    """Per rule, the author sets its finds in the main corpus come from: a rule that is the only finder of its
    category in messages of one author set only was likely written from that set's words (an overfit check for
    the rounds, whose rules are meant to catch a class: see the README, "How well it checks").

    Columns: finds (messages where the rule raised a category the message expects), the sets of those, sole
    (finds where no other rule raised that category: the rule's own share of the recall), the sets of those,
    and false (messages where it raised a category the message neither expects nor allows). Rules whose sole
    finds come from a single set are listed first; only rules with at least ``min_sole`` sole finds."""
    finds = collections.defaultdict(set)
    sole = collections.defaultdict(set)
    false = collections.defaultdict(set)
    for o in outcomes:
        m = o.message
        by_cat = collections.defaultdict(set)
        for f in o.findings:
            by_cat[f["category"]].add(f["rule"])
        for cat, rules in by_cat.items():
            for rule in rules:
                if cat in m.expect:
                    finds[rule].add(m.id)
                    if len(rules) == 1:
                        sole[rule].add(m.id)
                elif cat not in m.allow:
                    false[rule].add(m.id)
    rows = []
    for rule in finds.keys() | false.keys():
        own = sole.get(rule, set())
        if len(own) < min_sole:
            continue
        sets = {set_of(i) for i in finds.get(rule, ())}
        own_sets = {set_of(i) for i in own}
        rows.append((len(own_sets), -len(own), rule, len(finds.get(rule, ())), len(sets), len(own), own_sets,
                     len(false.get(rule, ()))))
    rows.sort()
    out = [f"{'rule':54} {'finds':>5} {'sets':>4} {'sole':>4} {'sets':>4} {'false':>5}  sole sets"]
    for n_own_sets, _, rule, n_finds, n_sets, n_own, own_sets, n_false in rows:
        shown = ",".join(sorted(own_sets)[:8]) + ("…" if len(own_sets) > 8 else "")
        out.append(f"{rule:54} {n_finds:5} {n_sets:4} {n_own:4} {n_own_sets:4} {n_false:5}  {shown}")
    one = sum(1 for r in rows if r[0] == 1)
    out.append(f"{len(rows)} rules with at least {min_sole} sole find(s); {one} of them find alone in one author set only")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/blind_sets.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("brief")
    p.add_argument("code")
    p.add_argument("kind", choices=("mixed", "clean"))
    p.add_argument("trade")
    p.add_argument("deadline")
    p.add_argument("--out", type=Path)
    p = sub.add_parser("engineer")
    for name in ("round", "tag", "area", "area_text", "files", "deadline"):
        p.add_argument(name)
    p = sub.add_parser("spread")
    p.add_argument("--min-sole", type=int, default=1)
    for name in ("nearcopy", "merge"):
        p = sub.add_parser(name)
        p.add_argument("folder", type=Path)
        p.add_argument("codes", nargs="+")
        if name == "merge":
            p.add_argument("--skip", default="")
    sub.add_parser("move")
    p = sub.add_parser("perset")
    p.add_argument("--list", choices=("fp", "fn"))
    args = parser.parse_args(argv)

    if args.command == "brief":
        text = brief(args.code, args.kind, args.trade, args.deadline)
        if args.out:
            (args.out / args.code).mkdir(parents=True, exist_ok=True)
            (args.out / f"blind-{args.code}.md").write_text(text, encoding="utf-8")
        else:
            print(text, end="")
    elif args.command == "engineer":
        print(engineer_brief(args.round, args.tag, args.area, args.area_text, args.files, args.deadline), end="")
    elif args.command == "nearcopy":
        new = read_set(args.folder, args.codes)
        old = cm.load(holdout=False) + cm.load(holdout=True)
        lines = near_copies(old, new)
        print("\n".join(lines) if lines else "no near-copies")
        ids = sorted({line.split(" ~ ")[0] for line in lines})
        print(f"--skip={','.join(ids)}")
    elif args.command == "merge":
        counts = merge(read_set(args.folder, args.codes), set(filter(None, args.skip.split(","))), cm.HOLDOUT_DIR)
        print(json.dumps(counts))
    elif args.command == "move":
        print(json.dumps(move()))
    elif args.command == "spread":
        import app

        print(spread(cm.run(cm.load(holdout=False), app.check), args.min_sole))
    else:
        print(perset(args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
