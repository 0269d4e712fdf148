from allauth.socialaccount import app_settings
from django import template

from ..clients import describe_client, mask_ip

register = template.Library()

FRANCECONNECT = "franceconnect"


@register.simple_tag
def franceconnect_enabled() -> bool:
    """A4: the « S'identifier avec FranceConnect » button shows only when FranceConnect is
    configured (FRANCECONNECT_CLIENT_ID…, i.e. SOCIALACCOUNT_PROVIDERS), without a query."""
    apps = app_settings.PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return any(app.get("provider_id") == FRANCECONNECT and app.get("client_id") for app in apps)


@register.filter
def client_description(user_agent):
    return describe_client(user_agent)


@register.filter
def masked_ip(ip):
    return mask_ip(ip)
