from django.urls import path

from haven.intake import selfreferral

app_name = "remove"

urlpatterns = [
    path("", selfreferral.start, name="start"),
    path("send/", selfreferral.send, name="send"),
    path("status/", selfreferral.status, name="status"),
]
