#!/usr/bin/env python3
"""Build the buyer-message checker.

    python build.py [--out DIR] [--rules DIR]

1. Validates the rule catalogue (``app.load_catalogue``); a broken rule stops the build with the
   loader's message, which names the file, the rule and the fix.
2. Regenerates docs/RULES.md from the catalogue (only when building the repository's own rules/), and
   retrains the tone model app/tone_model.json (tools/train_tone.py, ~20 s) when its recorded input digest
   no longer matches the corpus, rules, trainer and parameters (only for the repository's own rules/, and
   only where the trainer and tests/corpus are present: a copy of the build inputs ships the model as is).
3. Writes, under --out (default dist/):
   - ``site/``: the page plus everything it loads, as files: any static host (or
     ``python -m http.server``) serves it as is; the CSP allows its own origin only;
   - ``message-checker.html``: one self-contained file (every asset gzip + base64 inside it) that
     works opened from disk with no network; its CSP allows no connection at all.

Builds are deterministic: the same tree gives byte-identical outputs (zip entries sorted with a
fixed timestamp, gzip without mtime, no dates, the import-map nonce derived from the content).
The runtime comes from node_modules (``npm ci``), jinja2/markupsafe from the installed, pinned
Python packages; nothing is downloaded here.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

try:
    import jinja2
    from markupsafe import Markup
except ImportError:  # the system Python instead of the project's environment
    sys.exit("build.py: jinja2 is not installed for this Python — run `make build` or `.venv/bin/python build.py`")

ROOT = Path(__file__).resolve().parent
NODE_MODULES = ROOT / "node_modules"
PYSCRIPT_DIST = NODE_MODULES / "@pyscript" / "core" / "dist"
PYODIDE_DIR = NODE_MODULES / "pyodide"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
# What Pyodide fetches or imports at start-up; the rest of the npm package is docs and typings.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# The app's Python and the data files it reads at run time (ui strings, appeal templates, the tone model).
APP_SUFFIXES = (".py", ".toml", ".j2", ".json")
# The pure-Python packages shipped into the page for features that import them lazily.
SHIPPED_WHEELS = ("jinja2", "markupsafe")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # earliest time a zip can hold: no build date in any archive
EMBED_DIR = "__embedded__/"  # the single file's virtual asset folder (see web/embed.js)
INPUTS_STAMP = ".inputs.sha256"  # in --out: digest of everything the outputs are made from
SOURCE_MAP_COMMENT = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


class BuildError(Exception):
    """A problem the person running the build must fix; the message says what to do."""


# --- inputs -------------------------------------------------------------------------------------


def check_runtime_versions() -> dict[str, str]:
    """The npm runtime must be exactly what package.json pins, or the page silently changes."""
    pins = json.loads((ROOT / "package.json").read_text("utf-8"))["dependencies"]
    found = {}
    for name, pin in sorted(pins.items()):
        manifest = NODE_MODULES / name / "package.json"
        if not manifest.is_file():
            raise BuildError(f"node_modules/{name} is missing — fix: run `npm ci` (or `make build`)")
        version = json.loads(manifest.read_text("utf-8"))["version"]
        if version != pin:
            raise BuildError(f"node_modules/{name} is {version} but package.json pins {pin} — fix: run `npm ci`")
        found[name] = version
    if not ESBUILD.exists():
        raise BuildError("node_modules/.bin/esbuild is missing — fix: run `npm ci`")
    return found


def validate_rules(rules_dir: Path):
    """Load the catalogue the way the page will; stop on the loader's own explanation."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import app  # the engine package of this repository

    try:
        return app.load_catalogue(rules_dir)
    except app.CatalogueError as err:
        raise BuildError(str(err)) from None


def write_rules_doc(catalogue) -> Path | None:
    """docs/RULES.md is generated from rules/, never edited by hand (a test compares it).
    Returns its path when the text changed."""
    from app import catalogue as catalogue_module

    render = getattr(catalogue_module, "catalogue_markdown", None)
    if render is None:
        return None
    text = render(catalogue)
    target = ROOT / "docs" / "RULES.md"
    return target if write_if_changed(target, text.encode("utf-8")) else None


def write_tone_model(catalogue, rules_dir: Path) -> bool:
    """Retrain each learned model (app/tone_model.json, app/off_platform_model.json) when it is stale
    (tools/train_tone.py ``MODELS``); True when one was written."""
    trainer = ROOT / "tools" / "train_tone.py"
    if not trainer.is_file() or not (ROOT / "tests" / "corpus").is_dir():
        return False
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_tone", trainer)
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_tone"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    written = False
    for name in module.MODELS:
        written |= module.write_model(catalogue, rules_dir=rules_dir, log=lambda line: print(f"build.py: {line}"), name=name)
    return written


def pinned_python_versions() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = {}
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        pins[canonical(name)] = version.strip()
    return pins


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def input_digest(rules_dir: Path) -> str:
    """A digest of every file the outputs are made from, so a caller (the browser tests) can tell
    whether dist/ was built from the tree as it is now."""
    paths = [ROOT / name for name in ("build.py", "index.html", "pyscript.toml", "package-lock.json", "pyproject.toml")]
    paths.append(SNAPSHOT_TOOL)
    paths += sorted((ROOT / "web").rglob("*"))
    paths += sorted(p for p in (ROOT / "app").rglob("*") if p.suffix in APP_SUFFIXES and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted(rules_dir.rglob("*.toml")):
        digest.update(b"rules/" + path.relative_to(rules_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- archives -----------------------------------------------------------------------------------


def deterministic_zip(entries: Iterable[tuple[str, bytes]], *, compress: bool) -> bytes:
    """A zip whose bytes depend only on the entries: sorted, fixed time, fixed permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # "Unix" everywhere, so the external attributes mean the same
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data, compresslevel=9 if compress else None)
    return buffer.getvalue()


def app_archive(rules_dir: Path, catalogue, *, compress: bool, compiled: tuple[str, bytes] | None = None) -> bytes:
    """app/ (code + data files) and the rule catalogue, laid out as in the repository.

    PyScript unpacks it into Python's working directory, so ``import app`` works and the engine
    finds ``rules/`` next to ``app/`` exactly as it does on CPython.  The rules travel compiled
    (``rules/catalogue.compiled.json``, validated here at build time): parsing and validating the
    TOML in the page took 2.4 s of Pyodide start-up, the compiled form loads in well under 0.1 s and
    compiles each pattern only when a draft first needs it.  ``compiled``: that entry, when the caller
    already made it (``build`` makes it once for both outputs: compiling costs ~17 s of the build).
    """
    entries = []
    for path in sorted((ROOT / "app").rglob("*")):
        if path.is_file() and path.suffix in APP_SUFFIXES and "__pycache__" not in path.parts:
            entries.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    from app.catalogue import compiled_catalogue_entry

    entries.append(compiled or compiled_catalogue_entry(catalogue))
    return deterministic_zip(entries, compress=compress)


def pure_wheel(project: str, version: str) -> tuple[str, bytes]:
    """A py3-none-any wheel of an installed package's pure-Python files.

    markupsafe's PyPI wheels carry a C speed-up that Pyodide cannot load; without it markupsafe
    falls back to its own pure-Python escaping.  jinja2 is pure already; building both the same
    way keeps the build offline and tied to the pinned, installed versions.
    """
    try:
        dist = importlib.metadata.distribution(project)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(f"Python package {project} is not installed — fix: pip install -r requirements.lock") from None
    if dist.version != version:
        raise BuildError(
            f"installed {project} is {dist.version} but pyproject.toml pins {version} — "
            "fix: pip install -r requirements.lock"
        )
    name = canonical(dist.metadata["Name"])
    info_dir = f"{name}-{version}.dist-info"
    entries: dict[str, bytes] = {}
    for file in dist.files or ():
        path = file.as_posix() if hasattr(file, "as_posix") else str(file)
        top = path.split("/", 1)[0]
        if top == info_dir or top.endswith(".dist-info"):
            keep = path.split("/", 1)[1] in ("METADATA", "entry_points.txt", "top_level.txt") or "/licenses/" in path
            if keep:
                entries[f"{info_dir}/{path.split('/', 1)[1]}"] = file.read_binary()
            continue
        if top != name or "__pycache__" in path or "_speedups" in path:
            continue
        if path.endswith(".py") or path.endswith("/py.typed"):
            entries[path] = file.read_binary()
    if not any(p.endswith("/__init__.py") for p in entries):
        raise BuildError(f"{project}: no Python files found in the installed distribution — fix: reinstall it")
    entries[f"{info_dir}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: buyer-message-checker build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    record = []
    for path, data in sorted(entries.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info_dir}/RECORD,,")
    entries[f"{info_dir}/RECORD"] = ("\n".join(record) + "\n").encode()
    return f"{name}-{version}-py3-none-any.whl", deterministic_zip(entries.items(), compress=True)


def stored_zip(data: bytes) -> bytes:
    """The same archive with every entry stored (order, names, times kept).

    For the single file only: gzip compresses the whole stored archive better than the archive's
    own per-entry deflate, and Python's zipimport reads stored entries without inflating them.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.create_system = info.create_system
            copy.external_attr = info.external_attr
            copy.compress_type = zipfile.ZIP_STORED
            target.writestr(copy, source.read(info))
    return out.getvalue()


def strip_source_map(data: bytes) -> bytes:
    # The .map files are not shipped; a dangling reference would make dev tools request them.
    return SOURCE_MAP_COMMENT.sub(b"\n", data)


def bundle_pyscript() -> bytes:
    """PyScript's dist as ONE module for the single file.

    Its dist is split into chunks loaded with relative ``import("./chunk.js")``, which cannot
    resolve from a blob: module, so esbuild inlines them.  codemirror and xterm stay out (~70 % of
    the bundle): only <py-editor>/<py-terminal> elements load them, and the page has none.
    """
    external = ["./codemirror*", "./xterm*"]
    command = [str(ESBUILD), str(PYSCRIPT_DIST / "core.js"), "--bundle", "--format=esm", "--minify",
               "--legal-comments=eof", "--log-level=warning", "--charset=ascii"]
    command += [f"--external:{pattern}" for pattern in external]
    result = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise BuildError(f"esbuild failed: {result.stderr.decode(errors='replace')} — fix: run `npm ci`")
    return result.stdout


# The Python the build runs before taking the interpreter snapshot (tools/pyodide-snapshot.mjs):
# every pure module the page imports at start-up, the compiled rule catalogue loaded with every pattern
# compiled, one check run, the phrase rewrites loaded, the interface strings of both languages parsed.  Nothing that
# touches the browser (js, pyodide.ffi, app.page): a snapshot cannot hold references to JS objects.
# It leaves no names behind in __main__, where PyScript runs the page's own Python.
SNAPSHOT_WARMUP = """\
def _warm_up():
    import asyncio, functools, json, pathlib, traceback  # noqa: F401 - what app/page*.py import
    import app
    import app.appeal, app.appeal.render, app.render, app.templates_library  # noqa: F401
    from app.ui_text import ui_text
    for lang in ("zh", "en"):
        ui_text(lang)
    app.templates_library._library()
    app.check("Please contact me on WhatsApp, you will get a refund for a 5-star review.")
    # Every pattern compiled now, as the page would compile each the first time a draft holds its literal
    # (a first paste in several languages spent about a second of the page's time in re.compile), what
    # only the plan's construction and the CLI read dropped (examples, prefilter sets: ~6 MB of objects),
    # and the phrase rewrites loaded (which the page otherwise does once it is idle).
    from app import engine, rewrites
    engine.keep_only_what_checks_need()  # compiles every pattern first (engine.compile_all)
    rewrites.preload()
    # The browser-side modules cannot be imported here; their bytecode can be compiled, and
    # PY_MAIN writes it next to their source (unchecked-hash .pyc, PEP 552) before importing them.
    import importlib.util
    from importlib._bootstrap_external import _code_to_hash_pyc
    app._boot_bytecode = {}
    for path in ("app/page.py", "app/page_appeal.py"):
        with open(path, "rb") as handle:
            source = handle.read()
        code = compile(source, path, "exec", dont_inherit=True)
        app._boot_bytecode[path] = _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
_warm_up()
del _warm_up
"""
SNAPSHOT_TOOL = ROOT / "tools" / "pyodide-snapshot.mjs"
SNAPSHOT_ASSET = "pyodide/checker.snapshot.gz"  # the name web/pyodide-snapshot.mjs fetches
INTERPRETER_ASSET = "pyodide/checker-pyodide.mjs"  # web/pyodide-snapshot.mjs, as pyscript.toml names it


def memory_snapshot(app_zip: bytes, stdlib: bytes) -> bytes:
    """Pyodide's memory after start-up and the warm-up above, gzip-compressed (deterministic).

    Made in Node from the same pinned Pyodide the page ships, with the very standard-library archive
    that output ships (the interpreter keeps the archive's directory, offsets included, in memory: the
    single file's stored archive and the site's deflated one each need their own snapshot).  Restoring
    it in the browser skips the interpreter's start-up, the imports and the catalogue load.
    """
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not on PATH — fix: install Node.js 20+ (the build snapshots the interpreter with it)")
    with tempfile.TemporaryDirectory(prefix="checker-snapshot-") as tmp:
        runtime = Path(tmp, "pyodide")
        runtime.mkdir()
        for name in PYODIDE_FILES:
            if name != "python_stdlib.zip":
                (runtime / name).symlink_to(PYODIDE_DIR / name)
        (runtime / "python_stdlib.zip").write_bytes(stdlib)
        archive, warmup, output = Path(tmp, "app.zip"), Path(tmp, "warmup.py"), Path(tmp, "snapshot.bin")
        archive.write_bytes(app_zip)
        warmup.write_text(SNAPSHOT_WARMUP, "utf-8")
        result = subprocess.run(
            [node, str(SNAPSHOT_TOOL), str(runtime), str(archive), str(warmup), str(output)],
            capture_output=True, cwd=ROOT, check=False, timeout=600,
        )
        if result.returncode != 0 or not output.is_file():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-2000:]
            raise BuildError(f"the interpreter snapshot failed ({SNAPSHOT_TOOL.name}):\n{detail}\n"
                             "— fix: the app's start-up imports above must run in Pyodide; run `npm ci` if Pyodide is missing")
        raw = output.read_bytes()
    return gzip.compress(pack_snapshot(raw, (PYODIDE_DIR / "pyodide.asm.wasm").read_bytes()),
                         compresslevel=6, mtime=0)


# The snapshot's memory begins with the wasm's own static data (Python's type objects, the Unicode
# database, …: 3.8 MB), nearly all of it unchanged since the module was instantiated. Stored as it is,
# it costs ~1.5 MB of the compressed snapshot; XOR-ed with the wasm's data segments it is almost all
# zeros. Then the pages that are all zeros (15 MB of the 38 MB: the heap's unused room, the XOR-ed static
# data) are left out and listed instead: they cost little compressed, but inflating them cost the page
# ~100 ms of its start (zlib spends more time on a long run of zeros than on as much real data).
# web/pyodide-snapshot.mjs puts the pages back and undoes the XOR with the same segments, read from the
# same wasm file.
SNAPSHOT_MAGIC = b"CHKXOR02"  # then the packed snapshot (see pack_snapshot)
SNAPSHOT_PAGE = 4096


def wasm_data_segments(wasm: bytes) -> list[tuple[int, int, int]]:
    """(memory offset, start, end in ``wasm``) of each active data segment with a constant offset.

    Raises BuildError for anything else (passive segments, offsets from globals): the loader could not
    undo those, so the build must not produce them."""
    def leb(i: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = wasm[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, i

    if wasm[:4] != b"\0asm":
        raise BuildError("pyodide.asm.wasm is not a wasm module — fix: run `npm ci`")
    segments = []
    i = 8
    while i < len(wasm):
        section = wasm[i]
        size, i = leb(i + 1)
        if section == 11:
            count, j = leb(i)
            for _ in range(count):
                flags, j = leb(j)
                if flags != 0 or wasm[j] != 0x41:  # active, memory 0, offset (i32.const N)
                    raise BuildError("pyodide.asm.wasm has a data segment the snapshot loader cannot read "
                                     "(not active with a constant offset) — fix: update xor_static_data "
                                     "and web/pyodide-snapshot.mjs for this Pyodide")
                offset, j = leb(j + 1)  # unsigned LEB: Pyodide's offsets are below 2**31
                if wasm[j] != 0x0B:
                    raise BuildError("pyodide.asm.wasm: unexpected data segment offset expression")
                length, j = leb(j + 1)
                segments.append((offset, j, j + length))
                j += length
        i += size
    return segments


def xor_static_data(snapshot: bytes, wasm: bytes) -> bytes:
    """The snapshot with its memory XOR-ed with the wasm's data segments (its own inverse)."""
    header = int.from_bytes(snapshot[4:8], "little")  # Pyodide's header; the memory image follows it
    out = bytearray(snapshot)
    for offset, start, end in wasm_data_segments(wasm):
        at = header + offset
        if at + (end - start) > len(out):
            raise BuildError("the snapshot is smaller than the wasm's static data — fix: check the Pyodide version")
        chunk = int.from_bytes(out[at:at + end - start], "little") ^ int.from_bytes(wasm[start:end], "little")
        out[at:at + end - start] = chunk.to_bytes(end - start, "little")
    return bytes(out)


def pack_snapshot(snapshot: bytes, wasm: bytes) -> bytes:
    """What the outputs ship (before gzip): ``SNAPSHOT_MAGIC``, then little-endian u32s — the snapshot's
    length, the number N of stored ranges, N pairs (offset, length) — then the bytes of those ranges.
    The snapshot is first XOR-ed with the wasm's static data (``xor_static_data``); the ranges are its
    runs of pages holding a byte other than zero (the rest is zeros). ``unpack_snapshot`` undoes it, as the
    page's loader does."""
    data = xor_static_data(snapshot, wasm)
    if len(data) >= 2**32:
        raise BuildError("the interpreter snapshot is over 4 GB — fix: the warm-up grew Python's memory far too much")
    zero_page = bytes(SNAPSHOT_PAGE)
    ranges: list[list[int]] = []
    for at in range(0, len(data), SNAPSHOT_PAGE):
        if data[at:at + SNAPSHOT_PAGE] == zero_page[:len(data) - at]:
            continue
        end = min(at + SNAPSHOT_PAGE, len(data))
        if ranges and ranges[-1][0] + ranges[-1][1] == at:
            ranges[-1][1] = end - ranges[-1][0]
        else:
            ranges.append([at, end - at])
    head = [len(data), len(ranges)] + [n for pair in ranges for n in pair]
    return (SNAPSHOT_MAGIC + b"".join(n.to_bytes(4, "little") for n in head)
            + b"".join(data[at:at + length] for at, length in ranges))


def unpack_snapshot(packed: bytes, wasm: bytes) -> bytes:
    """Pyodide's snapshot from what ``pack_snapshot`` made (the Python twin of web/pyodide-snapshot.mjs)."""
    if not packed.startswith(SNAPSHOT_MAGIC):
        raise BuildError("not a packed interpreter snapshot")
    word = lambda i: int.from_bytes(packed[len(SNAPSHOT_MAGIC) + 4 * i:len(SNAPSHOT_MAGIC) + 4 * i + 4], "little")
    total, count = word(0), word(1)
    out = bytearray(total)
    pos = len(SNAPSHOT_MAGIC) + 8 + 8 * count
    for k in range(count):
        at, length = word(2 + 2 * k), word(3 + 2 * k)
        out[at:at + length] = packed[pos:pos + length]
        pos += length
    if pos != len(packed):
        raise BuildError("a packed interpreter snapshot of the wrong length")
    return xor_static_data(bytes(out), wasm)


# --- page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    name: str  # path under the asset root, e.g. "pyodide/pyodide.asm.wasm"
    data: bytes
    module: bool = False  # imported as a JS module (needs an import-map entry in the single file)
    preload: bool = False  # big: the single file starts decoding it as soon as the page is parsed
    gzipped: bool = False  # data is already gzip: the single file embeds it without compressing again


def pyscript_config(assets: Iterable[Asset], prefix: str, files: Mapping[str, str], *,
                    interpreter: str | None = None) -> str:
    """pyscript.toml with every runtime path under ``prefix``, as compact JSON (``interpreter``:
    another interpreter module than pyscript.toml's, e.g. Pyodide's own for bench/boot.py's bare page)."""
    config = tomllib.loads((ROOT / "pyscript.toml").read_text("utf-8"))
    config["interpreter"] = prefix + (interpreter or config["interpreter"])
    config["files"] = {prefix + source: target for source, target in sorted(files.items())}
    known = {asset.name for asset in assets}
    for path in [config["interpreter"], *config["files"]]:
        if path.removeprefix(prefix) not in known:
            raise BuildError(f"pyscript.toml refers to {path}, which the build does not ship — fix the path")
    return json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def python_files_config(app_zip: str, wheels: Iterable[str]) -> dict[str, str]:
    """What PyScript copies into Python's file system before the page's Python runs.

    The app archive is unpacked into the working directory (``./*``).  The wheels are copied as
    they are: app/page.py puts them on sys.path, so jinja2 costs nothing until something imports it.
    """
    files = {app_zip: "./*"}
    files.update({wheel: f"./{wheel}" for wheel in wheels})
    return files


# The page's Python entry point (app/page.py).  The mark splits start-up time into "runtime up"
# and "the checker's own start" (bench/boot.py reports both).  A failure to import the app (a
# missing file, a syntax error) must reach the page's error state like any other (web/boot.js).
PY_MAIN = """\
import js
js.performance.mark("checker:python")
import sys
if "random" in sys.modules:  # restored from the build's snapshot: draw a fresh seed in this browser
    sys.modules["random"].seed()
try:
    import importlib.util, os, app
    for path, data in getattr(app, "_boot_bytecode", {}).items():  # compiled by the build's snapshot
        os.makedirs(os.path.dirname(importlib.util.cache_from_source(path)), exist_ok=True)
        with open(importlib.util.cache_from_source(path), "wb") as handle:
            handle.write(data)
except OSError:
    pass  # only a speed-up: the modules compile from source instead
try:
    from app.page import main
except BaseException as err:
    js.checkerFailed(f"{type(err).__name__}: {err}")
    raise
main()
"""


def py_script_tag(config_json: str, code: str = PY_MAIN) -> Markup:
    """The page's Python, plus an <mpy-config> that only switches plugins off.

    PyScript loads its plugins once per interpreter type it knows (py and mpy); without a config
    for mpy it would load the editor/terminal/game plugins anyway.  An <mpy-config> alone does
    not load MicroPython.
    """
    plugins = json.dumps({"plugins": json.loads(config_json).get("plugins", [])}, separators=(",", ":"))
    return Markup('<mpy-config>{}</mpy-config>\n<script type="py" config="{}">\n{}</script>').format(
        plugins, config_json, Markup(code)
    )


def inline_script(code: str, **attrs: str) -> Markup:
    if "</script" in code.lower():
        raise BuildError("inline script contains '</script' — fix the JS source")
    rendered = "".join(Markup(' {}="{}"').format(k.replace("_", "-"), v) for k, v in sorted(attrs.items()))
    return Markup("<script{}>{}</script>").format(Markup(rendered), Markup(code))


def csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def template_env() -> jinja2.Environment:
    """Templates are looked up from the repository root ("index.html", "bench/bare.html")."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


SITE_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def single_file_csp(script_hashes: Iterable[str], nonce: str, style_hash: str) -> str:
    # 'unsafe-eval': PyScript builds its hook chain with Function(); 'wasm-unsafe-eval': Pyodide;
    # blob:: the embedded JS modules; the nonce: the import map web/embed.js inserts.
    scripts = " ".join([*sorted(script_hashes), f"'nonce-{nonce}'", "blob:", "'wasm-unsafe-eval'", "'unsafe-eval'"])
    return (
        f"default-src 'none'; script-src {scripts}; style-src {style_hash}; img-src data: blob:; "
        "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )


# What the hosted page asks the browser to download at once, in parallel with PyScript's own start-up,
# instead of when PyScript gets round to the interpreter: the loader and Pyodide's JS (modules),
# the snapshot, the wasm and the standard library (fetches; `crossorigin` makes the preload match
# the credentials mode of the fetch() calls that use them).
SITE_PRELOAD_MODULES = (INTERPRETER_ASSET, "pyodide/pyodide.mjs", "pyodide/pyodide.asm.mjs")
SITE_PRELOAD_FETCHES = (SNAPSHOT_ASSET, "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip")


def render_site_page(config_json: str, *, template: str = "index.html", code: str = PY_MAIN,
                     preload: bool = True) -> str:
    """The hosted page (bench/boot.py renders its bare comparison page with the same function,
    without the preloads: the bare page is PyScript as it comes)."""
    # web/boot.js first: it reports a preload that fails (a missing file) as the page's error.
    links = [
        Markup('<script src="./web/boot.js" data-pyscript="./pyscript/core.js"></script>'),
        Markup('<link rel="stylesheet" href="./pyscript/core.css">'),
        Markup('<link rel="stylesheet" href="./web/style.css">'),
        Markup('<link rel="stylesheet" href="./web/appeal.css">'),
        Markup('<link rel="modulepreload" href="./pyscript/core.js">'),
    ]
    if preload:
        links += [Markup('<link rel="modulepreload" href="./{}">').format(name) for name in SITE_PRELOAD_MODULES]
        links += [Markup('<link rel="preload" href="./{}" as="fetch" crossorigin{}>').format(
                      name, Markup(" data-optional") if name == SNAPSHOT_ASSET else Markup(""))
                  for name in SITE_PRELOAD_FETCHES]
    head = Markup("\n").join(links)
    return template_env().get_template(template).render(
        csp=SITE_CSP, head=head, body_start=py_script_tag(config_json, code), body_end=Markup("")
    )


# Order of the big blocks at the end of the single file: web/embed.js hands each one out as soon as
# the parser has read past it, so what Pyodide waits for first comes first (the snapshot gates the
# wasm's instantiation; the standard library is read once the runtime runs); the rest follows.
EMBED_ORDER = (SNAPSHOT_ASSET, "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip")


def embedded_blocks(assets: Iterable[Asset]) -> Markup:
    blocks = []
    first = {name: i for i, name in enumerate(EMBED_ORDER)}
    for asset in sorted(assets, key=lambda a: (first.get(a.name, len(first)), a.name)):
        packed = asset.data if asset.gzipped else gzip.compress(asset.data, compresslevel=9, mtime=0)
        payload = base64.b64encode(packed).decode("ascii")
        flags = Markup(" data-module") if asset.module else Markup("")
        flags += Markup(" data-preload") if asset.preload else Markup("")
        blocks.append(
            Markup('<script type="application/octet-stream" id="emb:{}" data-enc="gzip"{}>{}</script>').format(
                asset.name, flags, Markup(payload)
            )
        )
    return Markup("\n").join(blocks)


def render_single_page(
    assets: list[Asset], config_json: str, *, template: str = "index.html", code: str = PY_MAIN
) -> str:
    """The page with every asset inside it; used for the product and for bench/boot.py's bare page.

    Order matters for start-up: the small JS modules sit in <head> before web/embed.js, which can
    therefore build the import map at once; the Python tags open <body>, so web/boot.js starts
    PyScript as soon as the visible page is parsed, while the parser is still reading the ~8 MB of
    wasm and stdlib at the end of <body> (web/embed.js serves those only once they are parsed).
    """
    embed_js = (ROOT / "web" / "embed.js").read_text("utf-8")
    boot_js = (ROOT / "web" / "boot.js").read_text("utf-8")
    css = (PYSCRIPT_DIST / "core.css").read_text("utf-8") + "\n" + (ROOT / "web" / "style.css").read_text("utf-8")
    css += "\n" + (ROOT / "web" / "appeal.css").read_text("utf-8")
    if "</style" in css.lower():
        raise BuildError("CSS contains '</style' — fix the stylesheet")
    # A fixed nonce has no secrecy in a static file; deriving it from the content keeps builds
    # reproducible.  It only lets web/embed.js's import map through the policy.
    digest = hashlib.sha256()
    for asset in sorted(assets, key=lambda a: a.name):
        digest.update(asset.name.encode() + b"\0" + hashlib.sha256(asset.data).digest())
    nonce = base64.b64encode(digest.digest()[:18]).decode()
    modules = [asset for asset in assets if asset.module]
    head = Markup("\n").join([
        Markup("<style>{}</style>").format(Markup(css)),
        embedded_blocks(modules),
        # The snapshot loader reads the wasm too (its static data undoes build.py xor_static_data).
        inline_script(embed_js, nonce=nonce, **({"data_shared": "pyodide/pyodide.asm.wasm"}
                                                 if any(a.name == SNAPSHOT_ASSET for a in assets) else {})),
        inline_script(boot_js, data_pyscript=f"./{EMBED_DIR}pyscript/core.js"),
    ])
    body_end = embedded_blocks([asset for asset in assets if not asset.module])
    csp = single_file_csp([csp_hash(embed_js), csp_hash(boot_js)], nonce, csp_hash(css))
    return template_env().get_template(template).render(
        csp=csp, head=head, body_start=py_script_tag(config_json, code), body_end=body_end
    )


# --- outputs ------------------------------------------------------------------------------------


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def runtime_assets(*, single: bool, snapshot_loader: bool = True) -> list[Asset]:
    """Pyodide and PyScript as shipped: stock files for the site, one bundle for the single file;
    plus the loader that starts Pyodide from the snapshot (not for bench/boot.py's bare page)."""
    assets = []
    for name in PYODIDE_FILES:
        data = (PYODIDE_DIR / name).read_bytes()
        if name.endswith(".mjs"):
            data = strip_source_map(data)
        if single and name == "python_stdlib.zip":
            data = stored_zip(data)
        big = name.endswith((".wasm", ".zip"))
        assets.append(Asset(f"pyodide/{name}", data, module=name.endswith(".mjs"), preload=single and big))
    if snapshot_loader:
        assets.append(Asset(INTERPRETER_ASSET, (ROOT / "web" / "pyodide-snapshot.mjs").read_bytes(), module=True))
    if single:
        assets.append(Asset("pyscript/core.js", bundle_pyscript(), module=True))
    else:
        for path in sorted(PYSCRIPT_DIST.iterdir()):
            if path.suffix in (".js", ".css"):
                assets.append(Asset(f"pyscript/{path.name}", strip_source_map(path.read_bytes())))
    return assets


def site_web_assets() -> list[Asset]:
    """The page's own script and styles, which render_site_page links from ./web/."""
    return [Asset(f"web/{name}", (ROOT / "web" / name).read_bytes()) for name in ("boot.js", "style.css", "appeal.css")]


def stdlib_of(assets: Iterable[Asset]) -> bytes:
    return next(asset.data for asset in assets if asset.name == "pyodide/python_stdlib.zip")


def build_site(site: Path, app_zip: bytes, wheels: Mapping[str, bytes]) -> None:
    assets = runtime_assets(single=False)
    assets.append(Asset(SNAPSHOT_ASSET, memory_snapshot(app_zip, stdlib_of(assets)), gzipped=True))
    assets.append(Asset("app.zip", app_zip))
    assets += [Asset(f"wheels/{name}", data) for name, data in sorted(wheels.items())]
    assets += site_web_assets()
    config = pyscript_config(assets, "./", python_files_config("app.zip", [f"wheels/{n}" for n in sorted(wheels)]))
    assets.append(Asset("index.html", render_site_page(config).encode("utf-8")))

    staging = site.with_name(f"{site.name}.tmp{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    for asset in assets:
        target = staging / asset.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.data)
    if site.exists():
        shutil.rmtree(site)
    os.replace(staging, site)


def build_single(target: Path, app_zip: bytes, wheels: Mapping[str, bytes]) -> int:
    assets = runtime_assets(single=True)
    snapshot = memory_snapshot(app_zip, stdlib_of(assets))
    assets.append(Asset(SNAPSHOT_ASSET, snapshot, preload=True, gzipped=True))
    assets.append(Asset("app.zip", app_zip))
    assets += [Asset(f"wheels/{name}", data) for name, data in sorted(wheels.items())]
    files = python_files_config("app.zip", [f"wheels/{n}" for n in sorted(wheels)])
    config = pyscript_config(assets, f"./{EMBED_DIR}", files)
    html = render_single_page(assets, config).encode("utf-8")
    write_if_changed(target, html)
    return len(html)


def build(out: Path, rules_dir: Path, *, write_docs: bool = True) -> dict:
    versions = check_runtime_versions()
    catalogue = validate_rules(rules_dir)
    docs = write_rules_doc(catalogue) if write_docs else None
    if rules_dir == (ROOT / "rules").resolve():
        write_tone_model(catalogue, rules_dir)
    pins = pinned_python_versions()
    wheels = dict(pure_wheel(project, pins[canonical(project)]) for project in SHIPPED_WHEELS)
    out.mkdir(parents=True, exist_ok=True)
    from app.catalogue import compiled_catalogue_entry

    compiled = compiled_catalogue_entry(catalogue)
    build_site(out / "site", app_archive(rules_dir, catalogue, compress=True, compiled=compiled), wheels)
    size = build_single(out / "message-checker.html",
                        app_archive(rules_dir, catalogue, compress=False, compiled=compiled), wheels)
    write_if_changed(out / INPUTS_STAMP, (input_digest(rules_dir) + "\n").encode())
    return {"runtime": versions, "docs": docs, "single_file_bytes": size, "wheels": sorted(wheels)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules", help="rule catalogue folder (default: rules/)")
    parser.add_argument("--no-docs", action="store_true", help="do not regenerate docs/RULES.md")
    args = parser.parse_args(argv)
    rules_dir = args.rules.resolve()
    # docs/RULES.md documents the repository's catalogue, not a scratch copy given with --rules.
    write_docs = rules_dir == (ROOT / "rules").resolve() and not args.no_docs
    try:
        result = build(args.out.resolve(), rules_dir, write_docs=write_docs)
    except BuildError as err:
        print(f"build.py: {err}", file=sys.stderr)
        return 1
    out = args.out.resolve()
    print(f"built {out / 'site'}/ and {out / 'message-checker.html'} ({result['single_file_bytes']:,} bytes)")
    if result["docs"]:
        print(f"regenerated {result['docs'].relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
