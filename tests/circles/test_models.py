from django.test import override_settings

from circles.models import Circle


@override_settings(TIME_ZONE="America/New_York")
def test_circle_time_zone_defaults_to_the_organisations():
    # A callable default: the zone is read when a circle is made, never baked into a migration.
    assert Circle().timezone == "America/New_York"
