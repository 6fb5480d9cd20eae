"""Static files that ship inside installed Python packages, served like the apps' own: plotly's
bundle becomes ``vendor/plotly/plotly.min.js``, so ``collectstatic`` gives it a hashed name and
Brotli/gzip copies and WhiteNoise sends it compressed with far-future caching (no CDN, no view
reading 4.8 MB per request)."""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# {static prefix: (importable package, folder inside it, files served)}
PACKAGE_FILES = {
    # The pip package ships only the full bundle (no basic/cartesian partial bundle).
    "vendor/plotly": ("plotly", "package_data", ("plotly.min.js",)),
}


def _storage(prefix: str, package: str, folder: str) -> FileSystemStorage:
    module = __import__(package)
    storage = FileSystemStorage(location=Path(module.__file__).parent / folder)
    storage.prefix = prefix
    return storage


class PackageFilesFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        found = []
        for prefix, (package, folder, names) in PACKAGE_FILES.items():
            name = path.removeprefix(f"{prefix}/")
            if name != path and name in names:
                full = str(_storage(prefix, package, folder).path(name))
                if not find_all:
                    return full
                found.append(full)
        return found

    def list(self, ignore_patterns):
        for prefix, (package, folder, names) in PACKAGE_FILES.items():
            storage = _storage(prefix, package, folder)
            for name in names:
                yield name, storage
