import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tests.catalog.factories import ItemFactory
from tests.people.factories import UserFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory, add_months, first_of_month
from themes.models import Theme


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_schedules_a_theme_and_it_reaches_the_front_page_at_release(browser_login):
    admin = UserFactory(email="curator@example.org", is_staff=True, is_superuser=True)
    month = add_months(first_of_month(), 1)
    theme = ThemeFactory(month=month, title="Speaking up for safety", introduction="Listen.")
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Raising a concern"))
    page = browser_login(admin)

    page.goto(reverse("admin:themes_theme_schedule", args=[theme.pk]))
    assert page.get_by_role("heading", name="Checklist for a release on").is_visible()
    assert page.get_by_text("Every item is published at the release time.").is_visible()
    page.get_by_label("Release date and time").fill(f"{month:%Y-%m-%d}T08:00")
    page.get_by_role("button", name="Check this release time").click()
    page.get_by_role("button", name="Schedule theme").click()
    page.wait_for_url(f"**{reverse('admin:themes_theme_change', args=[theme.pk])}")
    assert page.get_by_text("is scheduled to release on").is_visible()

    theme.refresh_from_db()
    assert theme.state == Theme.State.SCHEDULED
    page.goto("/")
    assert page.get_by_role("heading", name="Speaking up for safety").count() == 0

    # The clock passes the release: no worker has run, the query alone makes it public, and
    # the widget's caches (warmed by the home page above) expire exactly at the release.
    with time_machine.travel(theme.release_at + dt.timedelta(minutes=1), tick=True):
        page.goto("/")
        assert page.get_by_role("heading", level=1, name="Speaking up for safety").is_visible()
        page.get_by_role("link", name=re.compile(r"^Explore (this month's|the) theme$")).click()
        page.wait_for_url(f"**{theme.get_absolute_url()}")
        assert page.get_by_role("link", name="Raising a concern").first.is_visible()

        # ...and it leads the intranet widget, with its reason.
        page.goto(reverse("widgets:suggested"))
        first_card = page.locator(".lpw-card").first
        assert first_card.locator("h3").inner_text() == "Raising a concern"
        assert first_card.locator(".lpw-reason").inner_text() == (
            "This month's theme: Speaking up for safety"
        )
