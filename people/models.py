from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from learning_portal.core.languages import is_language, organisation_language
from learning_portal.core.timezones import is_zone


def validate_zone(value: str) -> None:
    if value and not is_zone(value):
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


def validate_language(value: str) -> None:
    if value and not is_language(value):
        raise ValidationError("%(value)s is not a known language.", params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account. People sign in with their work email; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)
    # Empty: the organisation's (TIME_ZONE), so a change of TIME_ZONE reaches everyone who
    # never chose. A validator rather than choices: tzdata updates would change migrations.
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_zone],
        help_text="Times are shown in this zone. Empty: the organisation's.",
    )
    # Empty: the organisation's (LANGUAGE_CODE), like the time zone.
    language = models.CharField(
        "learning language",
        max_length=8,
        blank=True,
        default="",
        validators=[validate_language],
        help_text="Learning in this language is suggested first. Empty: the organisation's.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="people_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def learning_language(self) -> str:
        """The language this person prefers to learn in: their choice, else the organisation's."""
        return self.language or organisation_language()


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.Model):
    """A job family from the HR feed (e.g. Registered Nurse), used for audiences and relevance."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Employee(models.Model):
    """A person from the HR feed, attached to the account they sign in with.

    Their profile page is portal's: the project's settings give `get_absolute_url`
    (ABSOLUTE_URL_OVERRIDES), people never names it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="employee")
    employee_id = models.CharField("employee ID", max_length=64, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="employees"
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, null=True, blank=True, related_name="employees"
    )
    job_title = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    is_manager = models.BooleanField(
        "manager", default=False, help_text="From the HR feed's manager flag."
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        help_text="Reporting line: this person's manager.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="people_employee_not_own_manager"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.employee_id})"

    @property
    def full_name(self) -> str:
        return self.user.get_full_name()

    @property
    def is_active(self) -> bool:
        return self.user.is_active


class ImportRun(models.Model):
    """One HR feed import: who ran it, with which options, and what it did.

    Kept so admins can see when the people data last changed and why a row was refused. It
    holds counts and the row problems only, never a copy of the feed.
    """

    class Source(models.TextChoices):
        COMMAND = "command", "Command line"
        ADMIN = "admin", "Admin upload"

    started_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="people_imports"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.COMMAND)
    filename = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)
    deactivate_missing = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="Rejected rows and manager links, with reasons."
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "HR feed import"

    def __str__(self):
        kind = "Dry run" if self.dry_run else "Import"
        return f"{kind} of {self.filename or 'HR feed'} at {self.started_at:%Y-%m-%d %H:%M}"


class AccessChange(models.Model):
    """Who changed access, what and when: accounts' flags, groups and permissions, roles'
    permissions, widget placements. Written by people.audit; read by superusers only."""

    class Kind(models.TextChoices):
        USER = "user", "Account"
        GROUP = "group", "Group / role"
        PLACEMENT = "placement", "Widget placement"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_changes_made"
    )
    # Kept as text so the log still reads right after the actor's account is gone.
    actor_email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField(max_length=254, help_text="The account, group or placement changed.")
    change = models.TextField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access change"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'}: {self.target}"
