"""Portail assuré: project package (settings, URLs, Celery, home and shared UI)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
