"""Outbox delivery latency with the real thing (FEATURES F4, ARCHITECTURE decision 4): commit →
e-mail handed to the mail backend by a real Celery worker, over PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/delivery_latency.py \
        [--messages 200] [--rate 20]

Starts one worker process (prefork, 2 processes) on a queue of its own, writes each message in
its own transaction (as a request would) at a steady rate (--rate 0: all at once), and prints
p50/p95/p99/max of sent_at − commit time, plus the total throughput.
Figures only; never a pass/fail test.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument(
        "--rate", type=float, default=20.0, help="messages committed per second (0 = burst)"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        sys.exit("needs DATABASE_URL (PostgreSQL) and REDIS_URL")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from messagerie.enums import DeliveryStatus
    from messagerie.models import OutboundMessage
    from messagerie.services import queue_email
    from portal.celery import app

    call_command("migrate", verbosity=0)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    mail_dir = tempfile.mkdtemp(prefix="bench-mail-")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": mail_dir,
        },
    )
    try:
        time.sleep(4)  # let the worker connect
        committed = {}
        started = time.monotonic()
        for i in range(args.messages):
            with transaction.atomic():
                message = queue_email(
                    to=f"bench{i}@example.org",
                    subject=f"Mesure {i}",
                    body_text="Bonjour",
                    template="bench",
                )
            committed[message.pk] = timezone.now()  # on_commit has queued the task
            if args.rate:
                time.sleep(max(0.0, started + (i + 1) / args.rate - time.monotonic()))
        deadline = time.monotonic() + 120
        ids = list(committed)
        while time.monotonic() < deadline:
            done = OutboundMessage.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count()
            if done == len(ids):
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        rows = OutboundMessage.objects.filter(pk__in=ids).values_list("pk", "status", "sent_at")
        latencies = [
            (sent_at - committed[pk]).total_seconds() * 1000
            for pk, status, sent_at in rows
            if status == DeliveryStatus.SENT
        ]
        print(
            f"{len(latencies)}/{len(ids)} delivered by a real worker in {elapsed:.1f}s "
            f"({len(latencies) / elapsed:.0f} messages/s)"
        )
        print(
            f"commit → sent: p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {percentile(latencies, 0.95):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
        OutboundMessage.objects.filter(pk__in=ids).delete()
    finally:
        worker.terminate()
        worker.wait(timeout=20)


if __name__ == "__main__":
    main()
