"""Discussion takeaways: consent, the analysis on a fixture discussion, review, publishing."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from circles import services as circle_services
from circles.models import Post
from insights import tasks
from insights.models import Proposal, WeeklyTakeaway
from insights.takeaways import analysis, selectors, services
from tests.insights.takeaways_helpers import DISCUSSION, circle_with_discussion
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_nothing_is_proposed_for_a_circle_without_takeaways_turned_on():
    circle, _, _ = circle_with_discussion(enabled=False)

    assert services.takeaway_propose(circle=circle, week=1) is None
    assert tasks.propose_takeaways() == 0
    assert WeeklyTakeaway.objects.count() == 0


def test_only_a_facilitator_turns_takeaways_on():
    circle, _, member = circle_with_discussion(enabled=False)
    with pytest.raises(ValidationError, match="Only the circle's facilitators"):
        circle_services.circle_takeaways_set(circle=circle, actor=member, enabled=True)


def test_the_fixture_discussion_gives_the_expected_themes_phrases_summary_and_wishes():
    circle, _, _ = circle_with_discussion()
    circle.state = "running"
    circle.save()

    assert tasks.propose_takeaways() == 1
    takeaway = WeeklyTakeaway.objects.get(circle=circle, week=1)

    phrases = " | ".join(takeaway.key_phrases)
    themes = " | ".join(takeaway.themes)
    for expected in ("remarkable", "patient experience", "otaku"):
        assert expected in phrases
    assert "discharge" in themes or "remarkable" in themes
    assert 1 <= len(takeaway.themes) <= analysis.THEMES
    assert len(takeaway.summary) == analysis.SUMMARY_SENTENCES
    assert all(sentence in " ".join(DISCUSSION) for sentence in takeaway.summary)
    assert takeaway.demand_phrases[0] == "conflict resolution"
    assert "patient experience design" in takeaway.demand_phrases
    assert takeaway.message_count == len(DISCUSSION)
    assert not takeaway.is_published


def test_no_name_email_phone_or_employee_id_reaches_the_proposal():
    circle, _, _ = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)

    text = str([takeaway.key_phrases, takeaway.themes, takeaway.summary, takeaway.demand_phrases])
    for secret in ("ada", "lovelace", "07700", "example.org", "e900001", "fran"):
        assert secret not in text.lower()


def test_posts_written_before_takeaways_were_on_are_never_read():
    circle, facilitator, _ = circle_with_discussion(enabled=False)
    circle_services.circle_takeaways_set(circle=circle, actor=facilitator, enabled=True)
    circle.refresh_from_db()
    # The fixture's posts are dated a second after the helper ran: move them before consent.
    Post.objects.update(created_at=circle.takeaways_enabled_at.replace(year=2020))

    assert services.takeaway_propose(circle=circle, week=1) is None


def test_proposing_again_is_idempotent_and_never_overwrites_the_facilitators_edit():
    circle, facilitator, _ = circle_with_discussion()
    first = services.takeaway_propose(circle=circle, week=1)
    assert services.takeaway_propose(circle=circle, week=1).generated_at == first.generated_at

    services.takeaway_update(
        takeaway=first,
        actor=facilitator,
        key_phrases=["being remarkable"],
        themes=["discharge as the remarkable moment"],
        summary=["Discharge is when families remember us."],
        demand_phrases=["conflict resolution"],
    )
    Post.objects.create(thread=circle.threads.get(week=1), author=facilitator, body="A new post.")
    again = services.takeaway_propose(circle=circle, week=1)

    assert again.key_phrases == ["being remarkable"]


def test_publishing_needs_the_facilitator_and_puts_wishes_on_the_board():
    circle, facilitator, member = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)

    with pytest.raises(ValidationError, match="Only the circle's facilitators"):
        services.takeaway_publish(takeaway=takeaway, actor=member)
    services.takeaway_publish(takeaway=takeaway, actor=facilitator)

    takeaway.refresh_from_db()
    assert takeaway.is_published
    wish = Proposal.objects.get(title="Conflict resolution")
    assert (wish.origin, wish.proposed_by, wish.votes.count()) == ("discussion", None, 0)
    with pytest.raises(ValidationError, match="unpublish them to edit"):
        services.takeaway_update(
            takeaway=takeaway,
            actor=facilitator,
            key_phrases=[],
            themes=[],
            summary=[],
            demand_phrases=[],
        )


def _publish(takeaway, facilitator, *, key_phrases, themes=(), demand_phrases=()):
    services.takeaway_update(
        takeaway=takeaway,
        actor=facilitator,
        key_phrases=list(key_phrases),
        themes=list(themes),
        summary=[],
        demand_phrases=list(demand_phrases),
    )
    return services.takeaway_publish(takeaway=takeaway, actor=facilitator)


def test_hr_sees_only_published_takeaways_counted_per_circle():
    circle, facilitator, _ = circle_with_discussion()
    other, other_facilitator, _ = circle_with_discussion(member_employee_id="E900002")
    third, third_facilitator, _ = circle_with_discussion(member_employee_id="E900003")
    draft = services.takeaway_propose(circle=circle, week=1)
    services.takeaway_propose(circle=other, week=1)
    services.takeaway_propose(circle=third, week=1)

    assert selectors.organisation_themes().weeks == 0

    _publish(
        other.weekly_takeaways.get(),
        other_facilitator,
        key_phrases=["Being remarkable", "Night shifts"],
    )
    _publish(third.weekly_takeaways.get(), third_facilitator, key_phrases=["being remarkable"])
    report = selectors.organisation_themes()

    assert (report.circles, report.weeks) == (2, 2)
    # "Night shifts" is one circle's line, which could be one person's words: not shown.
    assert [(t.text, t.circles) for t in report.key_phrases] == [("Being remarkable", 2)]
    assert draft.key_phrases[0] not in [t.text for t in report.key_phrases]


def test_a_week_written_by_fewer_than_five_people_stays_within_its_circle():
    small, small_facilitator, _ = circle_with_discussion(authors=4)
    large, large_facilitator, _ = circle_with_discussion(member_employee_id="E900002")
    small_week = services.takeaway_propose(circle=small, week=1)
    large_week = services.takeaway_propose(circle=large, week=1)
    assert (small_week.author_count, large_week.author_count) == (4, 5)

    _publish(small_week, small_facilitator, key_phrases=["otaku"], demand_phrases=["Grief support"])
    _publish(large_week, large_facilitator, key_phrases=["otaku"])
    report = selectors.organisation_themes()

    assert (report.circles, report.weeks, report.key_phrases) == (1, 1, [])
    # Nor does its wish reach the public demand board.
    assert not Proposal.objects.filter(title__iexact="Grief support").exists()


@override_settings(PRIVACY_MIN_GROUP_SIZE=6)
def test_the_organisations_floor_raises_the_number_of_voices_a_week_needs():
    circles = [circle_with_discussion(member_employee_id=f"E90000{n}") for n in (1, 2)]
    for circle, facilitator, _ in circles:
        _publish(
            services.takeaway_propose(circle=circle, week=1), facilitator, key_phrases=["otaku"]
        )

    assert selectors.organisation_themes().weeks == 0


def test_an_empty_review_cannot_be_published():
    circle, facilitator, _ = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)
    services.takeaway_update(
        takeaway=takeaway,
        actor=facilitator,
        key_phrases=[],
        themes=[],
        summary=[],
        demand_phrases=["x"],
    )
    with pytest.raises(ValidationError, match="nothing to publish"):
        services.takeaway_publish(takeaway=takeaway, actor=facilitator)


def test_a_new_facilitator_of_another_circle_sees_none_of_this_one(client_as):
    circle, facilitator, member = circle_with_discussion()
    services.takeaway_propose(circle=circle, week=1)
    stranger = EmployeeFactory()

    url = f"/insights/takeaways/review/{circle.slug}/"
    for person in (member, stranger.user):
        assert client_as(person).get(url).status_code == 404
    assert client_as(facilitator).get(url).status_code == 200


def test_a_published_week_loses_the_sentences_of_a_post_deleted_since():
    circle, facilitator, member = circle_with_discussion()
    takeaway = services.takeaway_propose(circle=circle, week=1)
    sentence = "Being remarkable costs less than advertising."
    kept = "Safe is risky: if we keep discharge boring, nobody remembers the care we gave."
    services.takeaway_update(
        takeaway=takeaway,
        actor=facilitator,
        key_phrases=["otaku", "handwritten note"],
        themes=["discharge"],
        summary=[sentence, kept],
        demand_phrases=[],
    )
    services.takeaway_publish(takeaway=takeaway, actor=facilitator)
    post = Post.objects.get(body__startswith="Being remarkable")
    circle_services.post_delete(post=post, user=post.author)

    services.takeaway_propose(circle=circle, week=1)

    takeaway.refresh_from_db()
    assert takeaway.summary == [kept]
    assert takeaway.key_phrases == ["otaku"]
    assert takeaway.is_published
    assert takeaway.sources_changed_at is not None
    assert takeaway.message_count == len(DISCUSSION) - 1
    # Publishing again is the facilitator's review: the mark goes.
    services.takeaway_unpublish(takeaway=takeaway, actor=facilitator)
    services.takeaway_publish(takeaway=takeaway, actor=facilitator)
    takeaway.refresh_from_db()
    assert takeaway.sources_changed_at is None


def test_the_staff_names_are_read_once_per_run_and_not_at_all_when_nothing_changed(monkeypatch):
    for n in (1, 2):
        circle, _, _ = circle_with_discussion(member_employee_id=f"E90000{n}")
        circle.state = "running"
        circle.save(update_fields=["state"])
    reads = []
    original = services.staff_names
    monkeypatch.setattr(services, "staff_names", lambda: reads.append(1) or original())

    assert tasks.propose_takeaways() == 2
    assert len(reads) == 1

    assert tasks.propose_takeaways() == 2
    assert len(reads) == 1
