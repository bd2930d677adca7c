from django.urls import path

from .demand import report_views as demand
from .takeaways import views as takeaways
from .views import dashboard

app_name = "insights"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("charts/<slug:slug>.csv", dashboard.chart_csv, name="chart_csv"),
    path("demand/", demand.demand_report, name="demand"),
    path("demand.csv", demand.demand_csv, name="demand_csv"),
    path("demand/topics/<slug:slug>/", demand.demand_topic, name="demand_topic"),
    path("takeaways/", takeaways.organisation, name="takeaways"),
    # Facilitators' review: not HR pages (drafts are the facilitators' alone).
    path("takeaways/review/", takeaways.review_list, name="takeaways_review_list"),
    path("takeaways/review/<slug:slug>/", takeaways.review_circle, name="takeaways_review"),
    path("takeaways/review/<slug:slug>/consent/", takeaways.consent, name="takeaways_consent"),
    path("takeaways/review/<slug:slug>/refresh/", takeaways.refresh, name="takeaways_refresh"),
    path(
        "takeaways/review/<slug:slug>/weeks/<int:week>/",
        takeaways.edit,
        name="takeaways_edit",
    ),
    path("takeaways/circles/<slug:slug>/", takeaways.circle_published, name="takeaways_circle"),
]
