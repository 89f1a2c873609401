from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PostsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "posts"

    def ready(self):
        from posts import pagecache
        from posts.media import delete_files_with_their_row
        from posts.share import share_card_changed

        pagecache.connect_signals()

        post_delete.connect(delete_files_with_their_row, dispatch_uid="delete_files")
        for model in ("Post", "Artist"):
            post_save.connect(
                share_card_changed, sender=f"posts.{model}", dispatch_uid=f"share_card_{model}"
            )
