"""The issuer key: made and rotated by a command, checked at start-up, required in production."""

import io
import json

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from recognition import keys
from tests.core.helpers import run_with_production_settings, run_with_production_settings_but


def run(*args) -> str:
    out = io.StringIO()
    call_command("badge_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def variables(output: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in output.splitlines() if "=" in line)
    return {name: value.strip("'") for name, value in pairs}


def test_generate_prints_a_private_rsa_key_with_its_thumbprint_as_kid():
    value = variables(run("generate"))["BADGE_SIGNING_KEY"]
    key = keys.parse_signing_key(value)
    assert key.is_private
    assert key.kid == key.thumbprint()
    assert json.loads(value)["alg"] == "RS256"


def test_rotate_keeps_the_current_public_key_for_verification(settings):
    current = keys.signing_key()
    printed = variables(run("rotate"))
    new = keys.parse_signing_key(printed["BADGE_SIGNING_KEY"])
    retired = keys.parse_retired_keys(printed["BADGE_RETIRED_KEYS"])

    assert new.kid != current.kid
    assert [key.kid for key in retired] == [current.kid]
    assert not retired[0].is_private
    assert '"d"' not in printed["BADGE_RETIRED_KEYS"]

    settings.BADGE_SIGNING_KEY = printed["BADGE_SIGNING_KEY"]
    settings.BADGE_RETIRED_KEYS = printed["BADGE_RETIRED_KEYS"]
    again = variables(run("rotate"))
    assert [k.kid for k in keys.parse_retired_keys(again["BADGE_RETIRED_KEYS"])] == [
        new.kid,
        current.kid,
    ]
    assert run("show").split() == [new.kid, current.kid]


@pytest.mark.parametrize(
    ("signing", "retired", "error"),
    [
        ("", "", "recognition.E001"),
        ("not json", "", "recognition.E002"),
        (None, '{"keys": [{"kty": "RSA"}]}', "recognition.E002"),
    ],
)
def test_a_missing_or_broken_key_fails_the_system_check(settings, signing, retired, error):
    if signing is not None:
        settings.BADGE_SIGNING_KEY = signing
    settings.BADGE_RETIRED_KEYS = retired
    assert error in [message.id for message in run_checks()]


def test_a_public_key_cannot_sign(settings):
    settings.BADGE_SIGNING_KEY = keys.key_to_json(keys.key_generate(), private=False)
    assert "recognition.E002" in [message.id for message in run_checks()]


def test_production_refuses_to_start_without_an_issuer_key():
    result = run_with_production_settings_but("BADGE_SIGNING_KEY", "manage.py", "check")
    assert result.returncode != 0
    assert "BADGE_SIGNING_KEY" in result.stderr


def test_production_with_its_own_key_passes_the_deploy_check():
    result = run_with_production_settings("manage.py", "check", "--deploy", "--tag", "recognition")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_key(settings):
    settings.BADGE_SIGNING_KEY = settings.BADGE_DEVELOPMENT_KEY_FILE.read_text()
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "recognition.E003" in ids
