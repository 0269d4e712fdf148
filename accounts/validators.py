"""Password rules (ARCHITECTURE « Password and session rules », FEATURES A1).

At least 8 characters (Django's MinimumLengthValidator), not a common password (Django's
CommonPasswordValidator), and here: an upper-case letter, a lower-case letter, and a digit or a
special character; nothing built from the NIR or the birth date.
"""

import re

from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    message = (
        "Le mot de passe doit contenir au moins une majuscule, une minuscule, "
        "et un chiffre ou un caractère spécial."
    )

    def validate(self, password, user=None):
        has_upper = any(c.isupper() for c in password)
        has_lower = any(c.islower() for c in password)
        has_digit_or_special = any(not c.isalpha() for c in password)
        if not (has_upper and has_lower and has_digit_or_special):
            raise ValidationError(self.message, code="password_classes")

    def get_help_text(self):
        return self.message


class PersonalDataValidator:
    """Refuse a password containing the NIR (or 6+ digits of it) or the birth date."""

    message = (
        "Le mot de passe ne doit pas contenir votre numéro de sécurité sociale "
        "ni votre date de naissance."
    )

    def _fragments(self, user):
        person = getattr(user, "person", None) if user is not None else None
        fragments = set()
        nir = getattr(person, "nir", None) or (
            user.username
            if user is not None and re.fullmatch(r"\d{13}", user.username or "")
            else None
        )
        if nir:
            fragments.update(nir[i : i + 6] for i in range(len(nir) - 5))
        birth = getattr(person, "birth_date", None)
        if birth:
            fragments.update(
                {
                    birth.strftime("%d%m%Y"),
                    birth.strftime("%Y%m%d"),
                    birth.strftime("%d%m%y"),
                    birth.strftime("%d/%m/%Y"),
                    birth.strftime("%d-%m-%Y"),
                    birth.strftime("%Y-%m-%d"),
                }
            )
        return fragments

    def validate(self, password, user=None):
        if any(fragment in password for fragment in self._fragments(user)):
            raise ValidationError(self.message, code="password_personal_data")

    def get_help_text(self):
        return self.message
