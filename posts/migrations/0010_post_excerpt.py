from django.db import migrations, models


def fill_excerpts(apps, schema_editor):
    """Existing posts get the excerpt a save now keeps (posts.models.excerpt_of)."""
    from posts.models import excerpt_of

    Post = apps.get_model("posts", "Post")
    posts = list(Post.objects.only("pk", "body_html"))
    for post in posts:
        post.excerpt = excerpt_of(post.body_html)
    Post.objects.bulk_update(posts, ["excerpt"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0009_mix_feedback"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="excerpt",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop),
    ]
