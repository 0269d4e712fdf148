"""NIR and IBAN rules (FEATURES A1, A5, B3; ARCHITECTURE facts on python-stdnum)."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import nir as std_nir

from assures import identifiers


class TestNir:
    @pytest.mark.parametrize(
        "typed",
        ["2900375106123", "2 90 03 75 106 123", "290037510612307", "2 90 03 75 106 123 07"],
    )
    def test_demo_nir_accepted_with_or_without_key_and_spaces(self, typed):
        assert identifiers.validate_nir(typed) == "2900375106123"

    def test_wrong_key_refused(self):
        with pytest.raises(ValidationError) as error:
            identifiers.validate_nir("2 90 03 75 106 123 08")
        assert error.value.code == "key"

    @pytest.mark.parametrize("typed", ["290037510612", "29003751061230", "2900375106123071"])
    def test_length(self, typed):
        with pytest.raises(ValidationError) as error:
            identifiers.validate_nir(typed)
        assert error.value.code == "length"

    def test_letters_refused_outside_corsica(self):
        with pytest.raises(ValidationError) as error:
            identifiers.validate_nir("29003AB106123")
        assert error.value.code == "format"

    @pytest.mark.parametrize("department", ["2A", "2B", "2a"])
    def test_corsica_accepted_and_key_checked(self, department):
        body = f"18506{department.upper()}004012"
        key = std_nir.calc_check_digits(body)
        assert identifiers.validate_nir(f"18506{department}004012{key}") == body
        wrong = f"{(int(key) % 97) + 1:02d}"
        with pytest.raises(ValidationError):
            identifiers.validate_nir(f"18506{department}004012{wrong}")

    @pytest.mark.parametrize("sex", ["0", "5", "6", "9"])
    def test_sex_digit(self, sex):
        body = f"{sex}900375106123"
        with pytest.raises(ValidationError) as error:
            identifiers.validate_nir(body + std_nir.calc_check_digits(body))
        assert error.value.code == "sex"

    @pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
    def test_month_refused(self, month):
        with pytest.raises(ValidationError) as error:
            identifiers.validate_nir(f"290{month}75106123")
        assert error.value.code == "month"

    @pytest.mark.parametrize("month", ["01", "12", "20", "42", "50", "99"])
    def test_month_accepted(self, month):
        assert identifiers.validate_nir(f"290{month}75106123") == f"290{month}75106123"

    def test_format_nir(self):
        assert identifiers.format_nir("2900375106123") == "2 90 03 75 106 123"
        assert identifiers.format_nir("2900375106123", with_key=True) == "2 90 03 75 106 123 07"


class TestIban:
    def test_valid_french_iban_with_spaces(self):
        assert (
            identifiers.validate_iban("fr76 3000 6000 0112 3456 7890 189")
            == "FR7630006000011234567890189"
        )

    def test_mod97_error(self):
        with pytest.raises(ValidationError) as error:
            identifiers.validate_iban("FR7630006000011234567890188")
        assert error.value.code == "iban"

    def test_rib_key_checked_even_when_mod97_passes(self):
        # Same BBAN with a wrong RIB key, IBAN check digits recomputed so mod 97 passes.
        from stdnum import iban as std_iban

        bban = "30006000011234567890188"
        forged = f"FR{std_iban.calc_check_digits('FR00' + bban)}{bban}"
        assert std_iban.is_valid(forged)
        with pytest.raises(ValidationError) as error:
            identifiers.validate_iban(forged)
        assert error.value.code == "rib"

    def test_foreign_iban_accepted(self):
        assert identifiers.validate_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"

    def test_make_french_iban_round_trip(self):
        iban = identifiers.make_french_iban("30004", "00823", "00000000843")
        assert identifiers.validate_iban(iban) == iban
        assert iban.endswith("4321")

    def test_mask_shows_only_country_and_last_four(self):
        masked = identifiers.mask_iban("FR7630006000011234567890189")
        assert masked.startswith("FR76 ")
        assert masked.replace(" ", "").endswith("0189")
        assert "3000" not in masked and "12345" not in masked.replace(" ", "")
        assert len(masked.replace(" ", "")) == 27
