"""The agents' login at /agents/ is throttled like the insured one (H1, ARCHITECTURE decision 9)."""

import pytest
from django.urls import reverse

from accounts.factories import AGENT_DEMO_PASSWORD, AgentFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def _post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/agents/"})


def test_agent_logs_in(client):
    agent = AgentFactory()
    response = _post(client, agent.username, AGENT_DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_failed_logins_are_throttled_per_username(client):
    agent = AgentFactory()
    for _ in range(5):
        response = _post(client, agent.username, "Mauvais-1")
        assert "Trop de tentatives" not in response.content.decode()
    # The limit is reached: even the right password is refused, with a French message.
    response = _post(client, agent.username.upper(), AGENT_DEMO_PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_agent_is_not_blocked_by_someone_elses_failures(client):
    victim, other = AgentFactory(), AgentFactory()
    for _ in range(5):
        _post(client, victim.username, "Mauvais-1")
    response = _post(client, other.username, AGENT_DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_failures_are_throttled_per_ip_across_usernames(client):
    for i in range(10):
        _post(client, f"inconnu.{i}", "Mauvais-1")
    agent = AgentFactory()
    response = _post(client, agent.username, AGENT_DEMO_PASSWORD)
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session
