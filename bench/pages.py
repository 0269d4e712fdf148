"""Latency and throughput of the key pages at scale (FEATURES C1, B1, D1; issue « fast at 10
million payments »). Prints figures; never a pass/fail test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/pages.py [--duration 10]

Run bench/load_payments.py first (≥ 100 000 people, ≥ 10 000 000 payments). The script starts
gunicorn (2 sync workers, bench.settings) on a free loopback port and drives it with wrk:
single-user latency (1 connection: p50/p95/p99) and throughput (N connections: req/s) for
three baselines (bench/urls.py: a bare Django view, a logged-in request that renders nothing,
the portal's layout alone for a logged-in insured), « Accueil » and « Mes paiements » (default
and filtered) for the `heavy` (10 000 payments) and `light` (10 payments) accounts, and the
attestation de droits PDF: first download (issued anew: POST, render, store, GET) and repeated
download of the stored file.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
LUA = BASE_DIR / "bench" / "percentiles.lua"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(nir):
    """A logged-in session for the bench account, as the login view would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from accounts.models import User

    user = User.objects.get(username=nir)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def wrk(url, cookie, connections, duration):
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def fetch(url, cookie, method="GET", data=None):
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, method=method, data=data, headers={"Cookie": cookie}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, body


def post_form(url, cookie, fields):
    """GET the form for its CSRF token, then POST `fields`; the POST's latency and response."""
    import re
    from urllib.parse import urlencode

    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        page = response.read().decode()
        csrf_cookie = next(
            value.split(";", 1)[0]
            for header, value in response.headers.items()
            if header.lower() == "set-cookie" and value.startswith("csrftoken=")
        )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
    return fetch(url, f"{cookie}; {csrf_cookie}", method="POST", data=data)


def percentiles(values):
    ordered = sorted(values)

    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99)}


# The first render of each gunicorn worker loads WeasyPrint's fonts and stylesheets (~0.5 s):
# not counted, the budget is for a warm server.
WARM_UP_RENDERS = 10


def attestation_first_downloads(base, cookie, owner_nir, runs):
    """D1 « Attestation de droits » for the whole family, issued anew each time (the previous
    one is deleted, else the portal reuses it): POST (data → HTML → WeasyPrint → private
    storage → row), then GET of the PDF it redirects to. Returns (latencies ms, PDF URL)."""
    from django.urls import reverse

    from documents.enums import DocumentKind
    from documents.models import GeneratedDocument

    form_url = base + reverse("documents:rights")
    latencies, pdf_url = [], None
    for run in range(WARM_UP_RENDERS + runs):
        for document in GeneratedDocument.objects.filter(
            owner__nir=owner_nir, kind=DocumentKind.RIGHTS
        ):
            document.file.delete(save=False)
            document.delete()
        started = time.perf_counter()
        _, status, _ = post_form(form_url, cookie, {"beneficiary": ""})
        document = GeneratedDocument.objects.get(owner__nir=owner_nir, kind=DocumentKind.RIGHTS)
        pdf_url = base + reverse("documents:download", args=[document.public_id])
        _, pdf_status, pdf = fetch(pdf_url, cookie)
        if run >= WARM_UP_RENDERS:
            latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200 and pdf_status == 200 and pdf.startswith(b"%PDF"), "no PDF"
    return latencies, pdf_url


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--pdf-runs", type=int, default=30, help="attestations issued anew")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    call_command("collectstatic", interactive=False, verbosity=0)  # served as in production

    from paiements.models import Payment

    users = json.loads((BASE_DIR / "var" / "bench_users.json").read_text())
    cookies = {key: session_cookie(value["nir"]) for key, value in users.items()}
    print(f"database: {connection.settings_dict['NAME']} — {Payment.objects.count():,} payments")
    for key, value in users.items():
        print(f"  {key}: NIR {value['nir']}, {value['payments']:,} payments")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                fetch(f"{base}/healthz", "")
                break
            except OSError:
                time.sleep(0.1)

        def url(name, **query):
            try:
                path = reverse(name)
            except NoReverseMatch:
                return None
            if query:
                path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            return base + path

        scenarios = [
            ("bare Django view", url("bench_bare"), None),
            ("logged-in, nothing rendered", url("bench_authenticated"), "light"),
            ("logged-in layout only", url("bench_layout"), "light"),
        ]
        for who in ("light", "heavy"):
            scenarios += [
                (f"Accueil ({who})", url("portal:home"), who),
                (f"Mes paiements ({who})", url("paiements:list"), who),
                (
                    f"Mes paiements filtered ({who})",
                    url("paiements:list", nature="soins", du="2025-01-01", au="2025-12-31"),
                    who,
                ),
            ]
        results = {}
        print(
            f"\n{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'1-conn rps':>12}"
            f"{f'{args.connections}-conn rps':>13}"
        )
        for label, target, who in scenarios:
            if target is None:
                print(f"{label:<36}  skipped: page not available in this build")
                continue
            cookie = cookies.get(who, "")
            status = fetch(target, cookie)[1]
            assert status == 200, f"{label}: HTTP {status}"
            wrk(target, cookie, 1, 2)  # warm-up
            single = wrk(target, cookie, 1, args.duration)
            loaded = wrk(target, cookie, args.connections, args.duration)
            results[label] = {"single": single, "loaded": loaded}
            errors = single["errors"] + single["non2xx"] + loaded["errors"] + loaded["non2xx"]
            print(
                f"{label:<36}{single['p50']:>9.2f}{single['p95']:>9.2f}{single['p99']:>9.2f}"
                f"{single['rps']:>12.1f}{loaded['rps']:>13.1f}"
                + (f"  errors={errors}" if errors else "")
            )

        # D1 attestation PDF: first download (rendered) timed request by request, then the
        # repeated download of the stored file under wrk like the pages.
        first, pdf_url = attestation_first_downloads(
            base, cookies["light"], users["light"]["nir"], args.pdf_runs
        )
        figures = percentiles(first)
        print(
            f"{'Attestation PDF, first download':<36}{figures['p50']:>9.2f}{figures['p95']:>9.2f}"
            f"{figures['p99']:>9.2f}{1000 / figures['p50']:>12.1f}{'':>13}  (n={len(first)},"
            " POST + GET)"
        )
        wrk(pdf_url, cookies["light"], 1, 2)  # warm-up
        single = wrk(pdf_url, cookies["light"], 1, args.duration)
        loaded = wrk(pdf_url, cookies["light"], args.connections, args.duration)
        results["Attestation PDF, re-download"] = {"single": single, "loaded": loaded}
        print(
            f"{'Attestation PDF, re-download':<36}{single['p50']:>9.2f}{single['p95']:>9.2f}"
            f"{single['p99']:>9.2f}{single['rps']:>12.1f}{loaded['rps']:>13.1f}"
        )

        def ratio(a, b, key, field):
            if a in results and b in results:
                return results[a][key][field] / results[b][key][field]
            return None

        print()
        for page in ("Accueil", "Mes paiements"):
            r = ratio(f"{page} (heavy)", f"{page} (light)", "single", "p50")
            if r:
                print(f"{page}: heavy/light p50 = {r:.2f}× (budget ≤ 1.2×)")
        r = ratio("Mes paiements (heavy)", "bare Django view", "loaded", "rps")
        if r:
            share = f"{r * 100:.0f} %"
            print(f"Mes paiements (heavy) throughput = {share} of the bare view (budget ≥ 50 %)")
        r = ratio("logged-in, nothing rendered", "bare Django view", "loaded", "rps")
        if r:
            print(
                f"Session + user alone (no page) = {r * 100:.0f} % of the bare view: the ceiling"
                " of any logged-in page"
            )
        r = ratio("Mes paiements (heavy)", "logged-in layout only", "loaded", "rps")
        if r:
            print(
                f"Mes paiements (heavy) throughput = {r * 100:.0f} % of the logged-in layout alone"
                " (what the page's own data and rendering cost on top of any page)"
            )

        again = results["Attestation PDF, re-download"]["single"]["p50"]
        print(
            f"Attestation PDF first download p50 = {percentiles(first)['p50']:.0f} ms (budget ≤ 120"
            f" ms), re-download p50 = {again:.1f} ms (budget ≤ 10 ms)"
        )
        print("Per-document render times: bench/documents_bench.py")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
