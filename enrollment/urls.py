from django.urls import path

from . import views

app_name = "enrollment"

urlpatterns = [
    path("me/learning/", views.my_learning, name="my_learning"),
    path("me/learning/transcript/", views.transcript, name="transcript"),
    path("me/learning/transcript.csv", views.transcript_csv, name="transcript_csv"),
    path("me/learning/transcript.json", views.transcript_xapi, name="transcript_xapi"),
    path("me/learning/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("me/learning/<int:pk>/switch/", views.switch, name="switch"),
    path("me/learning/<int:pk>/complete/", views.complete, name="complete"),
    path("me/learning/<int:pk>/calendar.ics", views.calendar_file, name="calendar_file"),
    path("learning/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("learning/<slug:slug>/save/", views.save_toggle, name="save_toggle"),
    path("learning/<slug:slug>/notify-me/", views.session_interest, name="session_interest"),
]
