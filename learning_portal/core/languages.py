"""Languages people learn in: the organisation's, and whether a code names one.

Items carry the language they are taught in (a two-letter code); each person may choose the
language they prefer to learn in (people.User.language), empty for the organisation's.
"""

from django.conf import settings
from django.conf.locale import LANG_INFO


def organisation_language() -> str:
    """The organisation's language, from LANGUAGE_CODE ("en-gb" → "en")."""
    return settings.LANGUAGE_CODE.split("-", 1)[0].lower()


def is_language(code: str) -> bool:
    """A language code Django knows by name (its fallback entries, such as "zh", are not)."""
    return "name" in LANG_INFO.get(code, {})
