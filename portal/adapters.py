"""allauth's adapters as the portal composes them: people's sign-in rules, allauth's emails
(password reset) dressed like notifications' own, and the profile page a refused SSO connect
returns to.

The branding names notifications' preferences page and the profile is portal's page, which
people (a lower layer) may not name, so the composition lives here and settings point
allauth at these classes.
"""

from django.conf import settings
from django.urls import reverse

from people.adapters import AccountAdapter as PeopleAccountAdapter
from people.adapters import SocialAccountAdapter as PeopleSocialAccountAdapter


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


class SocialAccountAdapter(PeopleSocialAccountAdapter):
    def get_connect_redirect_url(self, request, socialaccount):
        # People refuses every connect by hand; the person is sent back to their profile.
        return reverse("profile")
