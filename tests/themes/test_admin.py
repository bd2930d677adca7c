import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.catalog.factories import ItemFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory, add_months, first_of_month
from themes import selectors
from themes.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft():
    theme = ThemeFactory(month=add_months(first_of_month(), 1), title="Digital confidence")
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Spreadsheets basics"))
    return theme


def schedule_url(theme):
    return reverse("admin:themes_theme_schedule", args=[theme.pk])


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_schedule_page_shows_the_checklist_before_scheduling(admin_client_, draft):
    response = admin_client_.get(schedule_url(draft))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Checklist for a release on" in content
    assert "Every item is published at the release time." in content
    assert 'name="confirm"' in content
    draft.refresh_from_db()
    assert draft.state == Theme.State.DRAFT


def test_schedule_page_blocks_and_hides_confirm_when_a_check_fails(admin_client_, draft):
    ThemeItemFactory(theme=draft, item=ItemFactory(title="Hidden draft", is_published=False))
    release_at = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(days=40)

    response = admin_client_.post(
        schedule_url(draft), {"release_at": local_input(release_at), "confirm": "1"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "“Hidden draft” is not published at the release time" in content
    assert 'name="confirm"' not in content
    draft.refresh_from_db()
    assert draft.state == Theme.State.DRAFT


def test_confirming_the_schedule_page_schedules_the_theme(admin_client_, draft, admin_user):
    release_at = dt.datetime.combine(
        draft.month, dt.time(8, 30), tzinfo=timezone.get_current_timezone()
    )

    response = admin_client_.post(
        schedule_url(draft), {"release_at": local_input(release_at), "confirm": "1"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Theme.State.SCHEDULED
    assert draft.release_at == release_at
    assert draft.scheduled_by == admin_user


def test_schedule_page_rejects_a_malformed_time_and_changes_nothing(admin_client_, draft):
    response = admin_client_.post(
        schedule_url(draft), {"release_at": "next tuesday", "confirm": "1"}
    )

    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Theme.State.DRAFT


def test_schedule_page_is_forbidden_to_staff_without_the_permission(client, draft):
    from tests.people.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    assert client.get(schedule_url(draft)).status_code == 403


def test_duplicate_action_copies_a_past_theme_to_next_month(admin_client_):
    this_month = first_of_month()
    past = ThemeFactory(month=add_months(this_month, -3), released=True, title="Kindness")
    ThemeItemFactory(theme=past, curator_note="Keep this")

    response = admin_client_.post(
        reverse("admin:themes_theme_changelist"),
        {"action": "duplicate_to_next_month", "_selected_action": [past.pk]},
        follow=True,
    )

    copy = Theme.objects.get(month=add_months(this_month, 1))
    assert copy.state == Theme.State.DRAFT
    assert copy.title == "Kindness"
    assert [entry.curator_note for entry in copy.entries.all()] == ["Keep this"]
    assert "Copied “Kindness” to a draft for" in response.content.decode()


def test_inline_positions_are_stored_as_one_to_n(admin_client_, draft):
    ThemeItemFactory(theme=draft, position=7)
    ThemeItemFactory(theme=draft, position=7)
    change_url = reverse("admin:themes_theme_change", args=[draft.pk])
    page = admin_client_.get(change_url)
    inline = page.context["inline_admin_formsets"][0].formset
    data = {
        "title": draft.title,
        "slug": draft.slug,
        "month": draft.month.isoformat(),
        "introduction": draft.introduction,
    }
    data.update(
        {
            f"{inline.prefix}-TOTAL_FORMS": str(inline.initial_form_count()),
            f"{inline.prefix}-INITIAL_FORMS": str(inline.initial_form_count()),
        }
    )
    for index, entry_form in enumerate(inline.forms):
        instance = entry_form.instance
        if instance.pk:
            data[f"{inline.prefix}-{index}-id"] = str(instance.pk)
            data[f"{inline.prefix}-{index}-theme"] = str(draft.pk)
            data[f"{inline.prefix}-{index}-item"] = str(instance.item_id)
            data[f"{inline.prefix}-{index}-position"] = str(instance.position)
            data[f"{inline.prefix}-{index}-curator_note"] = instance.curator_note

    response = admin_client_.post(change_url, data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms],
    )
    assert [entry.position for entry in draft.entries.all()] == [1, 2, 3]
    assert len(selectors.theme_item_ids(theme=draft)) == 3


def test_an_item_added_in_the_admin_without_a_position_goes_to_the_end(admin_client_, draft):
    new_item = ItemFactory(title="Added last")
    change_url = reverse("admin:themes_theme_change", args=[draft.pk])
    inline = admin_client_.get(change_url).context["inline_admin_formsets"][0].formset
    (existing,) = draft.entries.all()
    prefix = inline.prefix
    data = {
        "title": draft.title,
        "slug": draft.slug,
        "month": draft.month.isoformat(),
        "introduction": draft.introduction,
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(existing.pk),
        f"{prefix}-0-theme": str(draft.pk),
        f"{prefix}-0-item": str(existing.item_id),
        f"{prefix}-0-position": "1",
        f"{prefix}-1-theme": str(draft.pk),
        f"{prefix}-1-item": str(new_item.pk),
        f"{prefix}-1-position": "0",
        f"{prefix}-1-curator_note": "New",
    }

    response = admin_client_.post(change_url, data)

    assert response.status_code == 302
    assert [(e.item.title, e.position) for e in draft.entries.all()] == [
        ("Spreadsheets basics", 1),
        ("Added last", 2),
    ]
