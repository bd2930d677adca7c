from django.core.management.base import BaseCommand, CommandError

from circles.models import Circle
from recognition.demo import seed_recognition
from recognition.models import BadgeClass


class Command(BaseCommand):
    help = "Demo badges (awarded from the demo's records) and kudos, for an older demo database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when badges already exist."
        )

    def handle(self, *args, if_empty, **options):
        if BadgeClass.objects.exists():
            if if_empty:
                return
            raise CommandError("Demo badges are already loaded.")
        if not Circle.objects.exists():
            raise CommandError("Load the demo data first: manage.py seed_demo.")
        awards, kudos = seed_recognition()
        self.stdout.write(
            f"{len(BadgeClass.objects.all())} badges, {awards} awards, {kudos} kudos."
        )
