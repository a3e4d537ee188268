from django.urls import path

from haven.advice import views

app_name = "advice"

urlpatterns = [
    path("", views.index, name="index"),
    path("exit/", views.leave, name="exit"),
    path("advice/search/", views.search, name="search"),
    path("advice/<slug:slug>/", views.audience, name="audience"),
    path("advice/<slug:slug>/<slug:topic>/", views.topic, name="topic"),
]
