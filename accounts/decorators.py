from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect


def insured_required(view):
    """The pages of the portal are for insured people: anonymous users go to « Me connecter »,
    agents (staff, no registry person) go to the admin where they work."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_insured:
            return redirect("admin:index")
        return view(request, *args, **kwargs)

    return wrapper
