"""Forms for feedback on mixes: a fan's preferred version, the artist's download
setting and preview links, and a guest's comment through a preview link."""

from django import forms

from posts.feedback_models import PreviewLink
from posts.forms import CommentForm
from posts.models import Mix, Post


class PreferenceForm(forms.Form):
    mix = forms.ModelChoiceField(queryset=Mix.objects.none(), label="The version you prefer")

    def __init__(self, *args, post: Post, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mix"].queryset = post.mixes.all()


class DownloadsForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["downloadable"]
        widgets = {"downloadable": forms.RadioSelect}


class PreviewLinkForm(forms.ModelForm):
    days = forms.IntegerField(
        label="Works for (days)",
        min_value=PreviewLink.MIN_DAYS,
        max_value=PreviewLink.MAX_DAYS,
        initial=7,
        help_text=f"From {PreviewLink.MIN_DAYS} to {PreviewLink.MAX_DAYS} days.",
    )

    class Meta:
        model = PreviewLink
        fields = ["label", "days", "max_plays"]

    def save(self, commit: bool = True) -> PreviewLink:
        link = super().save(commit=False)
        link.expires_at = PreviewLink.expiry_for(self.cleaned_data["days"])
        if commit:
            link.save()
        return link


class GuestCommentForm(CommentForm):
    """A timed comment by a preview link's guest: no replies, always moderated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["parent"]
        self.fields["body"].label = "Your note to the artist"
