from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "haven.chats"
    label = "chats"
    verbose_name = "Chats"
