from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Fediverse"

    def ready(self) -> None:
        from federation import signals  # noqa: F401  (connects the post and comment hooks)
