import zoneinfo

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat, pluralize
from django.utils import timezone
from django.utils.functional import lazy

from posts import audio, identity
from posts.media import ProcessedImage, process_image, replace_file
from posts.models import Artist, Comment, Mix, Post


class ImageUploadField(forms.FileField):
    """A file field that accepts only images that pass `process_image`.

    Its cleaned value is a ProcessedImage, ready to store, or None.
    """

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return self.process(upload) if upload else None

    def process(self, upload) -> ProcessedImage:
        return process_image(upload)


class AvatarUploadField(ImageUploadField):
    """An avatar, which any account may send: a lower pixel cap than covers
    (FANHUB_MAX_AVATAR_PIXELS), refused from the header before anything is decoded."""

    def process(self, upload) -> ProcessedImage:
        return process_image(upload, max_pixels=settings.FANHUB_MAX_AVATAR_PIXELS)


class AudioInput(forms.FileInput):
    """Hints for the browser and static/js/upload.js (which refuses a file over the
    limit before sending it); the server still decides, by content."""

    def __init__(self, attrs=None):
        super().__init__({"accept": "audio/*,.mp3,.m4a,.ogg,.opus,.flac,.wav", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-max-bytes"] = settings.FANHUB_MAX_AUDIO_BYTES
        return context


def _audio_help() -> str:
    return f"{audio.ACCEPTED}, up to {filesizeformat(settings.FANHUB_MAX_AUDIO_BYTES)}."


class AudioUploadField(forms.FileField):
    """A file field that accepts only audio that passes `check_audio`.

    Its cleaned value is a CheckedAudio, ready to store, or None.
    """

    widget = AudioInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Audio file")
        kwargs.setdefault("help_text", lazy(_audio_help, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return audio.check_audio(upload) if upload else None


class PostForm(forms.ModelForm):
    """The studio's write form. The button pressed decides what happens:
    preview, save as draft, publish now, or schedule."""

    ACTIONS = ("preview", "draft", "publish", "schedule")
    AUDIO_FIELDS = ("audio", "version", "version_notes")
    field_order = [
        "artist",
        "title",
        "kind",
        "body",
        "audio",
        "version",
        "version_notes",
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
    audio = AudioUploadField(required=False)
    version = forms.CharField(
        required=False,
        max_length=80,
        initial="v1",
        label="Version name",
        help_text="Fans see it in the player: “v1”, “first take”.",
    )
    version_notes = forms.CharField(
        required=False,
        max_length=2000,
        label="Notes on this version",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what to listen for.",
    )
    # Read and shown in the artist's time zone: the view activates it (studio._edit).
    published_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        help_text="Only for scheduling: the post appears by itself at this time.",
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
        self.has_versions = bool(self.instance.pk) and self.instance.mixes.exists()
        if self.has_versions:
            # More versions are added on their own page, with the post's list of versions.
            for name in self.AUDIO_FIELDS:
                del self.fields[name]
        zone = timezone.get_current_timezone_name()
        self.fields["published_at"].label = f"Publish at ({zone} time)"
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

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if self.has_versions and kind == Post.Kind.NOTE:
            self.add_error("kind", "This post has audio versions, so it stays a mix.")
        if "audio" not in self.fields or self.has_error("audio"):
            return cleaned
        checked = cleaned.get("audio")
        if checked and kind != Post.Kind.MIX:
            self.add_error(
                "audio", "Only mixes carry audio. Choose “Mix” as the kind, or leave the file out."
            )
        elif not checked and kind == Post.Kind.MIX and self.action in ("publish", "schedule"):
            self.add_error(
                "audio",
                "A mix needs its audio before it goes out: choose the file of the first "
                "version, or save a draft and add it later.",
            )
        return cleaned

    def save(self, commit: bool = True) -> Post:
        """Saves the post and, when a file came with it, its first version. The view
        wraps this in a transaction, so a failure leaves neither behind."""
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
            checked = self.cleaned_data.get("audio")
            if checked:
                audio.add_version(
                    post,
                    checked,
                    version=self.cleaned_data.get("version") or "v1",
                    notes=self.cleaned_data.get("version_notes", ""),
                )
        return post


def time_zone_field() -> forms.ChoiceField:
    """A list of every time zone the server knows, for an artist's `time_zone`."""
    return forms.ChoiceField(
        label="Time zone",
        choices=lambda: [
            (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
        ],
        help_text="Schedule times in the studio are entered and shown in this zone.",
    )


class TimeZoneForm(forms.ModelForm):
    """An artist's time zone, for the studio's schedule times."""

    time_zone = time_zone_field()

    class Meta:
        model = Artist
        fields = ["time_zone"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MixForm(forms.ModelForm):
    """A version's name and notes; with `audio` when the version is new."""

    audio = AudioUploadField()

    class Meta:
        model = Mix
        fields = ["version", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["audio"]  # a version's audio never changes: add a new one

    def save_new(self, post: Post) -> Mix:
        return audio.add_version(
            post,
            self.cleaned_data["audio"],
            version=self.cleaned_data["version"],
            notes=self.cleaned_data["notes"],
        )


class CommentBodyForm(forms.ModelForm):
    """What writing and editing a comment share: the text box and its limit.

    The box has no `maxlength`: a browser would cut a long paste without a word.
    static/js/comments.js counts as the fan types; here the limit is checked with a
    message that says by how much. A rejected form opens with the cursor in its
    first wrong field (`autofocus` works without JavaScript)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.max_length = None
        body.validators = [v for v in body.validators if not isinstance(v, MaxLengthValidator)]
        body.widget.attrs.pop("maxlength", None)
        body.widget.attrs["data-maxlength"] = Comment.MAX_LENGTH
        body.error_messages["required"] = "Write something first."

    def clean_body(self) -> str:
        # Browsers send line breaks as CRLF; count them as the fan sees them.
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        if len(body) > Comment.MAX_LENGTH:
            over = len(body) - Comment.MAX_LENGTH
            raise forms.ValidationError(
                f"Your comment is {len(body):,} characters long; the limit is "
                f"{Comment.MAX_LENGTH:,}. Please shorten it by {over:,} "
                f"character{pluralize(over)} and post again: your text is still here."
            )
        return body

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and not field.widget.is_hidden:
                field.widget.attrs["autofocus"] = True
                break


class CommentForm(CommentBodyForm):
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
            "body": forms.Textarea(attrs={"rows": 4}),
            "parent": forms.HiddenInput(),
        }

    at = forms.CharField(
        required=False,
        max_length=10,
        label="At a moment (optional)",
        help_text="Like 1:23.",
        widget=forms.TextInput(attrs={"placeholder": "1:23", "autocomplete": "off"}),
    )
    mix = forms.TypedChoiceField(required=False, coerce=int, label="Version", empty_value=None)

    def __init__(self, *args, post: Post, mixes: list[Mix] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        if mixes is None:
            mixes = list(post.mixes.all()) if post.kind == Post.Kind.MIX else []
        self.mixes = {mix.pk: mix for mix in mixes}
        if not mixes:
            del self.fields["at"], self.fields["mix"]
        else:
            # The player opens with the last version, so that is the one a moment means
            # unless the fan picks another.
            self.fields["mix"].choices = [(mix.pk, mix.version) for mix in mixes]
            self.fields["mix"].initial = mixes[-1].pk
            if len(mixes) == 1:
                self.fields["mix"].widget = forms.HiddenInput()
        # Replies go under approved comments only: a hidden thread takes no replies.
        self.fields["parent"].queryset = post.comments.filter(
            status=Comment.Status.APPROVED, is_removed=False
        )
        self.fields["parent"].required = False
        self.fields["body"].help_text = (
            "Plain text with a little Markdown: *emphasis*, **bold**, [links](https://…), "
            "`code`, > quotes, lists."
        )

    def clean_parent(self) -> Comment | None:
        parent = self.cleaned_data.get("parent")
        # One level of replies: answering a reply joins its thread.
        if parent and parent.parent_id:
            parent = parent.parent
            if parent.status != Comment.Status.APPROVED:
                raise forms.ValidationError("This conversation is closed.")
        return parent

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("at")
        cleaned["at_seconds"] = cleaned["on_mix"] = None
        if not text:
            return cleaned
        mix = self.mixes.get(cleaned.get("mix")) or list(self.mixes.values())[-1]
        try:
            seconds = audio.parse_moment(text)
        except ValueError:
            self.add_error("at", "Write the moment as minutes and seconds, like 1:23.")
            return cleaned
        if seconds > mix.duration:
            self.add_error(
                "at",
                f"“{mix.version}” is {audio.clock(mix.duration)} long: choose a moment "
                f"between 0:00 and {audio.clock(mix.duration)}.",
            )
            return cleaned
        cleaned["at_seconds"], cleaned["on_mix"] = seconds, mix
        return cleaned

    def save(self, commit: bool = True) -> Comment:
        comment = super().save(commit=False)
        comment.at_seconds = self.cleaned_data.get("at_seconds")
        comment.mix = self.cleaned_data.get("on_mix")
        if commit:
            comment.save()
        return comment


class CommentEditForm(CommentBodyForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class LookForm(forms.ModelForm):
    """The studio's "Look and feel": accent, base, and the pictures that say whose
    site it is. The accent's contrast rule lives on `Artist.clean`."""

    avatar_upload = AvatarUploadField(
        required=False, label="Avatar", help_text="A square photo works best: it becomes the icon."
    )
    logo_upload = ImageUploadField(
        required=False, label="Logo", help_text="Shown in the header instead of your name."
    )
    banner_upload = ImageUploadField(
        required=False, label="Banner", help_text="A wide picture across your page."
    )

    class Meta:
        model = Artist
        fields = ["accent", "base"]
        widgets = {
            "accent": forms.TextInput(attrs={"type": "color", "data-look-accent": ""}),
            "base": forms.RadioSelect(attrs={"data-look-base": ""}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A colour input always holds a colour; without a choice it shows the site's.
        self.fields["accent"].initial = self.instance.accent or identity.DEFAULT_ACCENT["light"]
        self.fields["accent"].required = False

    def clean_accent(self) -> str:
        return self.cleaned_data["accent"].lower()

    def save(self, commit: bool = True) -> Artist:
        artist = super().save(commit=False)
        for name in ("avatar", "logo", "banner"):
            image = self.cleaned_data.get(f"{name}_upload")
            if image:
                replace_file(getattr(artist, name), image.full)
        if commit:
            artist.save()
        return artist
