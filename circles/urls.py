from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("", views.circle_list, name="list"),
    path("start/", views.circle_start, name="start"),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("<slug:slug>/", views.circle_detail, name="detail"),
    path("<slug:slug>/join/", views.circle_join, name="join"),
    path("<slug:slug>/leave/", views.circle_leave, name="leave"),
    path("<slug:slug>/notify-me/", views.circle_interest, name="interest"),
    path("<slug:slug>/manage/", views.circle_manage, name="manage"),
    path("<slug:slug>/submit/", views.circle_submit, name="submit"),
    path("<slug:slug>/approve/", views.circle_approve, name="approve"),
    path("<slug:slug>/archive/", views.circle_archive, name="archive"),
    path("<slug:slug>/calendar.ics", views.circle_calendar, name="calendar"),
    path("<slug:slug>/meetings/<int:week>/", views.meeting_edit, name="meeting_edit"),
    path("<slug:slug>/meetings/<int:week>/cancel/", views.meeting_cancel, name="meeting_cancel"),
]
