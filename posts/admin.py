from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect

from posts.forms import AvatarUploadField, time_zone_field
from posts.media import replace_file
from posts.models import Artist, Comment, HubSettings, Mix, Post


class ArtistAdminForm(forms.ModelForm):
    avatar_upload = AvatarUploadField(
        required=False, label="New avatar", help_text="Replaces the current avatar."
    )
    time_zone = time_zone_field()

    class Meta:
        model = Artist
        fields = ["name", "slug", "bio", "time_zone", "members"]

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


class MixFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = sum(
            1 for form in self.forms if form.instance.pk and not self._should_delete_form(form)
        )
        if self.instance.lacks_audio(versions=kept):
            raise forms.ValidationError(
                "A published or scheduled mix keeps at least one version. Make it a draft "
                "first, or keep a version."
            )


class MixInline(admin.TabularInline):
    """A mix's versions; their audio is uploaded in the studio, where it is checked."""

    model = Mix
    formset = MixFormSet
    extra = 0
    fields = ["version", "notes", "order", "format", "duration", "size", "created_at"]
    readonly_fields = ["format", "duration", "size", "created_at"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    inlines = [MixInline]
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


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged"), ("no", "Not flagged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "post", "author", "status", "flag_count", "by_artist", "created_at"]
    list_filter = ["status", FlaggedFilter, "by_artist", "created_at"]
    list_select_related = ["post", "author"]
    search_fields = ["body", "author__email", "author__display_name", "post__title"]
    readonly_fields = [
        "post",
        "author",
        "parent",
        "body_html",
        "by_artist",
        "flag_count",
        "created_at",
        "edited_at",
    ]
    fields = [
        "post",
        "author",
        "parent",
        "status",
        "body",
        "body_html",
        "by_artist",
        "is_removed",
        "flag_count",
        "created_at",
        "edited_at",
    ]
    actions = ["approve", "hide", "mark_spam", "ban_author"]
    date_hierarchy = "created_at"

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return str(comment)

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        count = queryset.update(status=status)
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {verb}.")

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Hide selected comments")
    def hide(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.HIDDEN, "hidden")

    @admin.action(description="Mark selected comments as spam")
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Ban their authors and hide all their comments")
    def ban_author(self, request, queryset):
        authors = {c.author for c in queryset.select_related("author") if c.author}
        authors = [a for a in authors if not a.is_staff]
        for author in authors:
            author.is_banned = True
            author.save(update_fields=["is_banned"])
        hidden = (
            Comment.objects.filter(author__in=authors)
            .exclude(status=Comment.Status.SPAM)
            .update(status=Comment.Status.HIDDEN)
        )
        self.message_user(
            request,
            f"Banned {len(authors)} account{'s' if len(authors) != 1 else ''} and hid "
            f"{hidden} comment{'s' if hidden != 1 else ''}.",
            messages.SUCCESS,
        )


@admin.register(HubSettings)
class HubSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it; it cannot be added twice or deleted."""

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:posts_hubsettings_change", HubSettings.load().pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
