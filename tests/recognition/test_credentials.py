"""Each award as an Open Badges 3.0 VC-JWT, checked the way an outside verifier would:
the public keys from the JWKS URL, the signature with `cryptography` (not our code, not
joserfc), then the credential's fields."""

import base64
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidSignature
from django.urls import reverse

from recognition import credentials, keys, services
from recognition.models import BadgeAward
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import EmployeeFactory
from tests.recognition.factories import BadgeClassFactory
from tests.recognition.helpers import b64decode, verify_independently

pytestmark = pytest.mark.django_db


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def award(committed):
    badge = BadgeClassFactory(name="First steps", slug="first-steps")
    person = EmployeeFactory(
        user__first_name="Ada", user__last_name="Nurse", user__email="ada@example.org"
    ).user
    with committed():
        EnrollmentFactory(user=person)
    return BadgeAward.objects.get(badge_class=badge, recipient=person)


def download(client, award):
    client.force_login(award.recipient)
    response = client.get(reverse("recognition:credential", args=[award.uid]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="first-steps.jwt"'
    return response.content.decode()


def test_the_downloaded_credential_verifies_with_the_published_keys(client, settings, award):
    token = download(client, award)
    client.logout()
    jwks = client.get(reverse("recognition:jwks")).json()

    header, vc = verify_independently(token, jwks)

    assert "d" not in jwks["keys"][0]
    # The kid is a URL that answers with the public key.
    assert header["kid"].startswith(f"{settings.PORTAL_BASE_URL}/recognition/issuer/keys/")
    single = client.get(header["kid"].removeprefix(settings.PORTAL_BASE_URL)).json()
    assert single == jwks["keys"][0]
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    issuer_url = f"{settings.PORTAL_BASE_URL}{reverse('recognition:issuer')}"
    assert vc["issuer"] == {
        "id": issuer_url,
        "type": ["Profile"],
        "name": settings.BADGE_ISSUER_NAME,
        "url": f"{settings.PORTAL_BASE_URL}/",
    }
    assert vc["iss"] == issuer_url
    assert vc["jti"] == vc["id"] == f"urn:uuid:{award.uid}"
    assert vc["nbf"] == int(award.awarded_at.timestamp())
    assert vc["validFrom"].endswith("Z")
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == f"{settings.PORTAL_BASE_URL}/recognition/badges/first-steps/"
    assert achievement["name"] == "First steps"
    assert achievement["criteria"]["narrative"] == award.badge_class.criteria_narrative
    name, email = subject["identifier"]
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ada Nurse",
    }
    assert email["hashed"] is True
    assert "ada@example.org" not in token
    assert "ada@example.org" not in json.dumps(vc)
    expected = hashlib.sha256(("ada@example.org" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    # The issuer's id resolves to its profile.
    assert client.get(reverse("recognition:issuer")).json()["id"] == issuer_url


def test_a_tampered_credential_fails_verification(client, award):
    token = download(client, award)
    jwks = client.get(reverse("recognition:jwks")).json()
    header_b64, payload_b64, signature_b64 = token.split(".")
    payload = json.loads(b64decode(payload_b64))
    payload["name"] = "Chief of medicine"
    forged = f"{header_b64}.{b64encode(json.dumps(payload).encode())}.{signature_b64}"

    with pytest.raises(InvalidSignature):
        verify_independently(forged, jwks)
    assert credentials.credential_verify(forged).problem == credentials.INVALID_SIGNATURE
    assert credentials.credential_verify(token).valid


def test_the_verification_page_says_valid_then_revoked(client, award):
    token = download(client, award)
    client.logout()

    page = client.post(reverse("recognition:verify"), {"credential": token})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h2 id="result-heading">Valid</h2>' in html
    assert "First steps" in html
    assert "Ada Nurse" in html

    services.badge_award_revoke(award=award, actor=award.recipient, reason="Recorded by mistake")
    html = client.post(reverse("recognition:verify"), {"credential": token}).content.decode()
    assert '<h2 id="result-heading">Revoked</h2>' in html


def test_the_verification_page_takes_the_file_and_refuses_rubbish(client, award):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = download(client, award)
    upload = SimpleUploadedFile("first-steps.jwt", token.encode(), "application/jwt")
    html = client.post(reverse("recognition:verify"), {"file": upload}).content.decode()
    assert '<h2 id="result-heading">Valid</h2>' in html

    html = client.post(reverse("recognition:verify"), {"credential": "hello"}).content.decode()
    assert credentials.INVALID_FORMAT in html
    empty = client.post(reverse("recognition:verify"), {"credential": "  "})
    assert empty.status_code == 400
    assert "Paste a credential or choose its file." in empty.content.decode()


def test_a_credential_signed_by_another_key_is_not_ours(award):
    from joserfc import jwt

    stranger = keys.key_generate()
    claims = credentials.credential_build(award)
    forged = jwt.encode({"alg": "RS256", "kid": stranger.kid}, claims, stranger)
    assert credentials.credential_verify(forged).problem == credentials.INVALID_ISSUER


def test_after_a_rotation_old_credentials_verify_and_new_ones_use_the_new_key(
    client, settings, award
):
    old_token = download(client, award)
    old_kid = json.loads(b64decode(old_token.split(".")[0]))["kid"]
    assert old_kid.endswith(json.loads(settings.BADGE_SIGNING_KEY)["kid"])
    new_key, retired = keys.rotated(
        current_json=settings.BADGE_SIGNING_KEY, retired_json=settings.BADGE_RETIRED_KEYS
    )
    settings.BADGE_SIGNING_KEY = keys.key_to_json(new_key, private=True)
    settings.BADGE_RETIRED_KEYS = retired

    jwks = client.get(reverse("recognition:jwks")).json()
    assert [key["kid"] for key in jwks["keys"]] == [keys.key_url(new_key.kid), old_kid]
    verify_independently(old_token, jwks)
    assert credentials.credential_verify(old_token).valid
    new_token = download(client, award)
    assert json.loads(b64decode(new_token.split(".")[0]))["kid"] == keys.key_url(new_key.kid)
    verify_independently(new_token, jwks)


def test_only_the_recipient_downloads_and_a_revoked_badge_has_no_credential(client, award):
    url = reverse("recognition:credential", args=[award.uid])
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(EmployeeFactory().user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("recognition:award", args=[award.uid])).status_code == 404

    services.badge_award_revoke(award=award, actor=award.recipient, reason="Mistake")
    client.force_login(award.recipient)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("recognition:award", args=[award.uid])
