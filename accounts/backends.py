"""Authentication backend that loads the account with what every page uses.

Every insured page reads `request.user.person` and its caisse (header, menus, querysets that
start from the person): loading them with the user turns three queries per request into one.
"""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.backends import UserModel


class ModelBackend(DjangoModelBackend):
    """Django's `ModelBackend` whose `get_user` joins the person, its caisse and the agent's
    caisse (all nullable: LEFT JOINs, still one row)."""

    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related(
                "person", "person__caisse", "caisse"
            ).get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
