from django.urls import path

from haven.hashbank import views

app_name = "hashbank"

urlpatterns = [
    path("", views.search, name="search"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/verdict/", views.record_verdict, name="record_verdict"),
    path("records/<int:pk>/status/", views.record_status, name="record_status"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/", views.list_update, name="list_update"),
]
