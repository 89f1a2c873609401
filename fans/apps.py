from django.apps import AppConfig


class FansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fans"
