from django.apps import AppConfig
from django.db.models.signals import post_delete


class PostsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "posts"

    def ready(self):
        from posts import pagecache
        from posts.media import delete_files_with_their_row

        pagecache.connect_signals()

        post_delete.connect(delete_files_with_their_row, dispatch_uid="delete_files")
