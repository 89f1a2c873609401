from django import forms
from django.conf import settings
from django.utils import timezone

from posts.media import ProcessedImage, process_image, replace_file
from posts.models import Artist, Comment, Post


class ImageUploadField(forms.FileField):
    """A file field that accepts only images that pass `process_image`.

    Its cleaned value is a ProcessedImage, ready to store, or None.
    """

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return process_image(upload) if upload else None


class PostForm(forms.ModelForm):
    """The studio's write form. The button pressed decides what happens:
    preview, save as draft, publish now, or schedule."""

    ACTIONS = ("preview", "draft", "publish", "schedule")
    field_order = [
        "artist",
        "title",
        "kind",
        "body",
        "cover",
        "cover_alt",
        "remove_cover",
        "visibility",
        "comments_open",
        "published_at",
    ]

    cover = ImageUploadField(
        required=False,
        help_text="JPEG, PNG, WebP or GIF. Location data is removed before it is saved.",
    )
    remove_cover = forms.BooleanField(required=False, label="Remove the cover image")
    published_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        help_text="Only for scheduling: the post appears by itself at this time "
        f"({settings.TIME_ZONE}).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Post
        # `cover` is handled in save(): the stored file is the processed copy.
        fields = [
            "artist",
            "title",
            "kind",
            "body",
            "cover_alt",
            "visibility",
            "comments_open",
            "published_at",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, user, action: str = "draft", **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.action = action if action in self.ACTIONS else "draft"
        artists = Artist.objects.for_member(user)
        self.fields["artist"].queryset = artists
        self.fields["artist"].empty_label = None
        if self.instance.pk:
            # A post stays with its artist; moving it would change its address.
            del self.fields["artist"]
        elif len(artists) == 1:
            self.fields["artist"].initial = artists[0]
            self.fields["artist"].widget = forms.HiddenInput()
        if not self.instance.cover:
            del self.fields["remove_cover"]
        body = self.fields["body"]
        body.help_text = "Markdown: **bold**, *italic*, [links](https://…), lists, > quotes."

    def clean_published_at(self):
        when = self.cleaned_data["published_at"]
        if self.action == "schedule":
            if when is None:
                raise forms.ValidationError("Choose the date and time the post should appear.")
            if when <= timezone.now():
                raise forms.ValidationError(
                    "That time has already passed. Choose a future time, or publish now."
                )
        return when

    def save(self, commit: bool = True) -> Post:
        post = super().save(commit=False)
        if self.action == "publish":
            if not post.is_live:
                post.published_at = timezone.now()
            post.status = Post.Status.PUBLISHED
        elif self.action == "schedule":
            post.status = Post.Status.SCHEDULED
        elif self.action == "draft":
            post.status = Post.Status.DRAFT
        image: ProcessedImage | None = self.cleaned_data.get("cover")
        if image or self.cleaned_data.get("remove_cover"):
            replace_file(post.cover, image and image.full)
            replace_file(post.cover_thumb, image and image.thumb)
        if commit:
            post.save()
        return post


class CommentForm(forms.ModelForm):
    # Bots fill every field; people never see this one (hidden by CSS, skipped by
    # keyboard and screen readers).
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Comment
        fields = ["body", "parent"]
        labels = {"body": "Your comment"}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4, "maxlength": Comment.MAX_LENGTH}),
            "parent": forms.HiddenInput(),
        }

    def __init__(self, *args, post: Post, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.post = post
        # Replies go under approved comments only: a hidden thread takes no replies.
        self.fields["parent"].queryset = post.comments.filter(
            status=Comment.Status.APPROVED, is_removed=False
        )
        self.fields["parent"].required = False
        self.fields["body"].error_messages["required"] = "Write something first."
        self.fields["body"].help_text = (
            "Plain text with a little Markdown: *emphasis*, **bold**, [links](https://…), "
            "`code`, > quotes, lists."
        )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        return body

    def clean_parent(self) -> Comment | None:
        parent = self.cleaned_data.get("parent")
        # One level of replies: answering a reply joins its thread.
        if parent and parent.parent_id:
            parent = parent.parent
            if parent.status != Comment.Status.APPROVED:
                raise forms.ValidationError("This conversation is closed.")
        return parent


class CommentEditForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "maxlength": Comment.MAX_LENGTH})}
