from django.urls import include, path

from haven import views
from haven.api import api

urlpatterns = [
    path("", include("haven.advice.urls")),
    path("report/", include("haven.intake.public_urls")),
    path("remove/", include("haven.intake.selfreferral_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("staff/", views.home, name="home"),
    path("staff/", include("haven.accounts.urls")),
    path("staff/audit/", include("haven.audit.urls")),
    path("staff/hashbank/", include("haven.hashbank.urls")),
    path("staff/grading/", include("haven.grading.urls")),
    path("staff/reports/", include("haven.intake.urls")),
    path("staff/subjects/", include("haven.intel.urls")),
    path("staff/queue/", include("haven.triage.urls")),
    path("staff/conversations/", include("haven.chats.urls")),
    path("staff/referrals/", include("haven.referrals.urls")),
    path("staff/insights/", include("haven.insights.urls")),
    path("api/v1/", api.urls),
]

handler400 = "haven.views.bad_request"
handler403 = "haven.views.permission_denied"
handler404 = "haven.views.not_found"
handler500 = "haven.views.server_error"
