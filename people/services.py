from collections.abc import Iterable, Mapping
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from learning_portal.core.languages import is_language
from learning_portal.core.record_versions import record_version_bump
from learning_portal.core.timezones import is_zone

from .importing import (
    FILE_NO_FILE,
    FeedImporter,
    ImportReport,
    feed_from_bytes,
    feed_from_rows,
)
from .models import AccessChange, ImportRun, User

# Any fixed number: PostgreSQL advisory locks are keyed by integers the application chooses.
PEOPLE_IMPORT_LOCK = 0x48524645


class _DryRunFinished(Exception):
    """Carries a dry run's report out of the transaction that is rolled back."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


@transaction.atomic
def people_import(
    *,
    file: BinaryIO | bytes | None = None,
    rows: Iterable[Mapping[str, object]] | None = None,
    filename: str = "",
    dry_run: bool = False,
    deactivate_missing: bool = False,
    force: bool = False,
    actor: User | None = None,
    source: str = ImportRun.Source.COMMAND,
) -> ImportReport:
    """Import the HR feed: upsert people by employee ID, then their reporting lines.

    Give the CSV as `file` (bytes or a binary file) or already-split `rows` (mappings of
    column to value). Bad rows are rejected with their row number and reason and never stop
    the good rows; a manager link that is unknown, circular or to oneself is reported and left
    unchanged while the person is imported. With `deactivate_missing`, active employees absent
    from the feed are deactivated (superusers excepted), unless that is more than
    `importing.DEACTIVATION_LIMIT` of active employees and `force` is not set. A dry run does
    everything and rolls it back. Every completed run is recorded as an ImportRun.

    Raises ValidationError, changing nothing, when the file cannot be used (not CSV or not
    UTF-8, empty, header only, required columns missing) or the deactivation limit is hit.
    """
    if file is None and rows is None:
        raise ValidationError(FILE_NO_FILE)
    if rows is not None:
        feed = feed_from_rows(rows)
    else:
        data = file if isinstance(file, bytes) else file.read()
        feed = feed_from_bytes(data)
    _wait_for_other_imports()
    report = ImportReport(dry_run=dry_run, deactivate_missing=deactivate_missing)
    importer = FeedImporter(
        feed=feed, report=report, deactivate_missing=deactivate_missing, force=force
    )
    try:
        with transaction.atomic():
            importer.run()
            if dry_run:
                raise _DryRunFinished(report)
    except _DryRunFinished:
        pass
    ImportRun.objects.create(
        actor=actor,
        source=source,
        filename=filename[:255],
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        rows=report.row_count,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        deactivated=report.deactivated,
        problems=report.problems_as_data(),
    )
    return report


def _wait_for_other_imports() -> None:
    # The nightly job and an admin upload at the same moment would each plan from what they
    # read before the other wrote. On PostgreSQL the second waits until the first commits;
    # SQLite lets only one writer in at a time anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PEOPLE_IMPORT_LOCK])


def access_change_record(*, actor, kind: str, target: str, changes: list[str]) -> None:
    """Log changes to access (who, what, when) for superusers to review; one row per change.

    `changes` are human-readable lines such as "is_staff: False → True" or
    "groups: + Learning admins"; nothing is written when the list is empty.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    AccessChange.objects.bulk_create(
        AccessChange(
            actor=actor,
            actor_email=actor.email if actor else "",
            kind=kind,
            target=target[:254],
            change=change,
        )
        for change in changes
    )


def access_changes_between(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """What changed between two snapshots: scalars as "field: old → new", sets as "+"/"−"."""
    lines = []
    for field, new in after.items():
        old = before.get(field)
        if isinstance(new, set | frozenset):
            old = old or set()
            lines += [f"{field}: + {name}" for name in sorted(new - old)]
            lines += [f"{field}: − {name}" for name in sorted(old - new)]
        elif old != new:
            lines.append(f"{field}: {old} → {new}")
    return lines


def user_access_snapshot(user: User) -> dict[str, object]:
    """The parts of an account that grant access, as compared by the access log."""
    if user.pk is None:
        return {}
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": set(user.groups.values_list("name", flat=True)),
        "user_permissions": _permission_names(user.user_permissions.all()),
    }


def group_access_snapshot(group) -> dict[str, object]:
    if group.pk is None:
        return {}
    return {"name": group.name, "permissions": _permission_names(group.permissions.all())}


def _permission_names(permissions) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in permissions.values_list("content_type__app_label", "codename")
    }


def roles_sync(**kwargs) -> None:
    """Create or update the groups of people.roles.ROLES with exactly their permissions.

    Connected to post_migrate, so every `migrate` brings the roles in line with the code. A
    permission that does not exist (its app is not installed) is skipped.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLES

    using = kwargs.get("using", "default")
    # post_migrate runs app by app: make sure every app's permissions exist first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role.name)
        wanted = Q()
        for name in role.permissions:
            app_label, codename = name.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(wanted))


TIME_ZONE_UNKNOWN = "{zone} is not a time zone we know. Pick one from the list."


@transaction.atomic
def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """Set the zone `user` reads times in ("" for the organisation's).

    Raises ValidationError: TIME_ZONE_UNKNOWN.
    """
    if time_zone and not is_zone(time_zone):
        raise ValidationError(TIME_ZONE_UNKNOWN.format(zone=time_zone))
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return user


LANGUAGE_UNKNOWN = "{language} is not a language we know. Pick one from the list."


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Set the language `user` prefers to learn in ("" for the organisation's).

    What is suggested to them (the widget, the home page) puts learning in that language
    first; their record version is bumped so the widget's cached fragment is made again.
    Nothing is written to their transcript.

    Raises ValidationError: LANGUAGE_UNKNOWN.
    """
    if language and not is_language(language):
        raise ValidationError(LANGUAGE_UNKNOWN.format(language=language))
    user.language = language
    user.save(update_fields=["language"])
    record_version_bump(user_id=user.pk)
    return user
