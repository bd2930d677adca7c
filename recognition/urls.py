from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    # Public, for anyone who checks a credential: no person's data unless presented.
    path("issuer/", views.issuer, name="issuer"),
    path("issuer/jwks.json", views.jwks, name="jwks"),
    path("issuer/keys/<str:kid>", views.key, name="key"),
    path("badges/<slug:slug>/", views.badge_class, name="badge_class"),
    path("verify/", views.verify, name="verify"),
    # The person's own.
    path("me/badges/", views.my_badges, name="my_badges"),
    path("me/badges/<uuid:uid>/", views.award, name="award"),
    path("me/badges/<uuid:uid>/credential.jwt", views.award_credential, name="credential"),
    path("me/preferences/", views.preferences, name="preferences"),
    path("me/kudos/", views.my_kudos, name="my_kudos"),
    path("me/kudos/<int:pk>/share/", views.kudos_share, name="kudos_share"),
    path("kudos/<int:pk>/report/", views.kudos_report, name="kudos_report"),
    # A circle's recognition: thank someone, what members chose to show.
    path("circles/<slug:slug>/", views.circle_recognition, name="circle"),
]
