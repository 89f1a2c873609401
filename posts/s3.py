"""Mix audio in a private S3 bucket or prefix (STORAGES["audio"] when
AWS_STORAGE_BUCKET_NAME is set). A module of its own so boto3 is only loaded
where object storage is configured."""

from storages.backends.s3 import S3Storage


class PrivateAudioS3Storage(S3Storage):
    """Each object's Content-Type is the format we recognised (the stored name's
    extension), never what the uploader's browser claimed."""

    def get_object_parameters(self, name: str) -> dict:
        from posts.models import Mix

        parameters = super().get_object_parameters(name)
        extension = name.rsplit(".", 1)[-1]
        if extension in Mix.MIME_TYPES:
            parameters["ContentType"] = Mix.MIME_TYPES[extension]
        return parameters
