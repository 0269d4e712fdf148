"""FEATURES H1/H5 for online accounts: an insured's account is part of their (scoped) file."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.factories import AgentFactory
from accounts.models import User
from assures.enums import AccessAction
from assures.models import AccessLog

from .conftest import admin_url


def test_h1_agents_without_user_permission_cannot_list_accounts(client, demo):
    client.force_login(demo["agent_paris"])
    assert client.get(admin_url(User)).status_code == 403


def test_h1_h5_accounts_scoped_and_opening_one_is_logged(client, demo):
    agent = demo["agent_paris"]
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(agent)
    listed = set(client.get(admin_url(User)).context["cl"].result_list)
    assert demo["camille"] in listed and agent in listed
    assert demo["jean"] not in listed and demo["agent_gironde"] not in listed
    assert client.get(admin_url(User, "change", demo["jean"].pk)).status_code == 302

    page = client.get(admin_url(User, "change", demo["camille"].pk))
    assert page.status_code == 200
    # Only a superuser grants privileges or a caisse.
    form_fields = page.context["adminform"].form.fields
    assert not {"is_superuser", "groups", "caisse", "is_staff", "person"} & set(form_fields)
    row = AccessLog.objects.get()
    assert (row.action, row.person, row.object_type) == (
        AccessAction.VIEW,
        demo["camille"].person,
        "compte",
    )
    # An agent's own account is nobody's insured file: nothing to log.
    client.get(admin_url(User, "change", agent.pk))
    assert AccessLog.objects.count() == 1


def test_h1_nir_search_on_accounts(client, demo, superuser):
    client.force_login(superuser)
    response = client.get(admin_url(User), {"q": "1 62 01 33 063 087 08"})
    assert list(response.context["cl"].result_list) == [demo["jean"]]


def test_h5_password_reset_by_an_agent_is_logged(client, demo, superuser):
    client.force_login(superuser)
    camille = demo["camille"]
    url = reverse("admin:auth_user_password_change", args=[camille.pk])  # Django's name
    new = "Nouveau-Mot-2026"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302, response.context["form"].errors
    camille.refresh_from_db()
    assert camille.check_password(new)
    row = AccessLog.objects.get()
    assert (row.action, row.person, row.detail) == (
        AccessAction.CHANGE,
        camille.person,
        "Mot de passe",
    )


def test_h1_superuser_creates_an_agent_with_caisse_and_role(client, demo, superuser):
    from django.contrib.auth.models import Group

    client.force_login(superuser)
    caisse = demo["agent_paris"].caisse
    response = client.post(
        admin_url(User, "add"),
        {
            "username": "agent.nouveau",
            "usable_password": "true",
            "password1": "Agent-Nouveau-2026",
            "password2": "Agent-Nouveau-2026",
            "first_name": "Nina",
            "last_name": "Durand",
            "email": "nina.durand@cpam.example.org",
            "is_staff": "on",
            "caisse": caisse.pk,
            "groups": [Group.objects.get(name="Accueil").pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent = User.objects.get(username="agent.nouveau")
    assert agent.is_staff and agent.caisse == caisse
    assert list(agent.groups.values_list("name", flat=True)) == ["Accueil"]
    assert not AccessLog.objects.exists()  # an agent's account is no insured's file


def test_account_cannot_be_both_insured_and_agent(client, demo, superuser, post_change_form):
    client.force_login(superuser)

    def edit(data):
        data["is_staff"] = "on"

    response = post_change_form(client, admin_url(User, "change", demo["camille"].pk), edit)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    demo["camille"].refresh_from_db()
    assert not demo["camille"].is_staff


def test_staff_without_caisse_sees_no_account(client, demo):
    agent = AgentFactory(caisse=None)
    agent.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(agent)
    assert client.get(admin_url(User)).context["cl"].queryset.count() == 0
