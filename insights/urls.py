from django.urls import path  # noqa: F401  (the goal, demand and takeaways pages add theirs)

app_name = "insights"

urlpatterns = []
