"""FEATURES H5: the audit trail is read-only for everyone and scoped to the agent's caisse."""

import pytest

from assures.audit import log_access
from assures.enums import AccessAction
from assures.models import AccessLog

from .conftest import admin_url


@pytest.fixture
def logs(demo, superuser):
    return {
        "camille": log_access(
            demo["agent_paris"], demo["camille"].person, AccessAction.VIEW, demo["camille"].person
        ),
        "jean": log_access(
            demo["agent_gironde"], demo["jean"].person, AccessAction.VIEW, demo["jean"].person
        ),
    }


def test_h5_agent_sees_only_the_logs_of_their_caisse_people(client, demo, logs):
    client.force_login(demo["agent_paris"])
    response = client.get(admin_url(AccessLog))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [logs["camille"]]
    assert client.get(admin_url(AccessLog, "change", logs["jean"].pk)).status_code == 302


@pytest.mark.parametrize("who", ["agent_paris", "superuser"])
def test_h5_access_log_cannot_be_added_changed_or_deleted(client, demo, logs, superuser, who):
    user = superuser if who == "superuser" else demo[who]
    client.force_login(user)
    log = logs["camille"]
    assert client.get(admin_url(AccessLog, "add")).status_code == 403
    assert client.post(admin_url(AccessLog, "add"), {"detail": "x"}).status_code == 403
    page = client.get(admin_url(AccessLog, "change", log.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    post = client.post(admin_url(AccessLog, "change", log.pk), {"detail": "effacé"})
    assert post.status_code == 403
    assert client.post(admin_url(AccessLog, "delete", log.pk), {"post": "yes"}).status_code == 403
    bulk = client.post(
        admin_url(AccessLog),
        {"action": "delete_selected", "_selected_action": [log.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # no such action: the list is shown again
    log.refresh_from_db()
    assert log.detail == ""
    assert AccessLog.objects.filter(pk=log.pk).exists()


def test_h5_superuser_sees_every_log(client, logs, superuser):
    client.force_login(superuser)
    listed = set(client.get(admin_url(AccessLog)).context["cl"].result_list)
    assert listed == {logs["camille"], logs["jean"]}
