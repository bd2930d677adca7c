from django.urls import path

from .views import dashboard

app_name = "insights"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("charts/<slug:slug>.csv", dashboard.chart_csv, name="chart_csv"),
]
