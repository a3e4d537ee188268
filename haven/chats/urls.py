from django.urls import path

from haven.chats import views

app_name = "chats"

urlpatterns = [
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/log/", views.conversation_log, name="log"),
]
