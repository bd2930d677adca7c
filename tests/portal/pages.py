"""Every page type of the portal, on the demo data, for the design suite and `make screenshots`.

`demo_site()` seeds a small demo (the same generator as `make run`) plus the states a page
needs and the demo does not guarantee (a full session with a waitlist, an enrollment to
withdraw from or switch); `PAGES` lists, per person, the page types and their URLs.
"""

import datetime as dt
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Item
from enrollment.services import enrollment_complete
from people.models import Employee, User
from portal.demo import DEMO_PASSWORD
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import UserFactory
from tests.widgets.factories import PlacementFactory
from widgets.services import team_suggestion_create
from widgets.tokens import token_mint

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "vendor" / "axe.min.js"
# The smallest phones still in use are 320 CSS pixels wide (issue 14: no sideways scrolling
# at 320–390); the design suite checks only the overflow there.
VIEWPORTS = {"small-phone": (320, 640), "phone": (390, 844), "desktop": (1366, 900)}
OVERFLOW_ONLY = {"small-phone"}
PEOPLE = ("employee@example.com", "manager@example.com", "admin@example.com")


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    # The item pages: the Enroll action (or "Sign in to enroll") must be in the first screen.
    enroll_action: str | None = None
    # The page the visit comes from: the intranet's, for a widget with an embed token
    # (the portal checks that the token is used where its placement is).
    referer: str | None = None


def demo_site() -> dict[str, list[Page]]:
    """Seed the demo (its circles included) and return the pages to visit, keyed by who
    visits (None: signed out)."""
    call_command("seed_demo", employees=60, items=40, stdout=StringIO())
    employee = User.objects.get(email="employee@example.com")
    now = timezone.now()

    scheduled = ItemFactory(
        title="Difficult Conversations: a Practical Workshop",
        summary="Two hours of practice in giving hard news kindly and clearly, with actors.",
        delivery=Item.Delivery.SCHEDULED,
        format=Item.Format.LIVE_SESSION,
        provider="Learning & Development",
        duration_minutes=120,
    )
    starts = (now + dt.timedelta(days=10)).replace(hour=9, minute=30, second=0, microsecond=0)
    open_session = OfferingFactory(item=scheduled, starts_at=starts, capacity=12)
    OfferingFactory(
        item=scheduled,
        starts_at=starts + dt.timedelta(days=7),
        location="Online",
        online_url="https://meet.example.org/difficult-conversations",
        capacity=12,
    )
    full_session = OfferingFactory(
        item=scheduled, starts_at=starts + dt.timedelta(days=21), capacity=1
    )
    enroll(UserFactory(), full_session)

    self_paced = ItemFactory(
        title="Sepsis: Spotting the Signs",
        summary="A 20-minute e-learning module on the early signs of sepsis and what to do next.",
        format=Item.Format.ELEARNING,
        provider="Clinical Education Centre",
        duration_minutes=20,
        launch_url="https://elearning.example.org/sepsis",
    )
    switchable = ItemFactory(
        title="Chairing Meetings Well",
        delivery=Item.Delivery.SCHEDULED,
        format=Item.Format.COURSE,
        duration_minutes=90,
    )
    first = OfferingFactory(item=switchable, starts_at=starts + dt.timedelta(days=2))
    OfferingFactory(item=switchable, starts_at=starts + dt.timedelta(days=9))
    mine = enroll(employee, first)
    enrolled_self_paced = enroll(
        employee, item=ItemFactory(title="Writing for Patients", duration_minutes=45)
    )

    # A completed item with a long reflection (My learning's table) and team suggestions
    # (the team page's table): the wide tables a phone must still fit.
    done = enroll(employee, item=ItemFactory(title="Infection Prevention Refresher (e-learning)"))
    enrollment_complete(
        enrollment=done,
        actor=employee,
        reflection="Useful refresher: I now check the five moments at every bed space.",
    )
    manager = Employee.objects.get(user__email="manager@example.com")
    for item in (scheduled, self_paced):
        team_suggestion_create(manager=manager, item=item)

    placement = PlacementFactory()
    token = token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee.employee_id,
        ttl=900,
    )
    circle = employee_circle_slug()
    theme_url = theme_detail_url()
    item = scheduled.get_absolute_url()
    sp = self_paced.get_absolute_url()

    public = [
        Page("home", "/"),
        Page("catalog", reverse("catalog:list")),
        Page("catalog-search", reverse("catalog:list") + "?q=leadership"),
        Page("catalog-no-results", reverse("catalog:list") + "?q=zzxqv"),
        Page("item-scheduled", item, enroll_action="Sign in to enroll"),
        Page("item-self-paced", sp, enroll_action="Sign in to enroll"),
        Page("themes", reverse("themes:calendar")),
        Page("theme", theme_url),
        Page("circles", reverse("circles:list")),
        Page("login", reverse("account_login")),
        Page("password-reset", reverse("account_reset_password")),
        Page("not-found", "/catalog/no-such-item/"),
        Page("widget-frame", reverse("widgets:suggested")),
    ]
    employee_pages = [
        Page("home", "/"),
        Page("item-scheduled", item, enroll_action="Enroll"),
        Page("item-self-paced", sp, enroll_action="Enroll"),
        Page("item-enrolled", switchable.get_absolute_url()),
        Page("enroll-self-paced", reverse("enrollment:enroll", args=[self_paced.slug])),
        Page(
            "enroll-session",
            reverse("enrollment:enroll", args=[scheduled.slug]) + f"?session={open_session.pk}",
        ),
        Page(
            "waitlist",
            reverse("enrollment:enroll", args=[scheduled.slug]) + f"?session={full_session.pk}",
        ),
        Page("withdraw", reverse("enrollment:withdraw", args=[mine.pk])),
        Page("switch", reverse("enrollment:switch", args=[mine.pk])),
        Page("complete", reverse("enrollment:complete", args=[enrolled_self_paced.pk])),
        Page("my-learning", reverse("enrollment:my_learning")),
        Page("transcript", reverse("enrollment:transcript")),
        Page("profile", reverse("profile")),
        Page("notifications", reverse("notifications:preferences")),
        Page("circle", reverse("circles:detail", args=[circle])),
        Page("forbidden", reverse("widgets:team")),
        Page(
            "widget-frame",
            reverse("widgets:suggested") + f"?token={token}&variant=employee",
            referer=f"{placement.origin}/",
        ),
        Page("logout", reverse("account_logout")),
    ]
    manager_pages = [
        Page("home", "/"),
        Page("team", reverse("widgets:team")),
    ]
    admin_pages = [
        Page("admin-index", reverse("admin:index")),
        Page("admin-items", reverse("admin:catalog_item_changelist")),
        Page("admin-enrollments", reverse("admin:enrollment_enrollment_changelist")),
        Page("admin-sessions", reverse("admin:enrollment_sessions")),
        Page("admin-roster", reverse("admin:enrollment_roster", args=[full_session.pk])),
        Page("admin-employees", reverse("admin:people_employee_changelist")),
        # The forms learning admins fill in most: every field labelled (issue 14, item 8).
        Page("admin-item", reverse("admin:catalog_item_change", args=[scheduled.pk])),
        Page("admin-offering", reverse("admin:catalog_offering_change", args=[open_session.pk])),
        Page("admin-theme-add", reverse("admin:themes_theme_add")),
        Page("embed", reverse("widgets:embed_admin")),
        Page("insights", reverse("insights:dashboard")),
    ]
    return {
        None: public,
        "employee@example.com": employee_pages,
        "manager@example.com": manager_pages,
        "admin@example.com": admin_pages,
    }


def employee_circle_slug() -> str:
    from circles.models import Circle

    return Circle.objects.exclude(state=Circle.State.DRAFT).order_by("pk").first().slug


def theme_detail_url() -> str:
    from themes.selectors import theme_get_current

    return theme_get_current().get_absolute_url()


# Evaluated through the DevTools protocol, which the page's CSP does not govern.
LOAD_ALL_IMAGES = """async () => {
    document.querySelectorAll("img[loading=lazy]").forEach((img) => { img.loading = "eager"; });
    await Promise.all(Array.from(document.images).filter((img) => !img.complete).map(
        (img) => new Promise((done) => { img.onload = img.onerror = done; })
    ));
}"""


def serve_media(context) -> None:
    """Answer /media/ (the demo's generated covers) from the test storage, in memory: the
    live server, not in DEBUG, serves no uploads, and cards would show empty covers."""
    import mimetypes

    from django.conf import settings
    from django.core.files.storage import default_storage

    def fulfil(route):
        name = route.request.url.split(settings.MEDIA_URL, 1)[1].split("?", 1)[0]
        if not default_storage.exists(name):
            route.fulfill(status=404, body="")
            return
        with default_storage.open(name) as image:
            body = image.read()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=body, content_type=kind)

    context.route(f"**{settings.MEDIA_URL}**", fulfil)


def sign_in(page, email: str) -> None:
    page.goto(reverse("account_login"))
    form = page.locator("form.auth-form")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line per rule and element.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the page is checked under its real, strict policy.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        f"{violation['id']}: {node['target']} ({violation['help']})"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]
