from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from learning_portal.core import branding, security
from learning_portal.core import views as core_views
from portal import views as portal_views

admin.site.site_header = "Learning Portal administration"
admin.site.site_title = "Learning Portal admin"
# Staff sign in through allauth, so the admin login shares its rate limits and SSO.
admin.site.login = secure_admin_login(admin.site.login)

# A database outage answers 503 "briefly unavailable" (learning_portal.core.outages).
handler500 = "learning_portal.core.views.server_error"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("csp-report/", security.csp_report, name="csp_report"),
    path("brand.css", branding.brand_css, name="brand_css"),
    # Email addresses come from the HR feed: allauth's page to add or change them is off.
    path("accounts/email/", RedirectView.as_view(pattern_name="profile")),
    path("accounts/", include("allauth.urls")),
    path("me/notifications/", include("notifications.urls")),
    # /me/learning/… (My learning, transcript) and /learning/<slug>/enroll/ etc.
    path("", include("enrollment.urls")),
    path("catalog/", include("catalog.urls")),
    # The pages that compose several apps: the item page (/catalog/<slug>/), the profile.
    path("", include("portal.urls")),
    path("circles/", include("circles.urls")),
    path("themes/", include("themes.urls")),
    path("widgets/", include("widgets.urls")),
    path("insights/", include("insights.urls")),
    # The demand board is for everyone signed in; HR's demand list is under /insights/.
    path("demand/", include("insights.demand.urls")),
    path("integrations/", include("integrations.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
