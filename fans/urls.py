from django.urls import path

from fans import views

urlpatterns = [
    path("following/", views.following, name="following"),
    path("account/", views.account, name="account"),
    path("account/export/", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("artists/<slug:slug>/follow/", views.follow, name="follow"),
    path("artists/<slug:slug>/unfollow/", views.unfollow, name="unfollow"),
]
