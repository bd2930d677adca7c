"""Sign-in lockout cannot be used to lock people out (issue 10 item 5).

Failed sign-ins are limited per account for devices that never signed in as it, per account
and device for those that did, and per client IP (the real one behind the load balancer).
"""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from people.lockout import DEVICE_COOKIE
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "learn-test"


def sign_in(client, email, password=PASSWORD, **headers):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


def signed_in(client) -> bool:
    return bool(client.session.get(SESSION_KEY))


@pytest.fixture
def nurse():
    return EmployeeFactory(user__email="nurse@example.org").user


def test_right_password_from_a_known_device_works_after_an_attack(nurse):
    ward_pc = Client()
    sign_in(ward_pc, nurse.email)
    assert signed_in(ward_pc)
    assert DEVICE_COOKIE in ward_pc.cookies
    ward_pc.post(reverse("account_logout"))

    attacker = Client()
    for _ in range(12):
        sign_in(attacker, nurse.email, "guess")

    response = sign_in(ward_pc, nurse.email)
    assert response.status_code == 302
    assert signed_in(ward_pc)


def test_an_unknown_device_is_held_off_after_repeated_failures_and_it_is_logged(nurse, caplog):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, nurse.email, "guess")

    with caplog.at_level(logging.WARNING, logger="people.lockout"):
        response = sign_in(attacker, nurse.email)  # even the right password

    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(attacker)
    assert any(
        "nurse@example.org" in record.getMessage() and "locked" in record.getMessage()
        for record in caplog.records
    )


def test_a_known_device_cannot_brute_force_either(nurse):
    ward_pc = Client()
    sign_in(ward_pc, nurse.email)
    ward_pc.post(reverse("account_logout"))
    for _ in range(5):
        sign_in(ward_pc, nurse.email, "guess")

    response = sign_in(ward_pc, nurse.email)

    assert "Too many failed login attempts" in response.content.decode()


def test_a_forged_device_cookie_counts_as_an_unknown_device(nurse):
    attacker = Client()
    attacker.cookies[DEVICE_COOKIE] = "forged"
    for _ in range(5):
        sign_in(attacker, nurse.email, "guess")

    assert "Too many failed login attempts" in sign_in(attacker, nurse.email).content.decode()


def test_failures_from_one_address_do_not_lock_out_colleagues_behind_the_same_nat(nurse):
    # A ward's PCs share one public address: many people mistype their passwords there.
    shared = Client()
    for n in range(20):
        sign_in(shared, f"colleague{n}@example.org", "typo")

    response = sign_in(Client(), nurse.email)

    assert response.status_code == 302


def test_behind_the_load_balancer_the_client_address_is_the_forwarded_one(nurse, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker_ip = {"X-Forwarded-For": "198.51.100.7"}
    attacker = Client()
    for n in range(60):
        sign_in(attacker, f"someone{n}@example.org", "guess", **attacker_ip)
    assert "Too many failed login attempts" in (
        sign_in(attacker, "someone-else@example.org", "guess", **attacker_ip).content.decode()
    )

    # Everyone else arrives from the same load balancer address, but is not the attacker.
    response = sign_in(Client(), nurse.email, **{"X-Forwarded-For": "203.0.113.20"})
    assert response.status_code == 302
