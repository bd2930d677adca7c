from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("", views.circle_list, name="list"),
    path("start/", views.circle_start, name="start"),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("archive/", views.archive_list, name="archive_list"),
    path("my-posts/", views.my_posts, name="my_posts"),
    path("<slug:slug>/", views.circle_detail, name="detail"),
    path("<slug:slug>/join/", views.circle_join, name="join"),
    path("<slug:slug>/call/", views.circle_call, name="call"),
    path("<slug:slug>/leave/", views.circle_leave, name="leave"),
    path("<slug:slug>/notify-me/", views.circle_interest, name="interest"),
    path("<slug:slug>/manage/", views.circle_manage, name="manage"),
    path("<slug:slug>/submit/", views.circle_submit, name="submit"),
    path("<slug:slug>/approve/", views.circle_approve, name="approve"),
    path("<slug:slug>/archive/", views.circle_archive, name="archive"),
    path("<slug:slug>/calendar.ics", views.circle_calendar, name="calendar"),
    path("<slug:slug>/insights/", views.circle_insights, name="insights"),
    path("<slug:slug>/survey/", views.survey, name="survey"),
    path("<slug:slug>/insights/print/", views.circle_insights_print, name="insights_print"),
    path("<slug:slug>/insights.md", views.circle_insights_markdown, name="insights_markdown"),
    path("<slug:slug>/meetings/<int:week>/wrap-up/", views.meeting_wrapup, name="wrapup"),
    path("<slug:slug>/discussion/", views.discussion, name="discussion"),
    path("<slug:slug>/discussion/week-<int:week>/", views.thread_detail, name="thread"),
    path(
        "<slug:slug>/discussion/week-<int:week>/posts/<int:pk>/edit/",
        views.post_edit,
        name="post_edit",
    ),
    path(
        "<slug:slug>/discussion/week-<int:week>/posts/<int:pk>/delete/",
        views.post_delete,
        name="post_delete",
    ),
    path(
        "<slug:slug>/discussion/week-<int:week>/posts/<int:pk>/hide/",
        views.post_hide,
        name="post_hide",
    ),
    path("<slug:slug>/meetings/<int:week>/", views.meeting_edit, name="meeting_edit"),
    path("<slug:slug>/meetings/<int:week>/cancel/", views.meeting_cancel, name="meeting_cancel"),
]
