"""The one place that fixes the lock order of enrollment writes.

Every change to who holds a seat in a session happens while the session's Offering row is
locked (`SELECT ... FOR UPDATE`), so seat counts are read and written one writer at a time.
Locks are always taken in the order offering -> enrollment, and several offerings in id
order, so two services never wait on each other in a cycle.
"""

from catalog.models import Item, Offering

from ..models import Enrollment


def lock_offering(offering: Offering, *, item: Item | None = None) -> Offering:
    """The session's row, locked and read again; with its item joined unless `item` (the
    caller's copy of the session's item) is given, which spares that read under the lock."""
    if item is not None:
        locked = Offering.objects.select_for_update().get(pk=offering.pk)
        locked.item = item
        return locked
    # OF self: the item row stays unlocked, so the catalog admin never waits on enrollments.
    return (
        Offering.objects.select_for_update(of=("self",)).select_related("item").get(pk=offering.pk)
    )


def lock_offerings(*offering_ids: int) -> dict[int, Offering]:
    """Several sessions locked in id order (so two opposite switches cannot deadlock)."""
    return {
        o.pk: o
        for o in Offering.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(pk__in=offering_ids)
        .order_by("pk")
    }


def lock_enrollment(enrollment: Enrollment) -> Enrollment:
    """The enrollment's row; taken after its offering's (see the module docstring)."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("item", "offering", "user")
        .get(pk=enrollment.pk)
    )
