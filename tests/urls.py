"""The real URLs, plus uploaded media for the browser tests' live server (nginx's job in
production)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from fanhub.urls import urlpatterns as site_urls

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *site_urls,
]
