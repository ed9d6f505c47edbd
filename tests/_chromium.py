"""A small headless-Chromium driver for tests: the DevTools protocol over a pipe, no extra packages.

Chromium is started with ``--remote-debugging-pipe`` (it reads commands on fd 3 and writes
replies on fd 4, NUL-separated JSON), so no port is opened and no websocket library is needed.
The page's console messages, uncaught exceptions, JavaScript dialogs (``alert``) and every
network request are recorded while it loads.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--remote-debugging-pipe",
]


def chromium_path() -> str | None:
    """The Chromium binary: $CHROMIUM, else Debian's ``chromium`` on PATH."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    url: str
    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    dialogs: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    loaded: bool = False

    @property
    def console_errors(self) -> list[str]:
        """Console errors and browser log errors (CSP violations, failed loads), as text."""
        out = [" ".join(str(a.get("value", a.get("description", ""))) for a in m.get("args", []))
               for m in self.console if m.get("type") in ("error", "assert")]
        out += [e.get("text", "") for e in self.log_entries if e.get("level") == "error"]
        out += [e.get("exceptionDetails", {}).get("text", "exception") for e in self.exceptions]
        return out


class Chromium:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, binary: str, width: int = 1200, height: int = 900, mobile: bool = False) -> None:
        self.binary = binary
        self.width, self.height, self.mobile = width, height, mobile
        self._id = 0
        self._buf = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="figcheck-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def child_fds() -> None:
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self._proc = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(cmd_r)
        os.close(out_w)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method, session=True)
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": self.mobile,
        }, session=True)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._send("Browser.close")
            self._proc.wait(timeout=15)
        except Exception:
            self._proc.kill()
            self._proc.wait(timeout=15)
        finally:
            os.close(self._cmd_w)
            os.close(self._out_r)
            shutil.rmtree(self._profile, ignore_errors=True)

    # -- protocol ------------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any] | None = None, session: bool = False) -> int:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        return self._id

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self._out_r], [], [], timeout)
        if ready:
            chunk = os.read(self._out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buf += chunk

    def _messages(self) -> list[dict[str, Any]]:
        out = []
        while b"\0" in self._buf:
            raw, self._buf = self._buf.split(b"\0", 1)
            out.append(json.loads(raw))
        return out

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False,
             timeout: float = 30.0) -> dict[str, Any]:
        """Send a command and wait for its reply; events met meanwhile are kept."""
        ident = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self._messages():
                if m.get("id") == ident:
                    if "error" in m:
                        raise RuntimeError(f"{method}: {m['error']}")
                    return m.get("result", {})
                self._events.append(m)
            self._pump(0.2)
        raise TimeoutError(f"Chromium did not answer {method} within {timeout} s")

    # -- pages ---------------------------------------------------------------------------------

    def load(self, path: str | os.PathLike[str], settle: float = 0.5, timeout: float = 30.0) -> PageLoad:
        """Open a local file and wait for its load event (and ``settle`` seconds more)."""
        url = Path(path).resolve().as_uri()
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        page = PageLoad(url)
        deadline = time.monotonic() + timeout
        loaded_at: float | None = None
        pending = list(self._events)
        self._events.clear()
        while time.monotonic() < deadline:
            pending += self._messages()
            for e in pending:
                if self._record(page, e):
                    loaded_at = loaded_at or time.monotonic()
            pending = []
            if loaded_at is not None and time.monotonic() - loaded_at >= settle:
                break
            self._pump(0.1)
        page.loaded = loaded_at is not None
        return page

    def _record(self, page: PageLoad, e: dict[str, Any]) -> bool:
        """Note one event; answer dialogs at once (an open alert blocks the page). True on load."""
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled":
            page.console.append(params)
        elif method == "Runtime.exceptionThrown":
            page.exceptions.append(params)
        elif method == "Page.javascriptDialogOpening":
            page.dialogs.append(params)
            self._send("Page.handleJavaScriptDialog", {"accept": True}, session=True)
        elif method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded":
            page.log_entries.append(params.get("entry", {}))
        return method == "Page.loadEventFired"

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page (from DevTools: the page's CSP does not apply) and return the value."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: str | os.PathLike[str], full_page: bool = False) -> None:
        """Save a PNG of the viewport (or the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 8000), "scale": 1}
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        Path(path).write_bytes(base64.b64decode(data))
