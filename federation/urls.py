from django.urls import path

from federation import views

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("federation/inbox", views.inbox_view, name="federation_shared_inbox"),
    path("federation/actor", views.instance_actor, name="federation_instance_actor"),
    path("federation/actor/outbox", views.instance_outbox, name="federation_instance_outbox"),
    path("federation/artists/<slug:slug>/inbox", views.inbox_view, name="federation_inbox"),
    path("federation/artists/<slug:slug>/outbox", views.outbox, name="federation_outbox"),
    path("federation/artists/<slug:slug>/followers", views.followers, name="federation_followers"),
    path("federation/activities/<str:key>", views.activity, name="federation_activity"),
    path("federation/comments/<int:pk>", views.comment, name="federation_comment"),
]
