from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("fans.urls")),
    path("", include("posts.urls")),
]

if settings.DEBUG:
    # In production nginx serves uploads; see README.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
