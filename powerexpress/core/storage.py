"""Static files: hashed names and gzip + Brotli copies after ``collectstatic`` (WhiteNoise serves
the compressed copy the browser accepts, with far-future caching). Before ``collectstatic`` has
run (tests, ``runserver`` in development) there is no manifest, so names stay plain and WhiteNoise
serves the files from the apps' folders."""

from django.core.exceptions import SuspiciousFileOperation
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        try:
            return super().stored_name(name)
        except (ValueError, SuspiciousFileOperation):
            return name
