from django.urls import path

from .demand import report_views as demand

app_name = "insights"

urlpatterns = [
    path("demand/", demand.demand_report, name="demand"),
    path("demand.csv", demand.demand_csv, name="demand_csv"),
    path("demand/topics/<slug:slug>/", demand.demand_topic, name="demand_topic"),
]
