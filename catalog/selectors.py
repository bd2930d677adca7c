from .models import Item
from .visibility import can_preview_unpublished, published_q, visible_items_q


def item_list_visible_to(*, user, now=None):
    """Published items the person may see."""
    return Item.objects.filter(published_q(now)).filter(visible_items_q(user))


def item_get_visible_to(*, user, slug: str) -> Item | None:
    """The item if the person may see it; None otherwise, so callers answer 404, not 403."""
    if can_preview_unpublished(user):
        queryset = Item.objects.all()
    else:
        queryset = item_list_visible_to(user=user)
    return queryset.prefetch_related("topics").filter(slug=slug).first()
