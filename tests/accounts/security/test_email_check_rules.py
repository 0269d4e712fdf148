"""FEATURES A6 rules: the 6-digit code (length, hashing, validity, attempts, single use) and the
6-month trusted-browser cookie, with a frozen clock (time-machine)."""

import datetime

import pytest
import time_machine
from django.http import HttpRequest, HttpResponse
from django.test import override_settings

from accounts.security import email_check
from accounts.security.email_check import CodeCheck, Outcome

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class FakeUser:
    def __init__(self, pk):
        self.pk = pk


def request_with(cookies=None):
    request = HttpRequest()
    request.COOKIES.update(cookies or {})
    return request


def cookie_after(request, user):
    response = HttpResponse()
    email_check.trust_browser(request, response, user)
    return response.cookies[email_check.COOKIE_NAME]


# --- code -------------------------------------------------------------------------------------
def test_codes_have_6_digits_and_vary():
    codes = {email_check.generate_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150  # random, not a fixed sequence


def test_only_a_keyed_hash_of_the_code_is_kept():
    state = {}
    code = CodeCheck(state).issue()
    assert code not in str(state)
    assert len(state["code_hash"]) == 64
    assert state["attempts"] == 0 and state["codes_sent"] == 1


def test_right_code_passes_once_single_use():
    check = CodeCheck({})
    code = check.issue()
    assert check.verify(code) is Outcome.OK
    assert check.verify(code) is Outcome.NO_CODE


def test_three_wrong_codes_then_even_the_right_one_is_refused():
    check = CodeCheck({})
    code = check.issue()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert check.verify(wrong) is Outcome.WRONG
    assert check.attempts_left == 2
    assert check.verify(wrong) is Outcome.WRONG
    assert check.verify(wrong) is Outcome.EXHAUSTED
    assert check.verify(code) is Outcome.EXHAUSTED
    assert check.status() is Outcome.EXHAUSTED


def test_a_new_code_replaces_the_old_one_and_resets_attempts():
    check = CodeCheck({})
    first = check.issue()
    check.verify("000000" if first != "000000" else "111111")
    second = check.issue()
    assert check.attempts == 0 and check.codes_sent == 2
    if first != second:
        assert check.verify(first) is Outcome.WRONG
    assert check.verify(second) is Outcome.OK


def test_at_most_three_codes_per_login():
    check = CodeCheck({})
    for _ in range(3):
        assert check.can_request_new_code
        check.issue()
    assert not check.can_request_new_code


def test_code_valid_10_minutes():
    with time_machine.travel(T0, tick=False) as traveller:
        check = CodeCheck({})
        code = check.issue()
        traveller.shift(datetime.timedelta(minutes=10))
        assert check.status() is None
        traveller.shift(datetime.timedelta(seconds=1))
        assert check.verify(code) is Outcome.EXPIRED


# --- trusted browser --------------------------------------------------------------------------
def test_a_browser_that_passed_the_check_is_trusted_for_that_person_only():
    alice, bob = FakeUser(1), FakeUser(2)
    assert not email_check.is_trusted_browser(request_with(), alice)
    cookie = cookie_after(request_with(), alice)
    request = request_with({email_check.COOKIE_NAME: cookie.value})
    assert email_check.is_trusted_browser(request, alice)
    assert not email_check.is_trusted_browser(request, bob)


def test_cookie_is_httponly_lax_and_lasts_the_period():
    cookie = cookie_after(request_with(), FakeUser(1))
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 183 * 86400


def test_the_cookie_shows_no_user_id():
    cookie = cookie_after(request_with(), FakeUser(4242))
    from django.core import signing

    data = signing.loads(cookie.value, salt="accounts.security.trusted-browser")
    assert "4242" not in str(data)


def test_trust_lasts_6_months_then_the_check_comes_back():
    user = FakeUser(7)
    with time_machine.travel(T0, tick=False) as traveller:
        value = cookie_after(request_with(), user).value
        request = request_with({email_check.COOKIE_NAME: value})
        traveller.shift(datetime.timedelta(days=182, hours=23))
        assert email_check.is_trusted_browser(request, user)
        traveller.shift(datetime.timedelta(hours=2))
        assert not email_check.is_trusted_browser(request, user)


@override_settings(EMAIL_CHECK_EVERY_DAYS=30)
def test_period_follows_the_setting():
    user = FakeUser(7)
    with time_machine.travel(T0, tick=False) as traveller:
        value = cookie_after(request_with(), user).value
        traveller.shift(datetime.timedelta(days=31))
        assert not email_check.is_trusted_browser(
            request_with({email_check.COOKIE_NAME: value}), user
        )


@pytest.mark.parametrize("value", ["", "garbage", "W1siYWJjIiwgMV1d:bad:signature"])
def test_forged_or_broken_cookies_are_ignored(value):
    assert not email_check.is_trusted_browser(
        request_with({email_check.COOKIE_NAME: value}), FakeUser(1)
    )


def test_a_cookie_signed_for_another_purpose_is_refused():
    from django.core import signing

    value = signing.dumps([["x" * 32, 1]], salt="autre-chose")
    assert email_check._read_cookie(request_with({email_check.COOKIE_NAME: value})) == []


def test_a_shared_browser_remembers_five_people():
    request = request_with()
    for pk in range(1, 8):
        value = cookie_after(request, FakeUser(pk)).value
        request = request_with({email_check.COOKIE_NAME: value})
    trusted = [pk for pk in range(1, 8) if email_check.is_trusted_browser(request, FakeUser(pk))]
    assert trusted == [3, 4, 5, 6, 7]
