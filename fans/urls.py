from django.urls import path

from fans import email_views, studio_views, views

urlpatterns = [
    path("following/", views.following, name="following"),
    path("account/", views.account, name="account"),
    path("account/export/", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("account/emails/", email_views.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("resume/<str:token>/", email_views.resume_digests, name="resume_digests"),
    path("studio/digest/", studio_views.next_digest, name="studio_digest"),
    path("artists/<slug:slug>/follow/", views.follow, name="follow"),
    path("artists/<slug:slug>/unfollow/", views.unfollow, name="unfollow"),
]
