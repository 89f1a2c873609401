"""The site as `make lighthouse` serves it: fanhub.wsgi plus MEDIA_ROOT at /media/,
which nginx serves in production (deploy/nginx.conf). Mix audio lives outside
MEDIA_ROOT and still goes through the app's permission view."""

from django.conf import settings
from whitenoise import WhiteNoise

from fanhub.wsgi import application as site

application = WhiteNoise(site, root=settings.MEDIA_ROOT, prefix="media/", autorefresh=True)
