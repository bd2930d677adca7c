"""After the meetings: the archive of published insights, a person's own attendance, and
the end-of-circle survey results (counts only, by core.privacy's rule)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from learning_portal.core.privacy import count_phrase
from people.models import User

from ..models import Attendance, Circle, Meeting, PlanWeek
from .discovery import ARCHIVE_STATES, circle_visible_q


def archive_list_visible_to(*, user: User, search: str = "") -> QuerySet[Circle]:
    """Circles with an archive the person may read: finished or archived, or running with
    a published wrap-up; `search` matches the title, the reading, summaries and insights."""
    published = Q(meetings__wrapup__published_at__isnull=False)
    circles = Circle.objects.filter(circle_visible_q(user)).filter(
        Q(state__in=ARCHIVE_STATES) | (Q(state=Circle.State.RUNNING) & published)
    )
    search = search.strip()
    if search:
        circles = circles.filter(
            Q(title__icontains=search)
            | Q(reading__icontains=search)
            | Q(subject__title__icontains=search)
            | Q(meetings__wrapup__published_at__isnull=False)
            & (
                Q(meetings__wrapup__summary__icontains=search)
                | Q(meetings__wrapup__insights__icontains=search)
            )
            | Q(quotes__text__icontains=search)
        )
    return (
        Circle.objects.filter(pk__in=circles.values("pk"))
        .select_related("subject")
        .order_by("-start_date", "title")
    )


@dataclass
class ArchiveWeek:
    week: PlanWeek
    meeting: Meeting | None
    wrapup: object | None
    quotes: list


def circle_archive_weeks(*, circle: Circle) -> list[ArchiveWeek]:
    """Per week of the plan: the meeting, its wrap-up if published, and the consented quotes
    chosen for it (only with a published wrap-up: a week not published shows nothing).

    Nothing here names anyone: summaries and insights are the facilitators', quotes carry no
    author.
    """
    meetings = {
        m.week: m
        for m in circle.meetings.select_related("wrapup").filter(wrapup__published_at__isnull=False)
    }
    quotes: dict[int, list] = {}
    for quote in circle.quotes.order_by("week", "created_at"):
        quotes.setdefault(quote.week, []).append(quote)
    weeks = []
    for week in circle.plan.order_by("week"):
        meeting = meetings.get(week.week)
        weeks.append(
            ArchiveWeek(
                week=week,
                meeting=meeting,
                wrapup=meeting.wrapup if meeting else None,
                quotes=quotes.get(week.week, []) if meeting else [],
            )
        )
    return weeks


def attendance_for(*, user: User, circle: Circle) -> dict[int, bool]:
    """The person's own attendance, by week (only ever their own)."""
    rows = Attendance.objects.filter(user_id=user.pk, meeting__circle=circle)
    return dict(rows.values_list("meeting__week", "attended"))


# "Got what they hoped for": a 4 or a 5 on the survey's 1–5 question.
GOAL_MET_AT_LEAST = 4


@dataclass(frozen=True)
class SurveyResults:
    """The end-of-circle surveys as facilitators and admins see them: how many people said
    yes, each count phrased by core.privacy.count_phrase, the team page's rule. A count is
    shown (rounded) only when at least the organisation's floor (group_size_floor())
    answered each way, else a band; under twice the floor there is no figure at all. So
    neither an answer nor its complement ("all but one said yes") can be worked out, and no
    average pins anyone down.
    """

    answers: int
    goal_met: str | None = None
    recommend: str | None = None
    facilitator_answers: int = 0
    facilitate_again: str | None = None

    @property
    def shown(self) -> bool:
        return self.goal_met is not None


def survey_results(*, circle: Circle) -> SurveyResults:
    learners = circle.learner_surveys.aggregate(
        n=Count("pk"),
        goal_met=Count("pk", filter=Q(goal_met__gte=GOAL_MET_AT_LEAST)),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    facilitators = circle.facilitator_surveys.aggregate(
        n=Count("pk"), again=Count("pk", filter=Q(would_facilitate_again=True))
    )
    return SurveyResults(
        answers=learners["n"],
        goal_met=count_phrase(count=learners["goal_met"], group_size=learners["n"]),
        recommend=count_phrase(count=learners["recommend"], group_size=learners["n"]),
        facilitator_answers=facilitators["n"],
        facilitate_again=count_phrase(count=facilitators["again"], group_size=facilitators["n"]),
    )
