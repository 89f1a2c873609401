from django import template

from posts.models import Comment

register = template.Library()


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
