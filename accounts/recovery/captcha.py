"""The captcha of « Mot de passe oublié ? » (FEATURES A8): an image AND a sound extract.

django-simple-captcha stores the challenge and draws the image; its own audio needs flite,
which only speaks English. Here the characters are read in French by espeak-ng (Debian
package `espeak-ng`, settings.CAPTCHA_ESPEAK_PATH), one by one with pauses, and served as
WAV. Characters that look or sound alike (0/O, 1/I/L, B/D/P/T/V, M/N…) are left out of the
challenge so that both the image and the extract can be copied without guessing.
"""

from __future__ import annotations

import secrets
import subprocess

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

ALPHABET = "ACEFHJKRSUXYZ234579"
LENGTH = 5
# How espeak-ng should say each character: digits as numbers, letters by name.
SPOKEN = {c: c for c in ALPHABET}
ESPEAK_ARGS = ["-v", "fr", "-s", "115", "-g", "14", "--stdout"]


def challenge():
    """CAPTCHA_CHALLENGE_FUNCT: 5 unambiguous characters (the answer is case-insensitive)."""
    text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return text, text.lower()


def espeak_path() -> str | None:
    return getattr(settings, "CAPTCHA_ESPEAK_PATH", None) or None


def speak(text: str) -> bytes:
    """The WAV bytes of espeak-ng reading `text`'s characters one by one, in French."""
    spoken = " ; ".join(SPOKEN.get(c, c) for c in text.upper())
    result = subprocess.run(  # noqa: S603 - fixed executable, no shell, text from our alphabet
        [espeak_path(), *ESPEAK_ARGS, f"Recopiez : {spoken}. Je répète : {spoken}."],
        capture_output=True,
        timeout=15,
        check=True,
    )
    return result.stdout


@require_GET
@never_cache
def captcha_audio(request, key):
    """The sound extract of captcha `key` (404 once the captcha was used or expired)."""
    if not espeak_path():
        raise Http404("Extrait sonore indisponible.")
    store = CaptchaStore.objects.filter(hashkey=key).first()
    if store is None:
        raise Http404("Ce code de sécurité a expiré.")
    response = HttpResponse(speak(store.challenge), content_type="audio/wav")
    response["Content-Disposition"] = 'inline; filename="code-de-securite.wav"'
    return response


class AccessibleCaptchaWidget(CaptchaTextInput):
    """The image (with a text alternative), a player and a link for the sound extract, and
    the answer input (the label of the field points to it)."""

    template_name = "account/recovery/captcha_widget.html"
    use_fieldset = False  # the field's label names the answer input (`id_for_label`)

    def audio_url(self):
        if not espeak_path():
            return None
        return reverse("accounts:captcha_audio", kwargs={"key": self._key})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["subwidgets"][1]["attrs"].update(
            {"autocapitalize": "characters", "maxlength": LENGTH, "size": LENGTH + 3}
        )
        context["captcha_length"] = LENGTH
        context["image_2x"] = reverse("captcha-image-2x", kwargs={"key": self._key})
        return context


def captcha_field():
    return CaptchaField(
        label="Recopiez les caractères de l'image ou de l'extrait sonore",
        help_text=(
            f"{LENGTH} caractères, lettres majuscules ou chiffres. Vous ne parvenez pas à les "
            "lire ? Écoutez l'extrait sonore ou affichez une autre image."
        ),
        widget=AccessibleCaptchaWidget(),
        error_messages={
            "invalid": (
                "Les caractères recopiés ne correspondent pas. Recopiez ceux de la nouvelle "
                "image ou du nouvel extrait sonore."
            ),
            "required": "Recopiez les caractères de l'image ou de l'extrait sonore.",
            "incomplete": "Recopiez les caractères de l'image ou de l'extrait sonore.",
        },
    )
