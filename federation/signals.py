"""Hooks on posts' models: posts never imports federation, so federation listens.
Everything is sent after the transaction commits, from what was committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from federation import publishing
from posts.models import Comment, Mix, Post


def _sync(post_id: int) -> None:
    post = Post.objects.select_related("artist").filter(pk=post_id).first()
    if post is not None:
        publishing.sync_post(post)


@receiver(post_save, sender=Post, dispatch_uid="federation_post_saved")
def _post_saved(sender, instance: Post, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(lambda: _sync(instance.pk))


# A version added, renamed or removed changes the post's attachments.
@receiver(post_save, sender=Mix, dispatch_uid="federation_mix_saved")
@receiver(post_delete, sender=Mix, dispatch_uid="federation_mix_deleted")
def _mix_changed(sender, instance: Mix, raw=False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(lambda: _sync(instance.post_id))


@receiver(pre_delete, sender=Post, dispatch_uid="federation_post_deleted")
def _post_deleted(sender, instance: Post, **kwargs) -> None:
    publishing.forget_post(instance)


@receiver(post_save, sender=Comment, dispatch_uid="federation_comment_saved")
def _comment_saved(sender, instance: Comment, created: bool, raw=False, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    body_changed = created or update_fields is None or "body" in update_fields
    if not raw and instance.by_artist and not instance.is_remote and body_changed:
        pk = instance.pk
        transaction.on_commit(lambda: publishing.sync_artist_reply(pk))


@receiver(pre_delete, sender=Comment, dispatch_uid="federation_comment_deleted")
def _comment_deleted(sender, instance: Comment, **kwargs) -> None:
    if instance.by_artist and not instance.is_remote:
        publishing.forget_artist_reply(instance)
