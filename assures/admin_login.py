"""The agents' login at /agents/ (H1): failed attempts throttled like the insured login.

ARCHITECTURE decision 9 asks for rate limits on every login; Django's admin has none. This form
reuses allauth's `login_failed` limits (per IP and per username, ACCOUNT_RATE_LIMITS), counts
only failures, and refuses further attempts with a French message once the limit is reached.
"""

from allauth.core import ratelimit
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

TOO_MANY_ATTEMPTS = (
    "Trop de tentatives de connexion. Pour votre sécurité, réessayez dans quelques minutes."
)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        key = (self.cleaned_data.get("username") or "").strip().lower()
        if not ratelimit.consume(self.request, action="login_failed", key=key, dry_run=True):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="too_many_attempts")
        try:
            return super().clean()
        except ValidationError:
            ratelimit.consume(self.request, action="login_failed", key=key)
            raise
