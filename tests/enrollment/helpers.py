from enrollment import services
from enrollment.models import Source


def enroll(user, offering=None, *, item=None, source=Source.CATALOG, actor=None):
    """Enroll through the service, as the views do."""
    return services.enrollment_create(
        user=user,
        item=item or offering.item,
        offering=offering,
        source=source,
        actor=actor,
    )
