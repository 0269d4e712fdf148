"""Pluggable SMS backends (FEATURES A9, F4), chosen by the SMS_BACKEND setting.

- `FileSmsBackend` (development default): one file per SMS under SMS_FILE_PATH.
- `ConsoleSmsBackend`: prints the SMS.
- `HttpSmsBackend` (production): POSTs JSON {"to", "text", "sender", "reference"} with a bearer
  token to SMS_GATEWAY_URL; any non-2xx answer raises, so the outbox retries.
"""

import abc
import json
import sys
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class BaseSmsBackend(abc.ABC):
    @abc.abstractmethod
    def send(self, to: str, text: str, reference: str) -> None:
        """Deliver `text` to the phone number `to` (E.164), or raise."""


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, to, text, reference):
        sys.stdout.write(f"SMS à {to} ({reference}) : {text}\n")


class FileSmsBackend(BaseSmsBackend):
    def send(self, to, text, reference):
        directory = Path(settings.SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{reference}.json"
        (directory / name).write_text(
            json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False),
            encoding="utf-8",
        )


class HttpSmsBackend(BaseSmsBackend):
    timeout = 10

    def send(self, to, text, reference):
        response = requests.post(
            settings.SMS_GATEWAY_URL,
            json={"to": to, "text": text, "sender": settings.SMS_SENDER, "reference": reference},
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            timeout=self.timeout,
        )
        if not response.ok:
            raise SmsError(f"passerelle SMS : HTTP {response.status_code}")


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
