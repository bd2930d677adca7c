"""Keep the catalog index (catalog.index) in step with writes made anywhere.

Receivers rather than calls in services, because items, sessions, topics and audiences are
also written by the admin, the CSV import and other apps' services. Bulk writes send no
signals; their callers call `catalog_changed()` themselves (`item_search_refresh` does).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .index import catalog_changed
from .models import Audience, Item, Offering, Topic


def _changed(sender, **kwargs):
    catalog_changed()


def _relations_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        catalog_changed()


def connect() -> None:
    for model in (Item, Offering, Topic, Audience):
        label = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog_index_save_{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog_index_delete_{label}")
    # An audience's departments, roles and groups decide who sees its items, as much as the
    # items' own audiences do.
    for through in (
        Item.topics.through,
        Item.audiences.through,
        Audience.departments.through,
        Audience.roles.through,
        Audience.groups.through,
    ):
        m2m_changed.connect(
            _relations_changed, sender=through, dispatch_uid=f"catalog_index_{through.__name__}"
        )
