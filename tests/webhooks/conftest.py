"""A real HTTP server on this machine stands in for Slack's and Teams' webhook endpoints: it records
every request and answers as the test scripts it (200 by default, or 429 with Retry-After, 500, 404…)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import CustomerFactory, UserFactory
from webhooks.models import Channel
from webhooks.services import channel_save


@dataclass
class Received:
    path: str
    headers: dict
    body: dict
    at: float = field(default_factory=time.monotonic)


@dataclass
class Receiver:
    """`receiver.answer((429, {"Retry-After": "7"}), 500)` scripts the next answers; then 200 again."""

    base: str = ""
    requests: list = field(default_factory=list)
    script: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name="hook"):
        return f"{self.base}/services/T0LOCAL/B0LOCAL/{name}-secret-token"

    def answer(self, *answers):
        with self.lock:
            self.script.extend(a if isinstance(a, tuple) else (a, {}) for a in answers)

    def next_answer(self):
        with self.lock:
            return self.script.pop(0) if self.script else (200, {})


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers), json.loads(raw or b"null")))
            code, headers = receiver.next_answer()
            body = b"ok" if code < 300 else b"invalid_token" if code < 500 else b"server_error"
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lifeline.example.com"
    settings.LIFELINE_WEBHOOK_TIMEOUT = 5


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ken's Plumbing Supply")


@pytest.fixture
def make_channel(admin_user, receiver):
    def make(name="#stories", *, service=Channel.Service.SLACK, url=None, customers=(), themes=(), teams=(), **fields):
        channel = Channel(name=name, service=service, **fields)
        channel_save(by=admin_user, channel=channel, webhook_url=url or receiver.url(name.strip("#")))
        channel.customers.set(customers)
        channel.themes.set(themes)
        channel.teams.set(teams)
        return channel

    return make


@pytest.fixture
def publisher(finance):
    return UserFactory(name="Grace Okafor", team=finance, role="leader")
