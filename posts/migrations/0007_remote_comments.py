from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_artist_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="remote_id",
            field=models.URLField(
                blank=True, editable=False, max_length=500, null=True, unique=True
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="remote_author_name",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="comment",
            name="remote_author_url",
            field=models.URLField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name="comment",
            name="remote_url",
            field=models.URLField(blank=True, editable=False, max_length=500),
        ),
    ]
