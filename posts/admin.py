from django import forms
from django.contrib import admin
from django.db.models import Count

from posts.forms import ImageUploadField
from posts.media import replace_file
from posts.models import Artist, Post


class ArtistAdminForm(forms.ModelForm):
    avatar_upload = ImageUploadField(
        required=False, label="New avatar", help_text="Replaces the current avatar."
    )

    class Meta:
        model = Artist
        fields = ["name", "slug", "bio", "members"]

    def save(self, commit: bool = True) -> Artist:
        artist = super().save(commit=False)
        image = self.cleaned_data.get("avatar_upload")
        if image:
            replace_file(artist.avatar, image.full)
        if commit:
            artist.save()
            self.save_m2m()
        return artist


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    form = ArtistAdminForm
    list_display = ["name", "slug", "post_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_post_count=Count("posts"))

    @admin.display(description="posts", ordering="_post_count")
    def post_count(self, artist: Artist) -> int:
        return artist._post_count


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "artist",
        "kind",
        "status",
        "visibility",
        "published_at",
        "comments_open",
    ]
    list_filter = ["status", "kind", "visibility", "comments_open", "artist"]
    list_select_related = ["artist"]
    search_fields = ["title", "body", "artist__name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = ["cover", "created_at", "updated_at"]
    fields = [
        "artist",
        "title",
        "slug",
        "kind",
        "status",
        "published_at",
        "visibility",
        "comments_open",
        "body",
        "cover",
        "cover_alt",
        "created_at",
        "updated_at",
    ]
