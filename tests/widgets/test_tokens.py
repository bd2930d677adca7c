import pytest

from widgets.tokens import MAX_TTL_SECONDS, TokenRejected, token_mint, token_verify

SECRET = "s3cret-for-tests-0123456789"


def test_token_round_trip_carries_employee_and_placement():
    token = token_mint(placement_key="intranet", secret=SECRET, employee_id="E42", ttl=60, now=1000)
    identity = token_verify(token=token, secret=SECRET, now=1010)
    assert identity.employee_id == "E42"
    assert identity.placement_key == "intranet"
    assert identity.expires_at == 1060


def test_expired_token_is_rejected_as_expired():
    token = token_mint(placement_key="intranet", secret=SECRET, employee_id="E42", ttl=60, now=1000)
    with pytest.raises(TokenRejected) as exc:
        token_verify(token=token, secret=SECRET, now=1061)
    assert exc.value.reason == "expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: t.replace(".", ".x", 1),  # payload
    ],
)
def test_tampered_token_is_rejected_as_tampered(tamper):
    token = token_mint(placement_key="intranet", secret=SECRET, employee_id="E42", ttl=60)
    with pytest.raises(TokenRejected) as exc:
        token_verify(token=tamper(token), secret=SECRET)
    assert exc.value.reason == "tampered"


def test_token_signed_with_another_placements_secret_is_rejected():
    token = token_mint(
        placement_key="intranet", secret="another-secret-xyz", employee_id="E1", ttl=60
    )
    with pytest.raises(TokenRejected) as exc:
        token_verify(token=token, secret=SECRET)
    assert exc.value.reason == "tampered"


def test_minting_refuses_a_ttl_beyond_one_day():
    with pytest.raises(ValueError, match="ttl"):
        token_mint(placement_key="k", secret=SECRET, employee_id="E1", ttl=MAX_TTL_SECONDS + 1)


def test_malformed_token_is_rejected():
    with pytest.raises(TokenRejected) as exc:
        token_verify(token="no-dot-here", secret=SECRET)
    assert exc.value.reason == "malformed"


def _b62(number: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = alphabet[rest] + out
    return out or "0"


def test_readme_recipe_without_django_mints_a_token_the_portal_accepts():
    """The README's language-neutral recipe, followed with the standard library only."""
    import base64
    import hashlib
    import hmac
    import json
    import time

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    expires = int(time.time()) + 300
    payload = b64(json.dumps({"e": "E777", "x": expires}, separators=(",", ":")).encode())
    value = f"{payload}:{_b62(int(time.time()))}"
    key = hashlib.sha256(b"learning_portal.widgets.embed-token" + b"signer" + SECRET.encode())
    signature = b64(hmac.new(key.digest(), value.encode(), hashlib.sha256).digest())
    token = f"intranet.{value}:{signature}"

    assert token_verify(token=token, secret=SECRET).employee_id == "E777"
