from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("slack/events/", views.slack_events, name="slack_events"),
    path("circles/<slug:slug>/", views.circle_connections, name="circle"),
    path("circles/<slug:slug>/slack/", views.slack_link, name="slack_link"),
    path("circles/<slug:slug>/slack/remove/", views.slack_unlink, name="slack_unlink"),
    path("circles/<slug:slug>/slack/import/", views.slack_import, name="slack_import"),
    path("circles/<slug:slug>/notion/", views.notion_link, name="notion_link"),
    path("circles/<slug:slug>/notion/remove/", views.notion_unlink, name="notion_unlink"),
    path("circles/<slug:slug>/notion/push/", views.notion_push, name="notion_push"),
    path("circles/<slug:slug>/notion.zip", views.notion_download, name="notion_download"),
    path(
        "circles/<slug:slug>/notion/week-<int:week>.md",
        views.notion_week_download,
        name="notion_week_download",
    ),
]
