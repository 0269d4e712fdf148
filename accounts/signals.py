from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import LoginEvent


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    """FEATURES A5: keep each login so the home page can say « Dernière connexion le … »."""
    if request is None:
        return
    LoginEvent.objects.create(
        user=user,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("user-agent", "")[:300],
    )
