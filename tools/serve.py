#!/usr/bin/env python3
"""Serve dist/site on http://127.0.0.1 (for `make run` and the browser tests).

A static server, nothing more: the page needs no special headers (PyScript runs on the main
thread, so no cross-origin isolation).  The MIME types are set here rather than taken from the
machine's /etc/mime.types, because browsers refuse a module script or a streamed wasm served as
anything else.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    def end_headers(self) -> None:
        # Always revalidate: a rebuilt page must not run with a cached, older runtime or app.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        if self.server.verbose:
            super().log_message(format, *args)


def make_server(directory: Path, port: int = 0, *, verbose: bool = False) -> http.server.ThreadingHTTPServer:
    """A server bound to 127.0.0.1 (port 0 = any free port; see ``server.server_port``)."""
    handler = functools.partial(Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.verbose = verbose
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "dist" / "site")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not (args.dir / "index.html").is_file():
        print(f"serve.py: {args.dir}/index.html not found — run `make build` first", file=sys.stderr)
        return 1
    try:
        server = make_server(args.dir, args.port, verbose=True)
    except OSError as err:
        print(f"serve.py: cannot listen on 127.0.0.1:{args.port} ({err}) — stop the other server or use --port", file=sys.stderr)
        return 1
    single = (args.dir.parent / "message-checker.html").resolve()
    print(f"Checker:      http://127.0.0.1:{server.server_port}/", flush=True)
    if single.is_file():
        print(f"Offline file: {single}", flush=True)
    print("Ctrl+C stops the server.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
