from django.urls import path

from haven.grading import views

app_name = "grading"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_cluster, name="next"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/grade/", views.cluster_grade, name="grade"),
    path("items/<int:pk>/image", views.item_image, name="image"),
    path("items/<int:pk>/reveal/", views.item_reveal, name="reveal"),
    path("items/<int:pk>/pull-out/", views.item_pull_out, name="pull_out"),
    path("reveals/<int:pk>/hide/", views.reveal_hide, name="hide"),
    path("settings/", views.viewer_settings, name="settings"),
    path("disputes/", views.disputes, name="disputes"),
    path("metrics/", views.metrics_view, name="metrics"),
]
