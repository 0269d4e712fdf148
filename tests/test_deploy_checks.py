"""Security baseline (ARCHITECTURE decision 9): production settings pass `check --deploy`, and
production refuses to start without a secret key (each in a fresh interpreter, because settings
are read once per process), and .env.example documents exactly the variables settings read."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def settings_variables():
    """Names of the environment variables portal/settings.py reads (`env(...)`, `env.bool(...)`)."""
    tree = ast.parse((BASE_DIR / "portal" / "settings.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "env")
            or (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "env"
            )
        )
    }


def production_env(**overrides):
    """The environment of a production process: this one's, minus every variable the settings
    read and anything Django-specific (the e2e tests set DJANGO_ALLOW_ASYNC_UNSAFE, say), plus
    production values. An override of None removes the variable."""
    drop = settings_variables()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith("DJANGO_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portail.example.org",
        CSRF_TRUSTED_ORIGINS="https://portail.example.org",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    dotenv = BASE_DIR / ".env"
    if dotenv.is_file() and "SECRET_KEY" in dotenv.read_text(encoding="utf-8"):
        pytest.skip(".env defines SECRET_KEY, so the settings always find one")
    result = run(["-c", "import portal.settings"], production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_env_example_documents_every_setting_read_from_the_environment():
    read = settings_variables()
    lines = (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
    documented = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert read, "no env(...) call found in portal/settings.py"
    assert read - documented == set(), "add these variables to .env.example"
    assert documented - read == set(), "these .env.example variables are not read by settings"
