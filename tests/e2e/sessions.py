"""The browser starts logged in (the login pages have their own journeys: A5, A6, A7, A4 and the
agents' login): a session opened by Django's test client on the live server's database, its
cookie handed to the browser."""

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page


def open_session(page: Page, site, user):
    """Open a session for `user` in the browser of `page`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site.base}]
    )
