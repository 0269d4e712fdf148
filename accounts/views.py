from django.shortcuts import render


def logged_out(request):
    """FEATURES A13: the page shown after « Déconnexion »."""
    return render(request, "account/logged_out.html")
