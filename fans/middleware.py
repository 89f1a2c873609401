from django.utils import timezone

from fans.models import User


class LastSeenMiddleware:
    """Remember, to the day, when a signed-in fan last visited: digests stop for
    fans who have been away for months. At most one write a day per fan."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            today = timezone.now()
            if user.last_seen_at is None or user.last_seen_at.date() < today.date():
                User.objects.filter(pk=user.pk).update(last_seen_at=today)
                user.last_seen_at = today
        return self.get_response(request)
