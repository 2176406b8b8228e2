"""HTTP under gunicorn on PostgreSQL, with wrk sending the load from a second process.

Figures, under 2 workers of the web container's gunicorn.conf.py (gthread, 4 threads each, which
gunicorn reads from the working directory): requests per second of GET /api/v1/applications/{id}/ as
a ratio to a plain Django view (/healthz/, one SELECT 1) on the same stack; section saves per second
and their p50/p95/p99 with 10 and with 50 candidates at once; the registration-opens mix (log in, get
the application, save sections). The saves and the mix come one connection a request, as through a
proxy. Then, on the production web process (gunicorn.conf.py) with the abuse limits as production
sets them: 200 concurrent failed logins from one address, and the p95 of /healthz/ and of a
candidate's GET meanwhile; once straight to gunicorn, and once as deployed, through the proxy of
docker-compose.yml (nginx with deploy/proxy.conf.template), which the goals are for.

The web processes run as in production, with Redis (a database of its own, emptied first) as cache,
abuse-limit store and broker: a save queues the form's preparation for the workers, which run on
other machines and are not started here (bench/pdf.py measures what they do). As with workers that
are behind, which on opening day they are (a form takes them as long as a dozen saves take the web),
a candidate's first save queues one and the next saves find it waiting and queue none. Without Redis the
tasks would run inside the web request, as they do in the embedded default.

``BENCH_HTTP_STAGES`` (``requests``, ``flood``, or both, comma-separated) runs a part.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Figure, django_env, fresh_database, manage, report

CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "50"))
PASSWORD = "Load-test-2026"
DURATION = int(os.environ.get("BENCH_HTTP_SECONDS", "15"))
STAGES = set(os.environ.get("BENCH_HTTP_STAGES", "requests,flood").split(","))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# wrk keeps its connections open, and each stays on the worker that accepted it: with 8, all of them
# went to one of the two workers one run in five, which halved the plain view's rate (445 against
# 1,000-1,180 req/s on the same server). With 32 the workers hold 9-23 each, never fewer than their
# four threads. A proxy in production spreads requests, not connections.
READ_CONNECTIONS = 32
READ_TURNS = 3
# Issue 21's goal for the registration-opens mix: 4 × the 30.09 req/s of the run of 2026-11-27.
MIX_GOAL = 4 * 30.09


def prepare() -> None:
    """Inside Django: 50 candidates with complete applications; prints their ids and tokens as JSON."""
    import django

    django.setup()
    from registration.identity import mod11_2_check_character
    from registration.models import District, Exam, Unit
    from registration.services.accounts import candidate_register, degree_record_create, user_token_issue
    from registration.services.applications import application_create, application_save_section

    exam = Exam.objects.order_by("-year").first()
    district = District.objects.get(exam=exam, code="SH")
    city = district.cities.first()
    site = city.sites.first()
    point = site.registration_points.first()
    unit = Unit.objects.filter(province=district.name).first()
    people = []
    for number in range(CANDIDATES):
        body = f"3101011990{(number % 12) + 1:02d}{(number % 28) + 1:02d}{number:03d}"
        id_number = body + mod11_2_check_character(body)
        candidate = candidate_register(
            username=f"bench{number:03d}",
            password=PASSWORD,
            name="压测考生",
            id_type="resident_id",
            id_number=id_number,
            email=f"bench{number:03d}@example.com",
            mobile=f"138{number:08d}",
        )
        degree = degree_record_create(
            candidate=candidate,
            education="本科",
            certificate_number=f"1042{number:010d}",
            school="复旦大学上海医学院",
            graduation_date=datetime.date(2012, 7, 1),
            training_mode="全日制",
            major="临床医学",
            degree="学士",
            degree_certificate_number=f"2042{number:010d}",
        )
        application = application_create(candidate=candidate, exam=exam, district=district)
        sections = {
            "site": {"city": city.code, "site": site.code, "registration_point": point.code},
            "basic": {
                "id_valid_until": "2036-01-01",
                "gender": candidate.gender,
                "birth_date": candidate.birth_date.isoformat(),
                "ethnicity": "汉族",
                "health_status": "健康",
                "nationality": "中国",
            },
            "contact": {"address": "上海市徐汇区漕溪北路1号", "postcode": "200030", "mobile": candidate.mobile},
            "exam": {
                "specialty": exam.specialties.get(code="303").code,
                "subjects": ["1", "2", "3", "4"],
                "current_qualification": "医师",
                "practice_category": "临床执业医师",
                "first_registration_month": "2014-06",
            },
            "education": {
                "degree_record": degree.pk,
                "highest_education": "本科",
                "schooling_years": "五年制",
                "work_experience": "2012年至今在心内科工作",
            },
            "work": {
                "unit": unit.pk,
                "unit_affiliation": "省(自治区、直辖市)",
                "unit_nature": "医疗卫生",
                "years_in_specialty": 11,
            },
        }
        for key, data in sections.items():
            application_save_section(application_id=application.pk, section=key, data=data, actor=candidate)
        token = user_token_issue(user=candidate).key
        # The mix signs this twin in, not the candidate: an account keeps only its newest tokens
        # (LIVE_TOKENS_PER_ACCOUNT), and the mix's sign-ins would retire the token its reads use.
        signer_body = f"3101011991{(number % 12) + 1:02d}{(number % 28) + 1:02d}{number:03d}"
        signer = candidate_register(
            username=f"signer{number:03d}",
            password=PASSWORD,
            name="压测考生",
            id_type="resident_id",
            id_number=signer_body + mod11_2_check_character(signer_body),
            email=f"signer{number:03d}@example.com",
            mobile=f"139{number:08d}",
        )
        people.append({"username": candidate.username, "id": application.pk, "token": token, "signer": signer.username})
    print(json.dumps(people))


LUA = r"""
local people = %(people)s
local mode = "%(mode)s"
local counter = 0
local offset = 0
local contact = '{"address": "上海市徐汇区漕溪北路1号", "postcode": "200030", "mobile": "13800000000"}'
local work = '{"unit": null, "other_unit_name": "上海某某医院", "unit_affiliation": "省(自治区、直辖市)", "unit_nature": "医疗卫生", "unit_category": "二级医院", "years_in_specialty": 9}'
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

-- The saves and the mix come one connection a request, as through a proxy that keeps no connection
-- to the web process (nginx's default): each request goes to a worker free to accept it. Kept open,
-- all ten connections of the saves sometimes stayed on one worker, which halved their rate.
local connection_a_request = mode == "save" or mode == "mix"

local function headers(person)
  local fields = {["Content-Type"] = "application/json"}
  if person then
    fields["Authorization"] = "Token " .. person.token
  end
  if connection_a_request then
    fields["Connection"] = "close"
  end
  return fields
end

function request()
  counter = counter + 1
  local person = people[((counter + offset) %% #people) + 1]
  local base = "/api/v1/applications/" .. person.id .. "/"
  if mode == "plain" then
    return wrk.format("GET", "/healthz/")
  elseif mode == "get" then
    return wrk.format("GET", base, headers(person))
  elseif mode == "flood" then
    -- A wrong password for one of the people, again and again, from the one address.
    local body = '{"login": "' .. person.username .. '", "password": "not-the-password-1"}'
    return wrk.format("POST", "/api/v1/auth/token/", headers(nil), body)
  elseif mode == "login" then
    local body = '{"login": "' .. person.username .. '", "password": "%(password)s"}'
    return wrk.format("POST", "/api/v1/auth/token/", headers(nil), body)
  elseif mode == "save" then
    if counter %% 2 == 0 then
      return wrk.format("PUT", base .. "sections/contact/", headers(person), contact)
    end
    return wrk.format("PUT", base .. "sections/work/", headers(person), work)
  else
    -- The registration-opens mix: log in once, look at the application, save six sections.
    local step = counter %% 8
    if step == 0 then
      local body = '{"login": "' .. person.signer .. '", "password": "%(password)s"}'
      return wrk.format("POST", "/api/v1/auth/token/", headers(nil), body)
    elseif step == 1 then
      return wrk.format("GET", base, headers(person))
    end
    return wrk.format("PUT", base .. "sections/contact/", headers(person), contact)
  end
end

throttled = 0
busy = 0
failures = ""

function response(status, headers, body)
  if status == 429 then
    throttled = throttled + 1
    if string.find(body, '"busy"', 1, true) then
      busy = busy + 1
      return
    end
  end
  if status >= 400 and #failures < 300 then
    failures = failures .. " " .. status .. ":" .. string.sub(body, 1, 40)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local refused = 0
  local told_busy = 0
  for _, thread in ipairs(threads) do
    refused = refused + thread:get("throttled")
    told_busy = told_busy + thread:get("busy")
    local failed = thread:get("failures")
    if mode ~= "flood" and #failed > 0 then
      io.stderr:write("non-2xx answers (" .. mode .. "):" .. failed .. "\n")
    end
  end
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "status_errors": %%d, "throttled": %%d, "busy": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, refused, told_busy, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wrk(url: str, people: list[dict], mode: str, connections: int, *, seconds: int | None = None) -> dict:
    return wrk_started(url, people, mode, connections, seconds=seconds)()


def wrk_started(
    url: str, people: list[dict], mode: str, connections: int, *, seconds: int | None = None
) -> Callable[[], dict]:
    """Starts wrk in the background for ``seconds`` (``BENCH_HTTP_SECONDS``); the returned function
    waits for it and gives its figures."""
    seconds = seconds or DURATION
    script = LUA % {"people": _lua_table(people), "mode": mode, "password": PASSWORD}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    threads = min(2, connections)
    process = subprocess.Popen(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", handle.name, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",  # the failures wrk reports are cut at a byte count
    )

    def figures() -> dict:
        try:
            stdout, stderr = process.communicate(timeout=seconds + 60)
        finally:
            os.unlink(handle.name)
        if process.returncode:
            sys.exit(f"wrk failed: {stderr}")
        if stderr.strip():
            print(stderr.strip(), file=sys.stderr)
        line = next(line for line in stdout.splitlines() if line.startswith("WRK "))
        result = json.loads(line[4:])
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        return result

    return figures


def _lua_table(people: list[dict]) -> str:
    rows = ", ".join(
        f'{{id = {p["id"]}, token = "{p["token"]}", username = "{p["username"]}", signer = "{p["signer"]}"}}'
        for p in people
    )
    return "{" + rows + "}"


# The load comes from one address and logs the same 50 people in again and again: the abuse limits
# (registration/throttling.py) would answer 429 long before the server is busy, and this bench
# measures the server, not the limits.
UNLIMITED = {
    f"THROTTLE_{name}": "1000000/second"
    for name in ("LOGIN_PER_ADDRESS", "LOGIN_PER_ACCOUNT", "REGISTER_PER_ADDRESS", "REGISTER_PER_ACCOUNT")
}


def load_database(name: str, **extra_env: str) -> tuple[dict[str, str], list[dict]]:
    """A fresh demo database with the 50 prepared candidates; the environment to serve it and the people."""
    database_url = fresh_database(name)
    env = {**django_env(database_url, CONN_MAX_AGE="60", **UNLIMITED), **extra_env}
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", env=env, capture=True)
    prepared = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if prepared.returncode:
        sys.exit(f"preparing the candidates failed:\n{prepared.stderr[-3000:]}")
    return env, json.loads(prepared.stdout)


def with_redis(env: dict[str, str]) -> dict[str, str]:
    """``env`` served as production serves it, on an emptied Redis database of the bench's own."""
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=True, capture_output=True)
    return {**env, "REDIS_URL": REDIS_URL}


@contextlib.contextmanager
def serving(env: dict[str, str], *, production: bool = False) -> Iterator[str]:
    """gunicorn on a free local port, answering /healthz/; yields its URL. The web container's own
    ``gunicorn.conf.py`` (four threads a worker), with two workers; or, with ``production``, as many
    as it sizes from the CPU count."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    workers = ["--config", "gunicorn.conf.py"] + ([] if production else ["-w", "2"])
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "wecan.wsgi",
            *workers,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for_healthz(url, server, "gunicorn")
        # The first worker answers while the others still boot, and connections made then all stay
        # on it (the plain view measured ~900 req/s instead of ~2,200 one time in five): a run of a
        # few seconds, discarded, whose connections close before the measured ones open.
        subprocess.run(["wrk", "-t2", "-c8", "-d5s", f"{url}/healthz/"], check=True, capture_output=True)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # A worker still busy with a request the load left behind.
            server.kill()
            server.wait()


# The http level of nginx.conf around the portal's front, as nginx's own image has it (which logs
# every request with its query string, unless the front says otherwise); the files nginx writes go
# to the bench's folder.
PROXY_MAIN = """
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {access_log} combined;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    include {prefix}/wecan.conf;
}}
"""


@contextlib.contextmanager
def behind_proxy(web_url: str, *, trusted_balancer: str = "127.0.0.1", access_log: str = "/dev/null") -> Iterator[str]:
    """nginx with the portal's front (deploy/proxy.conf.template, as docker-compose.yml's ``proxy``
    serves it) in front of the web process at ``web_url``; yields the proxy's URL. By default the
    load balancer it trusts is this machine, where the load comes from. ``access_log`` is the file
    the http level logs requests to, as nginx's image has it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wecan-proxy-") as prefix:
        front = string.Template((ROOT / "deploy" / "proxy.conf.template").read_text()).safe_substitute(
            WEB_UPSTREAM=web_url.removeprefix("http://"),
            PROXY_LISTEN=f"127.0.0.1:{port}",
            TRUSTED_BALANCER=trusted_balancer,
        )
        Path(prefix, "wecan.conf").write_text(front)
        Path(prefix, "nginx.conf").write_text(PROXY_MAIN.format(prefix=prefix, access_log=access_log))
        proxy = subprocess.Popen(["nginx", "-p", prefix, "-c", f"{prefix}/nginx.conf", "-g", "daemon off;"], cwd=prefix)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_healthz(url, proxy, "nginx")
            yield url
        finally:
            proxy.terminate()
            proxy.wait(timeout=30)


def _wait_for_healthz(url: str, server: subprocess.Popen, name: str) -> None:
    for _attempt in range(150):
        try:
            urllib.request.urlopen(f"{url}/healthz/", timeout=1)  # noqa: S310  (our own local server)
            return
        except OSError:
            if server.poll() is not None:
                sys.exit(f"{name} exited before answering")
            time.sleep(0.2)
    sys.exit(f"{name} did not answer /healthz/ in 30 s")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    env, people = load_database("wecan_bench_http")
    figures = []
    errors = 0
    if "requests" in STAGES:
        with serving(with_redis(env)) as url:
            plain, detail, ratios = read_turns(url, people)
            saves_10 = wrk(url, people, "save", 10)
            saves_50 = wrk(url, people, "save", CANDIDATES)
            mix = wrk(url, people, "mix", CANDIDATES)
        figures += request_figures(plain, detail, ratios, saves_10, saves_50, mix)
        # A sign-in answered "busy" (429, Retry-After: 1) is the designed answer while the process's
        # password check is taken (registration/auth.py): counted on its own line, not as an error.
        errors += sum(
            result["socket_errors"] + result["status_errors"] - result["busy"]
            for result in (plain, detail, saves_10, saves_50, mix)
        )
    if "flood" in STAGES:
        # The flood meets the abuse limits as production sets them, on the production web process.
        limited = {key: value for key, value in env.items() if key not in UNLIMITED}
        with serving(with_redis(limited), production=True) as url:
            straight = flooded_at(url, people)
        # As deployed: the proxy in front, whose address the web trusts for the client's.
        with serving(with_redis({**limited, "NUM_PROXIES": "1"}), production=True) as web, behind_proxy(web) as url:
            proxied = flooded_at(url, people)
        figures += flood_figures(*straight, proxied=False) + flood_figures(*proxied, proxied=True)
        errors += sum(
            result["socket_errors"] + result["status_errors"]
            for _, *answered in (straight, proxied)
            for result in answered
        )
    figures.append(Figure("http", "errors (socket + non-2xx, flood aside)", errors, "", "0", errors == 0))
    report(figures)


def read_turns(url: str, people: list[dict]) -> tuple[dict, dict, list[float]]:
    """The plain view and the GET, in turns of a third of the duration each, each turn on connections
    of its own: a run whose connections fell unevenly on the two workers (seen a run in five, at up to
    half the rate), or a minute when the machine is slower, then moves one pair's ratio, not the
    figure. Each one's figures are of its median turn, with the requests of all its turns; and the
    turns' ratios, lowest first."""
    seconds = max(1, DURATION // READ_TURNS)
    turns = [
        (
            wrk(url, people, "plain", READ_CONNECTIONS, seconds=seconds),
            wrk(url, people, "get", READ_CONNECTIONS, seconds=seconds),
        )
        for _turn in range(READ_TURNS)
    ]
    plain, detail = (_median_turn([turn[index] for turn in turns]) for index in (0, 1))
    return plain, detail, sorted(get["rps"] / plain_turn["rps"] for plain_turn, get in turns)


def _median_turn(results: list[dict]) -> dict:
    median = dict(sorted(results, key=lambda result: result["rps"])[len(results) // 2])
    for count in ("requests", "socket_errors", "status_errors", "busy"):
        median[count] = sum(result[count] for result in results)
    return median


def request_figures(
    plain: dict, detail: dict, ratios: list[float], saves_10: dict, saves_50: dict, mix: dict
) -> list[Figure]:
    # The median of the turns' ratios: each pair ran a few seconds apart.
    ratio = ratios[len(ratios) // 2]
    figures = [
        Figure("http", "plain Django view (/healthz/), median turn", plain["rps"], "req/s"),
        Figure("http", "GET application, median turn", detail["rps"], "req/s"),
        Figure("http", "GET application / plain view, median of the turns", ratio, "×", "≥ 0.45", ratio >= 0.45),
        Figure("http", "lowest ratio of a turn", ratios[0], "×"),
        Figure("http", "highest ratio of a turn", ratios[-1], "×"),
    ]
    for label, saves in (("10", saves_10), ("50", saves_50)):
        p95 = saves["p95_us"] / 1000
        figures += [
            Figure("http", f"section saves ({label} candidates)", saves["rps"], "req/s", "≥ 300", saves["rps"] >= 300),
            Figure("http", f"section save p50 ({label} candidates)", saves["p50_us"] / 1000, "ms"),
            Figure(
                "http", f"section save p95 ({label} candidates)", p95, "ms",
                *(("≤ 60 ms", p95 <= 60) if label == "10" else ("", None)),
            ),
            Figure("http", f"section save p99 ({label} candidates)", saves["p99_us"] / 1000, "ms"),
        ]  # fmt: skip
    figures.append(
        Figure("http", "registration-opens mix", mix["rps"], "req/s", f"≥ {MIX_GOAL:.0f}", mix["rps"] >= MIX_GOAL)
    )
    logins = mix["requests"] / 8  # one request in eight of the mix is a sign-in
    figures.append(Figure("http", "mix sign-ins answered busy (429, Retry-After: 1)", mix["busy"] / logins * 100, "%"))
    return figures


def flooded_at(url: str, people: list[dict]) -> tuple[dict, dict, dict]:
    """200 connections sending failed sign-ins from one address, and meanwhile two asking for
    /healthz/ and two for candidates' applications: the figures of the three."""
    flood = wrk_started(url, people, "flood", 200)
    time.sleep(2)  # the flood first
    healthz_in_flood = wrk_started(url, people, "plain", 2)
    detail_in_flood = wrk_started(url, people, "get", 2)
    return flood(), healthz_in_flood(), detail_in_flood()


def flood_figures(flooded: dict, healthz: dict, detail: dict, *, proxied: bool) -> list[Figure]:
    """The deployed portal (behind its proxy) is held to the goals; the web process alone is shown beside it."""
    where = "through the proxy" if proxied else "straight to gunicorn"
    healthz_p95, detail_p95 = healthz["p95_us"] / 1000, detail["p95_us"] / 1000
    goal = ("≤ 100 ms",) if proxied else ("",)
    return [
        Figure("http", f"failed logins sent (200 at once), {where}", flooded["rps"], "req/s"),
        Figure("http", f"of them refused (429) before hashing, {where}", flooded["throttled"] / max(flooded["requests"], 1) * 100, "%"),
        Figure("http", f"/healthz/ p95 during the flood, {where}", healthz_p95, "ms", *goal, healthz_p95 <= 100 if proxied else None),
        Figure("http", f"GET application p95 during the flood, {where}", detail_p95, "ms", *goal, detail_p95 <= 100 if proxied else None),
    ]  # fmt: skip


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        import django

        # DRF's views load the authentication classes, whose token model needs the app registry.
        django.setup()
        from wecan.errors import InvalidInput

        try:
            prepare()
        except InvalidInput as refused:
            sys.exit(f"refused: {refused.fields}")
    else:
        main()
