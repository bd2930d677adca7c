"""The demand board, for everyone signed in: /demand/ (HR's demand list is under /insights/)."""

from django.urls import path

from . import views

app_name = "demand"

urlpatterns = [
    path("", views.board, name="board"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/moderate/", views.moderate, name="moderate"),
]
