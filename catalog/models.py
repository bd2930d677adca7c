import zoneinfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from learning_portal.core import dates


def default_timezone() -> str:
    """The installation's time zone (TIME_ZONE), read when a session is made, not migrated."""
    return settings.TIME_ZONE


def validate_timezone(value: str) -> None:
    # A validator rather than choices: the zone list comes from tzdata and would otherwise
    # change the migrations whenever tzdata is updated.
    if value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('catalog:list')}?topic={self.slug}"


class Audience(models.Model):
    """Who may see a restricted item.

    A person belongs to an audience when they meet every criterion the audience sets
    (department AND role AND manager flag AND group). An item restricted to several audiences
    is visible to the members of any of them. An item with no audience is open to everyone.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    departments = models.ManyToManyField("people.Department", blank=True, related_name="+")
    roles = models.ManyToManyField("people.Role", blank=True, related_name="+")
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    managers_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Item(models.Model):
    """A learning item of the catalog.

    Its page composes the catalog with the apps above it, so it is portal's; the project's
    settings give `get_absolute_url` (ABSOLUTE_URL_OVERRIDES), the catalog never names it.
    """

    class Format(models.TextChoices):
        COURSE = "course", "Course"
        ELEARNING = "elearning", "E-learning"
        VIDEO = "video", "Video"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        PODCAST = "podcast", "Podcast"
        LIVE_SESSION = "live_session", "Live session"
        LEARNING_CIRCLE = "learning_circle", "Learning circle"

    class Delivery(models.TextChoices):
        # Self-paced items are taken whenever the learner likes; scheduled ones happen in
        # offerings (sessions) with dates, places and seats.
        SELF_PACED = "self_paced", "Self-paced"
        SCHEDULED = "scheduled", "Scheduled sessions"

    class Level(models.TextChoices):
        INTRODUCTORY = "introductory", "Introductory"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for lists.")
    description = models.TextField(blank=True, help_text="Markdown. HTML is sanitized.")
    format = models.CharField(max_length=20, choices=Format.choices, db_index=True)
    delivery = models.CharField(
        max_length=12, choices=Delivery.choices, default=Delivery.SELF_PACED
    )
    provider = models.CharField(max_length=120, blank=True, db_index=True)
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Expected time commitment in minutes."
    )
    level = models.CharField(
        max_length=15, choices=Level.choices, default=Level.INTRODUCTORY, db_index=True
    )
    language = models.CharField(max_length=8, default="en", db_index=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    audiences = models.ManyToManyField(
        Audience,
        blank=True,
        related_name="items",
        help_text="Leave empty to open the item to everyone.",
    )
    launch_url = models.URLField("external launch URL", max_length=500, blank=True)
    image = models.ImageField(upload_to="items/", blank=True)
    is_published = models.BooleanField("published", default=False, db_index=True)
    publish_start = models.DateTimeField(null=True, blank=True)
    publish_end = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(
        "external ID", max_length=100, null=True, blank=True, unique=True
    )
    # Enrollments over the last 90 days, refreshed by the enrollment app; denormalized so
    # the catalog can sort by popularity without counting a large table per request.
    popularity = models.PositiveIntegerField(default=0, db_index=True, editable=False)
    # Topic names copied onto the row so search needs no join; kept by catalog services.
    topic_names = models.TextField(blank=True, default="", editable=False)
    # Retired: search reads SearchDocument. Kept one release so processes of the previous
    # release, still serving while migrations run, keep working; drop it in the next one.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_vector", "topic_names", "popularity"])

    class Meta:
        ordering = ["title"]
        # Uses: the sort orders in SQL (catalog.sorting.order_items; the catalog page itself
        # orders from catalog.index), the index build and exports (title), the widget's
        # popular pool (popularity), so a list stops after its page instead of sorting all.
        indexes = [
            models.Index(fields=["title", "id"], name="catalog_item_title_id_idx"),
            models.Index(fields=["-popularity", "title", "id"], name="catalog_item_popular_idx"),
            models.Index(fields=["-created_at", "id"], name="catalog_item_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publish_end__isnull=True)
                | models.Q(publish_start__isnull=True)
                | models.Q(publish_end__gt=models.F("publish_start")),
                name="catalog_item_publish_window_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = dates.out_of_range_errors(self, ["publish_start", "publish_end"])
        if errors:
            raise ValidationError(errors)
        if self.publish_start and self.publish_end and self.publish_end <= self.publish_start:
            raise ValidationError({"publish_end": "The window must end after it starts."})

    @property
    def is_self_paced(self) -> bool:
        return self.delivery == self.Delivery.SELF_PACED

    @property
    def duration_display(self) -> str:
        minutes = self.duration_minutes
        if not minutes:
            return ""
        if minutes < 60:
            return f"{minutes} min"
        hours, rest = divmod(minutes, 60)
        if rest:
            return f"{hours} h {rest} min"
        return f"{hours} h"


OFFERING_TIMES = ("starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at")


class Offering(models.Model):
    """A scheduled session of an item: when, where, how many seats, when enrollment opens."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="offerings")
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional, e.g. 'Cohort 3' or 'Evening session'."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], default=default_timezone
    )
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField("video link", max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats; leave empty for no limit."
    )
    waitlist_enabled = models.BooleanField(default=True)
    enrollment_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: open as soon as published."
    )
    enrollment_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: closes when the session starts."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    # A learning circle's session spans its whole series of weekly meetings; each meeting
    # carries its own invite, reminder and change notice (circles app), so the enrollment
    # emails send none for the span.
    meeting_series = models.BooleanField(default=False, editable=False)
    # iCalendar SEQUENCE: bumped whenever the time or place changes so calendars update.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # The session's ID in the system it is planned in; the CSV import upserts by it.
    external_id = models.CharField(
        "external ID", max_length=100, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["item", "starts_at"], name="catalog_off_item_start_idx"),
            # Uses: catalog.sessions.sessions_ahead, the sessions in a window from now, read
            # whole (index-only) when the catalog index finds every item's next session.
            models.Index(
                fields=["status", "starts_at", "item"], name="catalog_off_status_start_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="catalog_offering_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="catalog_offering_capacity_positive",
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.starts_at, self.tzinfo).strftime("%d %b %Y %H:%M")
        return f"{self.item.title} — {self.title or when}"

    def get_absolute_url(self):
        return self.item.get_absolute_url() + f"#session-{self.pk}"

    def clean(self):
        errors = dates.out_of_range_errors(self, OFFERING_TIMES)
        if errors:
            raise ValidationError(errors)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "A session must end after it starts."
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            errors["enrollment_closes_at"] = "Enrollment must close after it opens."
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at, self.tzinfo)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at, self.tzinfo)

    @property
    def places(self) -> list[str]:
        """Where it happens, each said once: the venue, then "Online" for a video link
        (a location that only says "online" is the same place)."""
        places = []
        if self.location and not (self.online_url and self.location.strip().lower() == "online"):
            places.append(self.location)
        if self.online_url:
            places.append("Online")
        return places

    @property
    def effective_enrollment_closes_at(self):
        return self.enrollment_closes_at or self.starts_at

    def has_started(self, now=None) -> bool:
        """From its start a session's attendance can be marked and its places are kept."""
        return (now or timezone.now()) >= self.starts_at

    def is_enrollment_open(self, now=None) -> bool:
        """The single-row form of `catalog.sessions.enrollment_open_q` (tests hold them equal)."""
        now = now or timezone.now()
        if self.status != self.Status.SCHEDULED:
            return False
        if self.enrollment_opens_at and now < self.enrollment_opens_at:
            return False
        return now < self.effective_enrollment_closes_at


class SearchDocument(models.Model):
    """What search reads of an item: its weighted full-text vector and its title.

    Kept by `catalog.services.item_search_refresh` (PostgreSQL only; SQLite searches the
    item's own columns). Apart from the item row on purpose: a broad search term ranks every
    matching document, and item rows are wide (description, summary...), so reading these
    narrow rows halves the time a first search for a common word takes (catalog.index).
    """

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    # GIN indexes (PostgreSQL only, migration 0006): the vector for @@, the title for the
    # trigram typo match (%>).
    vector = SearchVectorField(null=True)
    title = models.CharField(max_length=200)

    def __str__(self):
        return f"Search document of item {self.item_id}"


class CatalogVersion(models.Model):
    """Counts of committed changes to what the catalog index holds (catalog.index): one row.

    In the database, not the cache, so that no change can be lost to a cache failure: an
    index is used only while these counts are the ones it was built with, and a restricted
    item must never stay in outsiders' counts. `search` counts search-document changes, which
    retire cached term matches.
    """

    ROW = 1

    catalog = models.BigIntegerField(default=0)
    search = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Catalog version {self.catalog} (search {self.search})"


class ZeroResultSearch(models.Model):
    """Searches that found nothing, counted per normalized term and day: unmet demand.

    Deliberately holds no user: it answers "what do people look for that we lack", not who.
    """

    term = models.CharField(max_length=200)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-count"]
        constraints = [
            models.UniqueConstraint(fields=["term", "day"], name="catalog_zero_search_term_day"),
        ]
        verbose_name = "search with no results"
        verbose_name_plural = "searches with no results"

    def __str__(self):
        return f"{self.term} ({self.day}: {self.count})"
