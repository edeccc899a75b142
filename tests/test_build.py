"""build.py: deterministic outputs, rule errors that stop the build, nothing loaded from the network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# What build.py reads from the tree (node_modules is linked, not copied: it is large and pinned).
BUILD_INPUTS = ["build.py", "index.html", "pyscript.toml", "package.json", "package-lock.json", "pyproject.toml",
                "web", "app", "rules", "bench/bare.html", "tools/pyodide-snapshot.mjs"]


def run_build(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / "build.py"), "--no-docs", *args],
        capture_output=True, text=True, cwd=root, timeout=900,
    )


def snapshot(target: Path) -> Path:
    """A frozen copy of the build inputs, so edits in the work tree during the test cannot make
    two builds differ for a reason that has nothing to do with determinism."""
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Two builds of the same inputs. The first is made here, from a frozen copy of the tree. The second is dist/
    when its stamp says it was built from exactly these inputs (as `make test` builds it just before the tests): a
    build made in another folder at another time, which costs nothing here (a build takes over two minutes on
    CI). Otherwise the copy is built a second time."""
    tree_copy = snapshot(tmp_path_factory.mktemp("tree"))
    outs = []
    for name in ("first", "second"):
        if outs:
            stamp = ROOT / "dist" / ".inputs.sha256"
            if stamp.is_file() and stamp.read_bytes() == (outs[0] / ".inputs.sha256").read_bytes():
                outs.append(ROOT / "dist")
                break
        out = tmp_path_factory.mktemp(name)
        result = run_build("--out", str(out), root=tree_copy)
        assert result.returncode == 0, result.stderr
        outs.append(out)
    return outs


def test_two_builds_are_byte_identical(two_builds):
    first, second = (tree(out) for out in two_builds)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert "message-checker.html" in first and "site/index.html" in first


def test_a_broken_rule_stops_the_build_naming_file_rule_and_fix(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = next(p for p in sorted(rules.glob("*.toml")) if p.name != "categories.toml")
    text = target.read_text("utf-8")
    first_rule = re.search(r'^\[\[rule\]\]\s*\nid = "([^"]+)"\s*\ncategory = "([^"]+)"', text, re.M)
    assert first_rule, f"{target.name}: expected a [[rule]] starting with id and category"
    rule_id, category = first_rule.groups()
    broken = text.replace(f'category = "{category}"', 'category = "no-such-category"', 1)
    target.write_text(broken, "utf-8")
    out = tmp_path / "out"
    result = run_build("--rules", str(rules), "--out", str(out))
    assert result.returncode == 1
    assert target.name in result.stderr
    assert rule_id in result.stderr
    assert "fix:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "message-checker.html").exists()


class Loads(HTMLParser):
    """Every URL the markup itself would make the browser load, plus inline scripts and styles."""

    URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "srcset", "background", "ping"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline: list[tuple[dict, str]] = []
        self.meta: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [v for k, v in attrs.items() if k in self.URL_ATTRS and v]
        if tag == "meta":
            self.meta.append(attrs)
        if tag in ("script", "style", "mpy-config"):
            self._current = attrs | {"_tag": tag}
            self.inline.append((self._current, ""))

    def handle_data(self, data):
        if self._current is not None:
            attrs, text = self.inline[-1]
            self.inline[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "mpy-config"):
            self._current = None


def parse_page(path: Path) -> Loads:
    parser = Loads()
    parser.feed(path.read_text("utf-8"))
    return parser


def test_single_file_loads_nothing_from_any_host(two_builds):
    page = parse_page(two_builds[0] / "message-checker.html")
    assert all(not re.match(r"(?i)\s*(https?:)?//", url) for url in page.urls), page.urls
    loads = [url for url in page.urls if not url.startswith("#")]  # in-page links load nothing
    assert all(url.startswith("data:") for url in loads), loads  # everything is inside the file
    refresh = [m for m in page.meta if m.get("http-equiv", "").lower() == "refresh"]
    assert refresh == []
    for attrs, text in page.inline:
        kind = attrs.get("type", "")
        if kind == "application/octet-stream":
            continue  # embedded bytes, never executed; what they do is tested in the browsers
        assert not re.search(r"(?i)https?://", text), f"URL in inline {attrs.get('_tag')} {kind}"
        if attrs["_tag"] == "style":
            assert not re.search(r"url\(\s*['\"]?(?!data:)", text)
    config = next(json.loads(a["config"]) for a, _ in page.inline if a.get("type") == "py")
    paths = [config["interpreter"], *config["files"]]
    assert all(p.startswith("./__embedded__/") for p in paths), paths
    blocks = {a["id"][4:] for a, _ in page.inline if a.get("type") == "application/octet-stream"}
    assert {p.removeprefix("./__embedded__/") for p in paths} <= blocks


def test_single_file_csp_allows_no_connection_and_hashes_its_scripts(two_builds):
    import base64
    import hashlib

    page = parse_page(two_builds[0] / "message-checker.html")
    csp = next(m["content"] for m in page.meta if m.get("http-equiv") == "Content-Security-Policy")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["connect-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    classic = [text for attrs, text in page.inline if attrs["_tag"] == "script" and "type" not in attrs]
    assert len(classic) == 2  # the embed shim and the boot script
    for text in classic:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]


def test_site_references_only_its_own_files(two_builds):
    site = two_builds[0] / "site"
    page = parse_page(site / "index.html")
    csp = next(m["content"] for m in page.meta if m.get("http-equiv") == "Content-Security-Policy")
    assert "connect-src 'self'" in csp and "http" not in csp
    local = [u for u in page.urls if not u.startswith(("data:", "#"))]
    assert local and all(u.startswith("./") for u in local), page.urls
    config = next(json.loads(a["config"]) for a, _ in page.inline if a.get("type") == "py")
    for ref in [*local, config["interpreter"], *config["files"]]:
        assert (site / ref).is_file(), f"index.html refers to {ref}, which is not in dist/site"
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert (site / "pyodide" / name).is_file()
    assert not list(site.rglob("*.map"))


def test_app_archive_holds_the_app_and_the_rules(two_builds):
    with zipfile.ZipFile(two_builds[0] / "site" / "app.zip") as archive:
        names = archive.namelist()
    assert names == sorted(names)
    assert "app/__init__.py" in names and "app/page.py" in names and "app/ui_strings.toml" in names
    # The rules travel compiled (validated at build time), not as TOML to parse in the page.
    assert [n for n in names if n.startswith("rules/")] == ["rules/catalogue.compiled.json"]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_shipped_catalogue_is_the_validated_one(two_builds):
    """The page's compiled catalogue gives the same rules, patterns and texts as the TOML it came from."""
    from app.catalogue import load_catalogue, load_compiled

    with zipfile.ZipFile(two_builds[0] / "site" / "app.zip") as archive:
        shipped = load_compiled(archive.read("rules/catalogue.compiled.json"))
    source = load_catalogue(ROOT / "rules")
    assert set(shipped.categories) == set(source.categories)
    assert [r.id for r in shipped.rules] == [r.id for r in source.rules]
    for a, b in zip(shipped.rules, source.rules):
        assert (a.category, a.severity, a.message, a.suggestion, a.fix) == (b.category, b.severity, b.message, b.suggestion, b.fix), a.id


def test_shipped_wheels_are_pure_and_importable_from_the_zip(two_builds, tmp_path):
    wheels = sorted((two_builds[0] / "site" / "wheels").glob("*.whl"))
    assert [w.name.split("-")[0] for w in wheels] == ["jinja2", "markupsafe"]
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            assert not [n for n in names if n.endswith((".so", ".pyd", ".c"))], names
            record = archive.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
            assert "Tag: py3-none-any" in archive.read(next(n for n in names if n.endswith("/WHEEL"))).decode()
        assert all(n in record for n in names)
    # Isolated interpreter (-I -S: no site-packages): only the wheels, as page.py puts them on sys.path.
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]; import jinja2, markupsafe; "
        "assert not hasattr(markupsafe, '_speedups'); "
        "assert jinja2.__file__.startswith(sys.argv[1]); "
        "print(jinja2.Environment(autoescape=True).from_string('{{ x }}').render(x='<b>'))"
    )
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code, *map(str, wheels)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "&lt;b&gt;"


def test_page_does_not_import_jinja2_at_start_up():
    # The start-up path is app/page.py and what it imports; jinja2 must only be imported lazily.
    source = (ROOT / "app" / "page.py").read_text("utf-8")
    assert not re.search(r"^\s*(import|from)\s+(jinja2|markupsafe)\b", source, re.M)
    code = (
        "import sys, types; sys.modules['js'] = types.ModuleType('js'); "
        "ffi = types.ModuleType('pyodide.ffi'); ffi.create_proxy = ffi.to_js = lambda *a, **k: None; "
        "sys.modules['pyodide'] = types.ModuleType('pyodide'); sys.modules['pyodide.ffi'] = ffi; "
        "import app.page; print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_shipped_python_compiles_without_warnings():
    # The page runs Python 3.14, which prints e.g. an invalid escape sequence in a docstring as a
    # SyntaxWarning on the browser console at every start (CPython 3.11 only warns when asked).
    problems = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                compile(path.read_text("utf-8"), str(path), "exec")
            except (SyntaxError, SyntaxWarning, DeprecationWarning) as err:
                problems.append(f"{path.relative_to(ROOT)}:{getattr(err, 'lineno', '?')}: {err}")
    assert problems == [], "\n".join(problems)


def test_shipped_snapshot_is_pyodides_own_less_the_wasm_static_data_and_zero_pages(two_builds):
    """The snapshot ships XOR-ed with the wasm's data segments and without its pages of zeros (what
    web/pyodide-snapshot.mjs undoes): unpacking it gives a snapshot whose memory starts with that static
    data again, the shipped form compresses to far less than Pyodide's own and holds megabytes less to
    inflate, and packing the unpacked snapshot gives the shipped bytes back."""
    import gzip

    sys.path.insert(0, str(ROOT))
    import build

    shipped = gzip.decompress((two_builds[0] / "site" / "pyodide" / "checker.snapshot.gz").read_bytes())
    assert shipped.startswith(build.SNAPSHOT_MAGIC)
    wasm = (build.PYODIDE_DIR / "pyodide.asm.wasm").read_bytes()
    restored = build.unpack_snapshot(shipped, wasm)
    assert build.pack_snapshot(restored, wasm) == shipped
    assert len(shipped) < len(restored) - 10_000_000  # the left-out pages of zeros
    header = int.from_bytes(restored[4:8], "little")
    segments = build.wasm_data_segments(wasm)
    assert len(segments) > 1000
    # Most static data is unchanged since instantiation: the restored memory holds it, the shipped form
    # holds zeros there.
    same = sum(restored[header + o:header + o + e - s] == wasm[s:e] for o, s, e in segments)
    assert same > 0.9 * len(segments)
    assert len(gzip.compress(shipped, 6)) < len(gzip.compress(restored, 6)) - 1_000_000
    with pytest.raises(build.BuildError):
        build.wasm_data_segments(b"not a wasm module")
    with pytest.raises(build.BuildError):
        build.unpack_snapshot(shipped[:-1], wasm)  # cut short
