import factory

from widgets.models import Placement


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    name = factory.Sequence(lambda n: f"Intranet {n}")
    key = factory.Sequence(lambda n: f"intranet-{n}")
    origin = "https://intranet.example.org"
    secret = factory.Sequence(lambda n: f"placement-secret-{n}-0123456789abcdef")
