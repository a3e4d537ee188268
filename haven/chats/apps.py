from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "haven.chats"
    label = "chats"
    verbose_name = "Chats"

    def ready(self) -> None:
        from haven.chats.pipeline import analyse_conversations
        from haven.intake.pipeline import register_step

        # Before intel's linking step (INSTALLED_APPS lists chats first), so that the identifiers a
        # groomer gives in a conversation are linked with the report's own.
        register_step("analyse_conversations", analyse_conversations)
