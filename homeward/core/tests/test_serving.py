"""How Homeward is served: with DEBUG off a newcomer sees our own 404 and 500 pages, static
files come through the WSGI app (WhiteNoise), every page carries the security headers,
and the server `make run` starts never piles up PostgreSQL connections."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path

from homeward import builders as t
from homeward.personas import settings_read_with


def boom(request: HttpRequest) -> None:
    raise RuntimeError("a bug in a view")


# The product's URLs plus one view that fails, for the 500 page (used by
# ``@pytest.mark.urls`` below).
urlpatterns = [path("boom/", boom), path("", include("homeward.urls"))]

# The suite runs with DEBUG off (pytest-django), so these pages are what production shows.
DEBUG_PAGE_SIGNS = ["Django tried these URL patterns", "Traceback", "DEBUG = True", "technical"]


@pytest.mark.django_db
def test_an_unknown_address_shows_our_own_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert 'href="/"' in page  # a way back
    for sign in DEBUG_PAGE_SIGNS:
        assert sign not in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failing_view_shows_our_own_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "a bug in a view" not in page
    for sign in DEBUG_PAGE_SIGNS:
        assert sign not in page


@pytest.mark.django_db
def test_the_stylesheet_the_pages_link_is_served_with_debug_off(client):
    page = client.get("/facilities/").content.decode()
    links = re.findall(r'href="(/static/[^"]+\.css)"', page) + re.findall(
        r'src="(/static/[^"]+\.js)"', page
    )
    assert links, page[:500]
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        assert body, url
    assert client.get("/static/homeward/no-such-file.css").status_code == 404


# --- security headers ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    for url in ["/", "/facilities/", "/signin/", "/console/signin/", "/no-such-page/"]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        policy = response["Permissions-Policy"]
        for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
            assert feature in policy, (url, policy)
        assert "Strict-Transport-Security" not in response, url  # plain HTTP, cookies not secure


def hsts_seconds_with(**env: str) -> int:
    """SECURE_HSTS_SECONDS as a fresh process computes it from this environment."""
    read = settings_read_with("settings.SECURE_HSTS_SECONDS", **{"SECURE_COOKIES": None, **env})
    assert read.returncode == 0, read.stderr
    return int(read.stdout.strip())


@pytest.mark.django_db
def test_hsts_is_sent_over_https_only_when_secure_cookies_are_on(settings):
    assert hsts_seconds_with() == 0
    year = hsts_seconds_with(SECURE_COOKIES="1")
    assert year >= 365 * 24 * 3600

    settings.SECURE_HSTS_SECONDS = year  # as the settings read with SECURE_COOKIES=1
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == f"max-age={year}"
    assert "Strict-Transport-Security" not in Client().get("/")  # never over plain HTTP

    settings.SECURE_HSTS_SECONDS = 0  # SECURE_COOKIES off
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


# --- the real server and PostgreSQL connections -----------------------------------------

WEB_APP = "homeward-test-web"  # the server's application_name, for pg_stat_activity
WEB_WORKERS, WEB_THREADS = 2, 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_connections(app: str = WEB_APP) -> int:
    """Connections to the test database opened by processes named ``app``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            [app],
        )
        return cursor.fetchone()[0]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="counts connections in pg_stat_activity"
)
def test_the_server_make_run_starts_keeps_few_database_connections(tmp_path):
    facility = t.make_facility("conn-count")
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "PGAPPNAME": WEB_APP,
        "DEBUG": "0",
        "WEB_WORKERS": str(WEB_WORKERS),
        "WEB_THREADS": str(WEB_THREADS),
    }
    env.pop("DB_CONN_MAX_AGE", None)  # the default is what is under test
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "homeward/gunicorn_conf.py"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    # The most connections seen in two samples in a row (50 ms apart): a backend whose
    # client has just closed it can still be listed for a moment while the same thread's
    # next request opens another; a connection kept open is seen in both.
    peak = 0
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak
        from django.db import connections

        before = 0
        try:
            while not sampling.wait(0.05):
                now = server_connections()
                peak, before = max(peak, min(before, now)), now
        finally:
            connections.close_all()

    sampler = threading.Thread(target=sample)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(f"{base}/facilities/") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()
            time.sleep(0.2)
        sampler.start()
        urls = [
            "/facilities/",
            f"/facilities/{facility.code}/",
            "/api/v1/facilities",
            "/signin/",
            "/no-such-page/",
        ]
        requests = [base + urls[i % len(urls)] for i in range(500)]
        with ThreadPoolExecutor(max_workers=16) as pool:  # up to 16 at once
            statuses = list(pool.map(get, requests))
        sampling.set()
        sampler.join()
        # Connections are closed as each request ends; give the last ones a moment.
        deadline = time.monotonic() + 5
        while (left_open := server_connections()) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        sampling.set()
        server.terminate()
        server.wait(timeout=20)

    assert sorted(set(statuses)) == [200, 404], statuses
    assert statuses.count(404) == 100
    assert 1 <= peak <= WEB_WORKERS * WEB_THREADS, peak  # never more than the requests in flight
    assert left_open == 0  # and none kept open once the requests are done
