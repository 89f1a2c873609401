"""The site's URLs plus a bare "hello" view that goes through the same middleware:
the floor every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from fanhub.urls import urlpatterns as site_urls


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("hello/", hello), *site_urls]
