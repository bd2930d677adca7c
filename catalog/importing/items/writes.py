"""The bulk writes of an items import: upserts, topic and audience links, free slugs."""

from django.utils.text import slugify

from ...models import Item, Topic
from ...services import ID_BATCH_SIZE
from .columns import UPSERT_FIELDS, WRITE_BATCH_SIZE


def upsert(items: list[Item]) -> None:
    created = {item.pk: item.created_at for item in items if item.pk}
    Item.objects.bulk_create(
        items, update_conflicts=True, unique_fields=["external_id"], update_fields=UPSERT_FIELDS
    )
    # bulk_create stamps every object as new; the stored creation time stays as it was.
    for item in items:
        if item.pk in created:
            item.created_at = created[item.pk]


def set_links(through, column: str, links: list[tuple[int, list | None]]) -> None:
    """Replace the topic (or audience) links of the items whose links the file changed."""
    changed = [(item_id, targets) for item_id, targets in links if targets is not None]
    item_ids = [item_id for item_id, _targets in changed]
    for start in range(0, len(item_ids), ID_BATCH_SIZE):
        through.objects.filter(item_id__in=item_ids[start : start + ID_BATCH_SIZE]).delete()
    through.objects.bulk_create(
        [
            through(item_id=item_id, **{column: target.pk})
            for item_id, targets in changed
            for target in targets
        ],
        batch_size=WRITE_BATCH_SIZE,
    )


def unique_slug(base: str, model, max_length: int, fallback: str) -> str:
    base = (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def free_topic_slug(name: str) -> str:
    return unique_slug(name, Topic, Topic._meta.get_field("slug").max_length, "topic")
