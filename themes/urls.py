from django.urls import path

from . import views

app_name = "themes"

urlpatterns = [
    path("", views.theme_calendar, name="calendar"),
    path("archive/", views.theme_archive, name="archive"),
    path("calendar.ics", views.releases_ics, name="releases_ics"),
    path("<slug:slug>/", views.theme_detail, name="detail"),
    path("<slug:slug>/sessions.ics", views.sessions_ics, name="sessions_ics"),
    path("<slug:slug>/catalog/", views.theme_catalog, name="catalog"),
]
