"""learning_portal.core.models.Hideable: what a moderator hides keeps its reason, for every
model that shares it (a circle's post, a kudos message)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles import services as circle_services
from recognition import services as recognition_services
from recognition.models import Kudos
from tests.recognition.helpers import running_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_and_kudos():
    circle, facilitator, (ada, bo) = running_circle()
    circle_services.thread_open_due(now=circle.offering.starts_at)
    post = circle_services.post_create(thread=circle.threads.get(week=1), author=ada, body="Hi")
    kudos = recognition_services.kudos_give(
        sender=ada, recipient=bo, circle=circle, value=Kudos.Value.HELPED_ME_LEARN, message="Ta"
    )
    return post, kudos


def test_nothing_is_hidden_without_a_reason_whatever_writes_it(post_and_kudos):
    for row in post_and_kudos:
        rows = type(row).objects.filter(pk=row.pk)
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(hidden_at=timezone.now(), hidden_reason="")

        rows.update(hidden_at=timezone.now(), hidden_reason="Unkind")
        assert rows.get().is_hidden
