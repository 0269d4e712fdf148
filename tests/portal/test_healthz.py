"""/healthz reports the database and the broker (foundation issue, item 10)."""

import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_healthy_embedded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert data["broker"].startswith("ok (tâches exécutées immédiatement")


@pytest.mark.broker
@pytest.mark.django_db
def test_healthy_with_the_real_broker(client, settings):
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        pytest.skip("needs REDIS_URL or CELERY_BROKER_URL: checks a real broker connection")
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager = previous
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_broker_down_is_503(client, settings):
    from portal.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"].startswith("erreur")


@pytest.mark.django_db
def test_database_down_is_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("base indisponible")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("erreur")
