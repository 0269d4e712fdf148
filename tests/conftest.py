import uuid

import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key space (real Redis in CI, local memory otherwise), so
    rate limits and cached sessions never leak between tests or xdist workers."""
    caches = {name: dict(conf) for name, conf in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo people of FEATURES.md, built by `seed_demo` (the same code as `make run`)."""
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    return {
        "camille": User.objects.get(username="2900375106123"),
        "thomas": User.objects.get(username="1881169123045"),
        "jean": User.objects.get(username="1620133063087"),
        "agent_paris": User.objects.get(username="agent.paris"),
        "agent_gironde": User.objects.get(username="agent.gironde"),
    }


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in the test process, except in tests marked `broker` (real Redis + worker)."""
    from portal.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
