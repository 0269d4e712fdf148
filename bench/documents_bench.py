"""Figures of the PDFs (FEATURES D1, D8, X1): render time of each document type, issue time,
re-download and verification latency. Prints figures; never a pass/fail test.

    DATABASE_URL=sqlite:////tmp/documents_bench.sqlite3 .venv/bin/python bench/documents_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/documents_bench.py

The database is migrated and the demo people loaded if needed (`seed_demo`); PDFs are written
to a temporary private folder. Measured in-process on Camille MARTIN's file:

* « render »: data -> HTML -> WeasyPrint bytes of one document, warm (the first, cold, render
  of the process is printed apart: WeasyPrint's import, fonts, stylesheet parsing);
* « issue »: `services.issue()` of a new attestation (render + private storage + row);
* « download »: GET of the stored PDF through the whole Django stack (session, owner check,
  streaming), and the download view alone;
* « verify »: GET of « Vérifier une attestation » for a genuine code.

Targets: warm attestation ≤ 120 ms, re-download ≤ 10 ms. Each line gives wall-clock median,
p95 and minimum, and the median CPU time of the process (what the work costs when the machine
is shared with other loads).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="documents-bench-"))


class Samples(list):
    """Wall-clock milliseconds, with the process CPU time of each run in `.cpu` (on a shared
    machine the wall clock includes waiting for a core; the CPU time does not)."""

    def __init__(self):
        super().__init__()
        self.cpu = []


def timed(function, runs):
    samples = Samples()
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append((time.perf_counter() - start) * 1000)
        samples.cpu.append((time.process_time() - start_cpu) * 1000)
    return samples


def line(label, samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"  {label:<46} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms"
        f"   min {ordered[0]:7.1f} ms   CPU median {statistics.median(samples.cpu):7.1f} ms"
        f"   (n={len(ordered)})"
    )


def page_count(pdf: bytes):
    """Pages of a PDF, as poppler's pdfinfo reads them."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info)[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="renders per document type")
    parser.add_argument("--downloads", type=int, default=300, help="re-downloads measured")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.utils import timezone

    from accounts.models import User
    from documents import rules, services, views
    from documents.enums import DocumentKind
    from documents.models import GeneratedDocument
    from documents.renderers import get_renderer
    from paiements.models import Payment

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="2900375106123").exists():
        call_command("seed_demo", verbosity=0)
    user = User.objects.get(username="2900375106123")
    camille = user.person
    today = timezone.localdate()
    print(f"Database: {connection.vendor}; PDFs in {settings.STORAGES['default']['OPTIONS']}")
    print(f"CPU: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")

    lea = camille.family()[1]
    ij = rules.ij_payments(camille).order_by("paid_on").first()
    month = rules.statement_months(today)[0]
    care = Payment.objects.for_person(camille).filter(nature="soins").order_by("-paid_on").first()
    ceam = rules.ceam_in_force(camille, today)
    cases = [
        ("D1 attestation de droits (toute la famille)", DocumentKind.RIGHTS, {"beneficiary": None}),
        ("D1 attestation de droits (une personne)", DocumentKind.RIGHTS,
         {"beneficiary": str(lea.public_id)}),
        ("C1 décompte d'un paiement de soins", DocumentKind.PAYMENT_STATEMENT,
         {"payment": str(care.public_id)}),
        ("C2 relevé mensuel", DocumentKind.MONTHLY_STATEMENT,
         {"month": f"{month[0]:04d}-{month[1]:02d}"}),
        ("C3 relevé annuel", DocumentKind.ANNUAL_STATEMENT, {"year": today.year - 1}),
        ("D4 certificat provisoire CEAM", DocumentKind.CEAM_CERTIFICATE,
         {"person": str(camille.public_id)}),
        ("D6 M'T Dents", DocumentKind.MT_DENTS,
         {"person": str(lea.public_id),
          "start": rules.mt_dents_period(lea, today)[0].isoformat()}),
    ]  # fmt: skip
    if ij is not None:
        start, end = rules.ij_period_for_year(ij.paid_on.year, today)
        cases.insert(1, ("D2 attestation d'IJ (une année)", DocumentKind.DAILY_ALLOWANCES,
                         {"start": start.isoformat(), "end": end.isoformat(),
                          "year": ij.paid_on.year, "mentions": []}))  # fmt: skip
    if ceam is not None:
        cases.append(("D4 image de la CEAM", DocumentKind.CEAM_CARD,
                      {"person": str(camille.public_id), "card": ceam.card_number}))  # fmt: skip

    print("\nRender (data -> HTML -> PDF bytes), warm:")
    for index, (label, kind, parameters) in enumerate(cases):
        renderer = get_renderer(kind, camille, parameters)
        document = GeneratedDocument(
            owner=camille,
            kind=kind,
            verification_code="K7QM4XRTH2PV",
            created_at=timezone.now(),
            valid_until=renderer.get_valid_until(),
        )
        if index == 0:
            cold = timed(lambda r=renderer, d=document: r.render(d), 1)[0]
            print(f"  (first render of the process, cold: {cold:.0f} ms)")
        else:
            renderer.render(document)
        pages = page_count(renderer.render(document))
        html = timed(lambda r=renderer, d=document: r.render_html(d), args.runs)
        line(f"{label} [{pages} p.]", timed(lambda r=renderer, d=document: r.render(d), args.runs))
        if index == 0:
            line("  of which data + HTML template", html)

    print("\nIssue a new attestation (render + private storage + row):")
    rights = {"beneficiary": None}

    def issue_new():
        GeneratedDocument.objects.filter(owner=camille, kind=DocumentKind.RIGHTS).delete()
        services.issue(camille, DocumentKind.RIGHTS, rights)

    line("services.issue() D1", timed(issue_new, max(5, args.runs // 2)))
    line("services.issue() again (dedupe: reused)", timed(
        lambda: services.issue(camille, DocumentKind.RIGHTS, rights), args.runs))  # fmt: skip

    document = services.issue(camille, DocumentKind.RIGHTS, rights)
    client = Client()
    client.force_login(user)
    url = f"/documents/{document.public_id}/telecharger/"
    size = len(b"".join(client.get(url).streaming_content))

    def download():
        response = client.get(url)
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and len(body) == size

    request = RequestFactory().get(url)
    request.user = user

    def view_only():
        response = views.download(request, public_id=document.public_id)
        b"".join(response.streaming_content)

    print(f"\nRe-download of the stored PDF ({size / 1024:.1f} KiB, never re-rendered):")
    download()
    line("GET through middleware, session, owner check", timed(download, args.downloads))
    line("download view alone", timed(view_only, args.downloads))

    anonymous = Client()
    verify_url = f"/verifier/{document.verification_code_display}/"
    print("\n« Vérifier une attestation » (public page, genuine code):")
    settings.DOCUMENTS_VERIFY_RATE_PER_MINUTE = 10**9  # measure the page, not the limiter
    line("GET /verifier/<code>/", timed(lambda: anonymous.get(verify_url), 100))


if __name__ == "__main__":
    main()
