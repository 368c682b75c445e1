"""A simulated officer's phone: one keep-alive connection to gunicorn on loopback, its cookies, and the forms it
fills in as a browser would (every field the page sends, with the page's own values)."""

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

TIMEOUT = 120  # gunicorn's own worker timeout


class FormFields(HTMLParser):
    """The fields a browser would submit from each form of a page: inputs (checked boxes only), the selected
    option of each select, and textareas."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
            return
        if not self.forms:
            return
        values = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                values[name] = a.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def form_fields(html: str, having: str) -> dict[str, str]:
    """The fields of the page's form that has a field named `having`; empty when there is none."""
    parser = FormFields()
    parser.feed(html)
    return next((form for form in parser.forms if having in form), {})


@dataclass
class Reply:
    status: int
    location: str
    body: str
    seconds: float


@dataclass
class Stats:
    """Every request's latency and outcome, shared by all officers of a case."""

    latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, reply: Reply) -> None:
        with self.lock:
            self.latencies.append(reply.seconds)
            self.by_page.setdefault(page, []).append(reply.seconds)
            self.statuses[reply.status] = self.statuses.get(reply.status, 0) + 1

    def p95_ms(self, page: str | None = None) -> float:
        ordered = sorted(self.latencies if page is None else self.by_page[page])
        return ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else 0.0

    def pages(self) -> str:
        """p95 of each page, slowest first: where the time goes."""
        p95 = {page: self.p95_ms(page) for page in self.by_page}
        return ", ".join(f"{page} {ms:.0f} ms" for page, ms in sorted(p95.items(), key=lambda kv: -kv[1]))


class Phone:
    def __init__(self, port: int, cookies: dict[str, str], stats: Stats):
        self.port = port
        self.cookies = cookies  # shared by an officer's connections, like a browser's tabs
        self.stats = stats
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, data: dict | None = None) -> Reply:
        """Status 0 is a connection refused or reset: what a phone shows as "network error"."""
        body = urlencode(data) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            response = self._send(method, path, body, headers)
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            reply = Reply(response.status, response.getheader("Location", ""), text, time.perf_counter() - start)
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            reply = Reply(0, "", "", time.perf_counter() - start)
        self.stats.add(f"{method} {ID_IN_PATH.sub('/N/', path)}", reply)
        return reply

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> http.client.HTTPResponse:
        """As a browser does: a kept-alive connection the server has meanwhile closed is opened again and the
        request sent once more (it never reached the server)."""
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            return self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.close()
            if not reused:
                raise
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.connection.request(method, path, body=body, headers=headers)
            return self.connection.getresponse()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


ID_IN_PATH = re.compile(r"/\d+/")
VISIT_URL = re.compile(r"/visits/(\d+)/$")


def visit_id(reply: Reply) -> int | None:
    match = VISIT_URL.search(reply.location) if reply.status == 302 else None
    return int(match.group(1)) if match else None


def clear_error(reply: Reply) -> bool:
    """A refusal the officer can act on: the form again (400) with its message in the page's error styles."""
    return reply.status == 400 and ("invalid-feedback" in reply.body or "alert-danger" in reply.body)


def error_page(reply: Reply) -> bool:
    """A failure shown as an error page, not a broken or empty response: the project's (templates/500.html), or
    Django's own "Bad Request (400)" when the session could not be saved because the database went away (the
    project has no 400.html)."""
    if reply.status == 400 and "<h1>Bad Request (400)</h1>" in reply.body:
        return True
    return reply.status >= 500 and 'data-testid="error-page"' in reply.body
