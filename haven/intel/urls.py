from django.urls import path

from haven.intel import views

app_name = "intel"

urlpatterns = [
    path("", views.subject_list, name="subjects"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("reports/<uuid:uid>/grade/", views.report_grading, name="grade"),
    path("exclusions/<int:exclusion_id>/remove/", views.exclusion_remove, name="exclusion_remove"),
    path("<uuid:uid>/", views.subject_detail, name="subject"),
    path("<uuid:uid>/merge/", views.subject_merge, name="merge"),
    path("<uuid:uid>/split/", views.subject_split, name="split"),
    path("<uuid:uid>/decisions/<int:decision_id>/revoke/", views.decision_revoke, name="revoke"),
    path("<uuid:uid>/graph/", views.subject_graph, name="graph"),
    path("<uuid:uid>/graph.json", views.subject_graph_data, name="graph_data"),
]
