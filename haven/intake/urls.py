from django.urls import path

from haven.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("refer/", views.police_report, name="police"),
    path("<uuid:uid>/", views.report_detail, name="report"),
    path("<uuid:uid>/assign/", views.report_assign, name="assign"),
    path("<uuid:uid>/notes/", views.report_note, name="note"),
    path("<uuid:uid>/retry/", views.report_retry, name="retry"),
]
