"""Shared by the widget's view tests: loading the frame as an intranet page does."""

import re

from widgets.tokens import token_mint

WIDGET = "/widgets/suggested/"
INTRANET = "https://intranet.example.org"


def token_get(client, token, **params):
    """Load the widget with a token as a browser on the intranet's page does (its Referer)."""
    return client.get(WIDGET, {"token": token, **params}, headers={"Referer": f"{INTRANET}/"})


def widget_session_of(response) -> str:
    """The widget session a token was exchanged for (hidden in the frame's forms)."""
    match = re.search(r'name="widget_session" value="([^"]+)"', response.content.decode())
    assert match, "no widget session in the frame"
    return match[1]


def mint(placement, employee, ttl=300, now=None):
    return token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee_id,
        ttl=ttl,
        now=now,
    )


def warm_widget(client) -> str:
    """The widget's HTML at its largest size (cached after the first request)."""
    return client.get(WIDGET, {"limit": 6}).content.decode()
