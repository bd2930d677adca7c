"""allauth's account adapter as the portal composes it: people's sign-in rules, and allauth's
emails (password reset) dressed like notifications' own.

The branding names notifications' preferences page, which people (a lower layer) may not
name, so the composition lives here and settings point allauth at this class.
"""

from django.conf import settings
from django.urls import reverse

from people.adapters import AccountAdapter as PeopleAccountAdapter


class AccountAdapter(PeopleAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # The same name, address and footer as the portal's own emails.
        branded = {
            "portal_name": settings.PORTAL_NAME,
            "portal_url": f"{settings.PORTAL_BASE_URL}/",
            "preferences_url": f"{settings.PORTAL_BASE_URL}{reverse('notifications:preferences')}",
            "is_optional": False,
        }
        super().send_mail(template_prefix, email, {**branded, **context})
