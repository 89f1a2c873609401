from django.urls import path

from posts import comment_views, embed, feedback_views, feeds, identity_views, studio, views
from posts.pagecache import cacheable_page

urlpatterns = [
    path("", cacheable_page(views.HomeView.as_view()), name="home"),
    path("feed/rss/", cacheable_page(feeds.SitePostsFeed()), name="feed_rss"),
    path("feed/atom/", cacheable_page(feeds.SitePostsAtomFeed()), name="feed_atom"),
    path("studio/", studio.dashboard, name="studio_dashboard"),
    path("studio/artists/<slug:slug>/time-zone/", studio.time_zone, name="studio_time_zone"),
    path("studio/posts/new/", studio.post_create, name="studio_post_create"),
    path("studio/posts/<int:pk>/edit/", studio.post_edit, name="studio_post_edit"),
    path("studio/posts/<int:pk>/delete/", studio.post_delete, name="studio_post_delete"),
    path("studio/posts/<int:pk>/versions/new/", studio.mix_create, name="studio_mix_create"),
    path("studio/versions/<int:pk>/edit/", studio.mix_edit, name="studio_mix_edit"),
    path("studio/versions/<int:pk>/move/", studio.mix_move, name="studio_mix_move"),
    path("studio/versions/<int:pk>/delete/", studio.mix_delete, name="studio_mix_delete"),
    path(
        "studio/posts/<int:pk>/feedback/",
        feedback_views.studio_feedback,
        name="studio_feedback",
    ),
    path(
        "studio/posts/<int:pk>/downloads/",
        feedback_views.studio_post_downloads,
        name="studio_post_downloads",
    ),
    path(
        "studio/posts/<int:pk>/preview-links/",
        feedback_views.studio_preview_create,
        name="studio_preview_create",
    ),
    path(
        "studio/preview-links/<int:pk>/revoke/",
        feedback_views.studio_preview_revoke,
        name="studio_preview_revoke",
    ),
    path("listening/", feedback_views.listening_report, name="listening_report"),
    path("listen/<str:token>/", feedback_views.preview_page, name="preview_page"),
    path(
        "listen/<str:token>/audio/<int:pk>.<slug:ext>",
        feedback_views.preview_audio,
        name="preview_audio",
    ),
    path("listen/<str:token>/notes/", feedback_views.preview_comment, name="preview_comment"),
    path("studio/artists/<slug:slug>/look/", studio.look, name="studio_look"),
    path("artists/<slug:slug>/", cacheable_page(views.ArtistView.as_view()), name="artist_detail"),
    path("artists/<slug:slug>/theme.css", identity_views.theme_css, name="artist_theme"),
    path("artists/<slug:slug>/icon-<int:size>.png", identity_views.icon, name="artist_icon"),
    path(
        "artists/<slug:slug>/manifest.webmanifest",
        identity_views.manifest,
        name="artist_manifest",
    ),
    path(
        "artists/<slug:slug>/feed/rss/",
        cacheable_page(feeds.ArtistPostsFeed()),
        name="artist_feed_rss",
    ),
    path(
        "artists/<slug:slug>/feed/atom/",
        cacheable_page(feeds.ArtistPostsAtomFeed()),
        name="artist_feed_atom",
    ),
    path(
        "artists/<slug:slug>/feed/podcast/",
        cacheable_page(feeds.ArtistPodcastFeed()),
        name="artist_feed_podcast",
    ),
    path(
        "artists/<slug:artist_slug>/<slug:slug>/",
        cacheable_page(views.post_detail),
        name="post_detail",
    ),
    path(
        "artists/<slug:artist_slug>/<slug:slug>/comments/",
        comment_views.comment_create,
        name="comment_create",
    ),
    path(
        "artists/<slug:artist_slug>/<slug:slug>/prefer/",
        feedback_views.version_preference,
        name="version_preference",
    ),
    path("oembed", embed.oembed, name="oembed"),
    path("embed/<slug:artist_slug>/<slug:slug>/", embed.post_embed, name="post_embed"),
    path("mixes/<int:pk>.<slug:ext>", views.mix_audio, name="mix_audio"),
    path("mixes/<int:pk>/peaks/", cacheable_page(views.mix_peaks), name="mix_peaks"),
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", comment_views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/flag/", comment_views.comment_flag, name="comment_flag"),
    path("comments/<int:pk>/moderate/", comment_views.comment_moderate, name="comment_moderate"),
]
