import random

from django.core.management.base import BaseCommand, CommandError

from circles.demo import seed_circles
from circles.models import Circle
from people.models import User


class Command(BaseCommand):
    help = "Demo learning circles in each state, on top of seed_demo's people and catalog."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when circles already exist."
        )

    def handle(self, *args, seed, if_empty, **options):
        if Circle.objects.exists():
            if if_empty:
                return
            raise CommandError("Demo circles are already loaded.")
        if not User.objects.filter(employee__isnull=False).exists():
            raise CommandError("Load the people first: manage.py seed_demo.")
        circles = seed_circles(rng=random.Random(seed))
        self.stdout.write(f"{len(circles)} learning circles, one in each state.")
