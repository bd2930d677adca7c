"""The site's own pages, named without a namespace like `home`: any app may link to them."""

from django.urls import path

from . import views

urlpatterns = [
    path("catalog/<slug:slug>/", views.item_detail, name="item_detail"),
    path("me/profile/", views.profile, name="profile"),
]
