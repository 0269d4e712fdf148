import pytest
from django.urls import reverse

from accounts.factories import AgentFactory
from accounts.roles import ensure_agent_groups
from assures.factories import CaisseFactory

from .html_forms import form_data


def admin_url(model, view="changelist", *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return AgentFactory(username="admin.national", caisse=None, is_superuser=True)


@pytest.fixture
def paris_instruction_agent(db):
    """An agent of a fresh caisse with the « Instruction » role (factory-built data)."""
    groups = ensure_agent_groups()
    return AgentFactory(caisse=CaisseFactory(code="750"), groups=[groups["Instruction"]])


@pytest.fixture
def post_change_form():
    """GET an admin change page, let `edit` tweak the browser-posted data, POST it back."""

    def post(client, url, edit):
        page = client.get(url)
        assert page.status_code == 200
        form_id = f"{page.context['opts'].model_name}_form"
        data = form_data(page.content.decode(), form_id)
        edit(data)
        return client.post(url, data)

    return post
