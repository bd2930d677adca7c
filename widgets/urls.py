from django.urls import path

from . import views

app_name = "widgets"

urlpatterns = [
    path("suggested/", views.suggested, name="suggested"),
    path("go/<int:item_id>/", views.go, name="go"),
    path("dismiss/<int:item_id>/", views.dismiss, name="dismiss"),
    path("t/dismiss/<int:item_id>/", views.dismiss_with_token, name="dismiss_token"),
    path("suggest/<int:item_id>/", views.suggest_to_team, name="suggest"),
    path("t/suggest/<int:item_id>/", views.suggest_to_team_with_token, name="suggest_token"),
    path("api/suggestions/", views.api_suggestions, name="api_suggestions"),
    path("embed.js", views.embed_js, name="embed_js"),
    path("frame.js", views.frame_js, name="frame_js"),
    path("team/", views.team, name="team"),
    path("embed/", views.embed_admin, name="embed_admin"),
]
