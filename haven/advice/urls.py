from django.urls import path

from haven.advice import views

app_name = "advice"

urlpatterns = [
    path("", views.index, name="index"),
    path("advice/<slug:slug>/", views.audience, name="audience"),
]
