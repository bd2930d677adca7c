"""Two people at once on the embedded default's SQLite file (run in its own process).

`tests/core/test_sqlite_concurrency.py` runs this with `learning_portal.settings.local` on a
fresh SQLite file: learners enroll and withdraw while an admin saves the same session over
and over, each in its own thread with its own connection, as runserver's threads do. Prints
one JSON line: the errors each side hit and what the database holds afterwards. `--plain`
drops the SQLite options of local.py, to show what they prevent.
"""

import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learning_portal.settings.local")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from enrollment import services  # noqa: E402
from enrollment.models import Enrollment  # noqa: E402
from tests.catalog.factories import OfferingFactory  # noqa: E402
from tests.people.factories import EmployeeFactory  # noqa: E402

ROUNDS = 15
LEARNERS = 4


def main(plain: bool) -> None:
    if plain:
        connections.settings["default"]["OPTIONS"] = {}
    call_command("migrate", verbosity=0)
    offering = OfferingFactory(capacity=2)
    admin = EmployeeFactory(user__is_staff=True).user
    learners = [EmployeeFactory().user for _ in range(LEARNERS)]
    connection.close()
    errors: dict[str, list[str]] = {"learner": [], "admin": []}
    start = threading.Barrier(LEARNERS + 1)

    def learner(user):
        start.wait()
        try:
            for _ in range(ROUNDS):
                try:
                    enrollment = services.enrollment_create(
                        user=user, item=offering.item, offering=offering
                    )
                    services.enrollment_withdraw(enrollment=enrollment, actor=user)
                except Exception as exc:  # noqa: BLE001 - reported to the test
                    errors["learner"].append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def admin_saves():
        start.wait()
        try:
            for n in range(ROUNDS * 2):
                try:
                    services.offering_update(
                        offering=offering, actor=admin, location=f"Education Centre, Room {n}"
                    )
                except Exception as exc:  # noqa: BLE001 - reported to the test
                    errors["admin"].append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=learner, args=(u,)) for u in learners]
    threads.append(threading.Thread(target=admin_saves))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    offering.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "errors": errors,
                "journal_mode": journal_mode,
                "active": Enrollment.objects.filter(status__in=["enrolled", "waitlisted"]).count(),
                "location": offering.location,
            }
        )
    )


if __name__ == "__main__":
    main(plain="--plain" in sys.argv)
