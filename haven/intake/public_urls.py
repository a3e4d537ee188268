from django.urls import path

from haven.intake import public

app_name = "report"

urlpatterns = [
    path("", public.start, name="start"),
    path("check/", public.check, name="check"),
    path("done/", public.done, name="done"),
    path("<slug:slug>/", public.step, name="step"),
]
