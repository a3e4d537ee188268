from django.urls import path

from haven.triage import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.priority_detail, name="priority"),
    path("<int:pk>/override/", views.priority_override, name="override"),
    path("subjects/<uuid:uid>/access/", views.access_flag, name="access"),
]
