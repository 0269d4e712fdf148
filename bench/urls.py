from django.http import HttpResponse
from django.template import engines
from django.urls import path

from accounts.decorators import insured_required
from portal.urls import urlpatterns as portal_urlpatterns

# The portal's layout (header with unread counts, menu, footer) around one heading.
LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Bench</h1>{% endblock %}'
)


def bare(request):
    """The baseline: a Django view that does nothing, through the same middleware."""
    return HttpResponse("ok", content_type="text/plain")


@insured_required
def authenticated(request):
    """The floor of any page of the account: the session and the user (with person and caisse)
    loaded and checked, nothing rendered."""
    return HttpResponse(str(request.user.person_id), content_type="text/plain")


@insured_required
def layout(request):
    """The second baseline: what any page of a logged-in insured costs before its own content
    (session, user + person + caisse, the layout, the header's unread counts)."""
    return HttpResponse(LAYOUT.render({}, request))


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("bench/authenticated", authenticated, name="bench_authenticated"),
    path("bench/layout", layout, name="bench_layout"),
    *portal_urlpatterns,
]
