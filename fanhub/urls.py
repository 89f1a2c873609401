from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path

from fanhub import dev_mail, health
from fanhub.admin_login import admin_login

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"

urlpatterns = [
    # Browsers still ask for /favicon.ico now and then, whatever the page links.
    path("favicon.ico", lambda request: redirect(static_url("img/favicon.svg"), permanent=True)),
    path("healthz", health.healthz, name="healthz"),  # for load balancers; see README
    # Before admin.site.urls, so it takes the admin's own login's place.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Development only: the views answer 404 unless DEBUG is on, and only staff get in.
    path("dev/mail/", dev_mail.inbox, name="dev_mail"),
    path("dev/mail/<int:index>/", dev_mail.message_detail, name="dev_mail_detail"),
    path("dev/mail/<int:index>/html/", dev_mail.message_html, name="dev_mail_html"),
    path("", include("fans.urls")),
    path("", include("posts.urls")),
]

if settings.DEBUG:
    # In production nginx serves uploads; see README.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
