"""F4 with the real thing: PostgreSQL, Redis and a Celery worker process.

An e-mail queued in a transaction is delivered by the worker after commit; with the broker down
the transaction still commits, nothing is lost, and once the broker is back every message is
delivered exactly once. Skipped (with the reason) when no PostgreSQL/Redis is configured: the
worker runs in another process and must see the test database.
"""

import contextlib
import datetime
import email
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from messagerie import services, tasks
from messagerie.enums import DeliveryStatus
from messagerie.models import OutboundMessage
from portal.celery import app

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _needs_real_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL: the worker is another process")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _use_broker(url, queue):
    """Point this process's Celery app at `url`, publishing to `queue`."""
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_env():
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue)
    yield
    _use_broker(saved[1], saved[2])
    app.conf.task_always_eager = saved[0]


class Worker:
    def __init__(self, broker_url, queue, mail_dir):
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _wait_until_sent(ids, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if OutboundMessage.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count() == len(
            ids
        ):
            return
        time.sleep(0.2)
    states = list(OutboundMessage.objects.filter(pk__in=ids).values_list("status", flat=True))
    raise AssertionError(f"not all delivered in {timeout}s: {states}")


def _delivered_ids(mail_dir):
    """X-Portal-Message-Id of every e-mail the worker wrote (one file per send)."""
    ids = []
    for path in Path(mail_dir).glob("*.log"):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                ids.append(email.message_from_string(chunk.strip())["X-Portal-Message-Id"])
    return ids


def _queue_batch(count, tag):
    with transaction.atomic():
        return [
            services.queue_email(
                to=f"assure{i}@example.org", subject=f"{tag} {i}", body_text="Bonjour", template="t"
            ).pk
            for i in range(count)
        ]


def test_delivered_by_a_real_worker_after_commit(celery_env, tmp_path):
    queue = f"test-{uuid.uuid4().hex}"
    _use_broker(settings.CELERY_BROKER_URL, queue)
    worker = Worker(settings.CELERY_BROKER_URL, queue, tmp_path)
    try:
        ids = _queue_batch(20, "commit")
        _wait_until_sent(ids)
    finally:
        worker.stop()
    public_ids = {
        str(p)
        for p in OutboundMessage.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    }
    delivered = _delivered_ids(tmp_path)
    assert sorted(delivered) == sorted(public_ids)  # each one exactly once


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of our own, which this test can stop and start (never the shared one)."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    state = {"process": None}

    def start():
        state["process"] = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop():
        if state["process"]:
            state["process"].terminate()
            state["process"].wait(timeout=10)
            state["process"] = None

    yield f"redis://127.0.0.1:{port}/0", start, stop
    stop()


def test_broker_outage_loses_nothing_and_sends_nothing_twice(celery_env, private_redis, tmp_path):
    broker_url, start_redis, _stop = private_redis
    queue = f"test-{uuid.uuid4().hex}"
    _use_broker(broker_url, queue)  # the broker is down: nothing listens yet

    started = time.monotonic()
    ids = _queue_batch(10, "panne")  # the transaction commits although .delay() fails
    assert time.monotonic() - started < 20
    assert OutboundMessage.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).count() == 10

    start_redis()
    _use_broker(broker_url, queue)
    mail_dir = tmp_path / "mail"
    worker = Worker(broker_url, queue, mail_dir)
    try:
        # Time passes: the rows are older than the grace period, beat runs the re-queue.
        OutboundMessage.objects.filter(pk__in=ids).update(
            created_at=timezone.now() - tasks.PENDING_GRACE - datetime.timedelta(seconds=1)
        )
        assert tasks.requeue_unsent() == 10
        tasks.requeue_unsent()  # a second beat tick before the worker is done: duplicates…
        _wait_until_sent(ids)
    finally:
        worker.stop()
    delivered = _delivered_ids(mail_dir)
    assert len(delivered) == 10  # …but the claim makes every message leave exactly once
    assert len(set(delivered)) == 10
