"""The portal's front (deploy/proxy.conf.template), run by Debian's nginx as docker-compose.yml's
``proxy`` runs it, in front of a stand-in web process that answers every request and says which
client address it was given. The web's own limits are tested in tests/accounts/test_throttling.py."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from bench.http_load import behind_proxy
from registration.throttling import _address_scopes

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "proxy.conf.template"
FLOOD = 400


class StandInWeb(BaseHTTPRequestHandler):
    """Answers anything with 200 and the X-Forwarded-For it was sent."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"forwarded_for": self.headers.get("X-Forwarded-For")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInWeb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def front(web: str) -> Iterator[str]:
    # A fresh nginx each test: its limits' memory starts empty.
    assert shutil.which("nginx"), "nginx is not installed: `make test` installs it (apt-get install nginx-light)"
    with behind_proxy(web) as url:
        yield url


def send(url: str, method: str, path: str, count: int, headers: dict[str, str] | None = None, each=None) -> list:
    """``count`` requests on one kept-open connection; each answer as (status, headers, body)."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    answers = []
    try:
        for number in range(count):
            sent = {**(headers or {}), **(each(number) if each else {})}
            body = b'{"login": "someone", "password": "wrong-password-1"}' if method != "GET" else None
            connection.request(method, path, body=body, headers={"Content-Type": "application/json", **sent})
            response = connection.getresponse()
            answers.append((response.status, dict(response.getheaders()), response.read().decode()))
    finally:
        connection.close()
    return answers


def client_address(number: int) -> dict[str, str]:
    """A client of its own for each request, as the load balancer names it."""
    return {"X-Forwarded-For": f"10.{number // 250}.{number % 250}.7"}


def statuses(answers: list) -> dict[int, int]:
    counted: dict[int, int] = {}
    for status, _headers, _body in answers:
        counted[status] = counted.get(status, 0) + 1
    return counted


def test_the_front_is_a_configuration_nginx_accepts(front):
    status, _headers, body = send(front, "GET", "/healthz/", 1)[0]

    assert status == 200
    assert json.loads(body) == {"forwarded_for": "127.0.0.1"}
    assert send(front, "GET", "/.proxy-alive", 1)[0][0] == 204


def test_a_flood_of_sign_ins_from_one_address_is_refused_at_the_front_after_a_burst(front):
    answers = send(front, "POST", "/api/v1/auth/token/", FLOOD)
    counted = statuses(answers)

    assert set(counted) == {200, 429}
    # A burst of a hundred passes, so a hospital's staff may sign in together; nginx refills five a
    # second, so the rest of 400 sent one after another is refused whatever this machine's speed.
    assert counted[200] >= 100
    assert counted[429] >= 100
    refusal = next((headers, body) for status, headers, body in answers if status == 429)
    headers, body = refusal
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Retry-After"] == "60"
    assert json.loads(body) == {"code": "throttled", "message": "请求过于频繁，请1分钟后再试。"}


def test_a_refused_page_is_a_page_in_chinese(front):
    answers = send(front, "POST", "/accounts/login/", FLOOD)

    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert refused
    headers, body = refused[0]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Retry-After"] == "60"
    assert '<html lang="zh-hans">' in body
    assert "请求过于频繁，请1分钟后再试。" in body


def test_the_front_logs_no_query_string_and_no_id_number(web, tmp_path):
    """nginx's image logs every request with its query string; a search's carries an ID number. The
    web's log (gunicorn.conf.py) is the one access log, without either."""
    log = tmp_path / "access.log"
    with behind_proxy(web, access_log=str(log)) as front:
        answers = send(front, "GET", "/api/v1/staff/applications/?id_number=110101199003071234", 1)
        answers += send(front, "GET", "/review/search/?q=110101199003071234", 1)
    assert statuses(answers) == {200: 2}
    assert log.read_text() == ""


def test_reads_and_other_writes_are_never_limited(front):
    assert statuses(send(front, "GET", "/accounts/login/", FLOOD)) == {200: FLOOD}
    assert statuses(send(front, "PUT", "/api/v1/applications/1/sections/contact/", FLOOD)) == {200: FLOOD}
    assert statuses(send(front, "POST", "/api/v1/auth/token/extra/", FLOOD)) == {200: FLOOD}


def test_the_balancer_trusted_names_the_client_and_each_client_has_its_own_limit(front):
    answers = send(front, "POST", "/api/v1/auth/token/", FLOOD, each=client_address)

    assert statuses(answers) == {200: FLOOD}
    assert [json.loads(body)["forwarded_for"] for _status, _headers, body in answers[:3]] == [
        "10.0.0.7",
        "10.0.1.7",
        "10.0.2.7",
    ]


def test_anyone_else_naming_a_client_is_not_believed(web):
    with behind_proxy(web, trusted_balancer="192.0.2.1") as front:
        answers = send(front, "POST", "/api/v1/auth/token/", FLOOD, each=client_address)

    assert statuses(answers)[429] >= 100
    assert {json.loads(body)["forwarded_for"] for status, _headers, body in answers if status == 200} == {"127.0.0.1"}


def _routes(patterns: list, prefix: str = "/") -> Iterator[str]:
    """Every path of the URL configuration, with a sample value in each parameter."""
    for pattern in patterns:
        route = prefix + re.sub(r"<(?:\w+:)?\w+>", "x1", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_the_front_limits_exactly_the_views_the_web_limits_per_address():
    """A view given a limit per address in the web (registration/throttling.py) and forgotten here
    would meet a flood with its workers alone."""
    limited = re.search(r'"~(\^POST [^"]+)"', TEMPLATE.read_text()).group(1)
    routes = set(_routes(get_resolver().url_patterns))

    in_front = {route for route in routes if re.match(limited, f"POST {route}")}
    in_web = {route for route in routes if _address_scopes(route)}

    assert in_front == in_web
    assert "/api/v1/auth/token/" in in_front
    assert not any(re.match(limited, f"GET {route}") for route in routes)
