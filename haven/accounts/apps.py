from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from haven.accounts import signals  # noqa: F401  (connects the login/logout audit receivers)
        from haven.accounts.actions import clear_expired_sessions
        from haven.core.chores import register_chore

        register_chore("clear_expired_sessions", 3600, clear_expired_sessions)
