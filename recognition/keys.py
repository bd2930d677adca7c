"""The badge issuer's signing keys, from the environment (settings.BADGE_SIGNING_KEY).

`BADGE_SIGNING_KEY` is the current private key, an RSA JWK in JSON (RS256 is the algorithm
Open Badges 3.0 requires every verifier to support). `BADGE_RETIRED_KEYS` is a JWKS of the
public halves of earlier keys: credentials signed before a rotation keep verifying, and no
retired private key needs to be kept anywhere. `manage.py badge_key generate|rotate` makes
both values (README, "Badge issuer key").
"""

import json
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

ALGORITHM = "RS256"
KEY_BITS = 3072


def key_generate() -> RSAKey:
    """A new private signing key whose `kid` is its RFC 7638 thumbprint."""
    key = RSAKey.generate_key(KEY_BITS, private=True)
    return RSAKey.import_key({**key.as_dict(private=True), "kid": key.thumbprint()})


def key_to_json(key: RSAKey, *, private: bool) -> str:
    data = key.as_dict(private=private)
    data.update({"kid": key.kid or key.thumbprint(), "alg": ALGORITHM, "use": "sig"})
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def parse_signing_key(value: str) -> RSAKey:
    """The private key from its JSON, or ImproperlyConfigured saying what is wrong."""
    try:
        data = json.loads(value)
        key = RSAKey.import_key(data)
    except (ValueError, TypeError, JoseError) as exc:
        raise ImproperlyConfigured(f"BADGE_SIGNING_KEY is not an RSA JWK in JSON: {exc}") from exc
    if not key.is_private:
        raise ImproperlyConfigured(
            "BADGE_SIGNING_KEY holds a public key; it needs the private key."
        )
    return RSAKey.import_key({**data, "kid": data.get("kid") or key.thumbprint()})


def parse_retired_keys(value: str) -> list[RSAKey]:
    """The retired public keys from their JWKS JSON (empty text: none)."""
    if not value.strip():
        return []
    try:
        data = json.loads(value)
        keys = [RSAKey.import_key(entry) for entry in data["keys"]]
    except (ValueError, TypeError, KeyError, JoseError) as exc:
        raise ImproperlyConfigured(
            f'BADGE_RETIRED_KEYS is not a JWKS in JSON ({{"keys": [...]}}): {exc}'
        ) from exc
    for key in keys:
        if not key.kid:
            raise ImproperlyConfigured("Each key in BADGE_RETIRED_KEYS needs its kid.")
    return keys


@cache
def _loaded(signing: str, retired: str) -> tuple[RSAKey, tuple[RSAKey, ...]]:
    # Parsing an RSA key costs a few milliseconds: once per process and per value.
    return parse_signing_key(signing), tuple(parse_retired_keys(retired))


def signing_key() -> RSAKey:
    return _loaded(settings.BADGE_SIGNING_KEY, settings.BADGE_RETIRED_KEYS)[0]


def key_url(kid: str) -> str:
    """The key's published id: a URL that answers with the public JWK (Open Badges 3.0's
    `kid`), ending in the key's own id."""
    return f"{settings.PORTAL_BASE_URL}{reverse('recognition:key', kwargs={'kid': kid})}"


def verification_keys() -> dict[str, RSAKey]:
    """Every key a credential of ours may be signed with, by its own id: current, retired."""
    current, retired = _loaded(settings.BADGE_SIGNING_KEY, settings.BADGE_RETIRED_KEYS)
    found = {current.kid: current}
    for key in retired:
        found.setdefault(key.kid, key)
    return found


def public_jwk(key: RSAKey) -> dict:
    return json.loads(key_to_json(key, private=False)) | {"kid": key_url(key.kid)}


def public_jwks() -> dict:
    """The JWK Set the issuer publishes: public halves only, ids as their URLs."""
    return {"keys": [public_jwk(key) for key in verification_keys().values()]}


def rotated(*, current_json: str, retired_json: str) -> tuple[RSAKey, str]:
    """A new signing key, and the retired JWKS with the current key's public half added."""
    current = parse_signing_key(current_json)
    retired = parse_retired_keys(retired_json)
    entries = [json.loads(key_to_json(current, private=False))]
    entries += [
        json.loads(key_to_json(key, private=False)) for key in retired if key.kid != current.kid
    ]
    return key_generate(), json.dumps({"keys": entries}, separators=(",", ":"), sort_keys=True)
