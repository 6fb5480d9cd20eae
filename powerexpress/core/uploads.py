"""Size and type limits for every uploaded file, checked by content, not by the name alone.

A file's extension says what it claims to be; its first bytes must agree: images must open in
Pillow, ``.xlsx`` must be a zip holding a workbook, ``.parquet`` must carry the Parquet magic,
``.csv``/``.txt`` must be text without NUL bytes. Anything else is refused. Photos may be at most
``MAX_PHOTO_UPLOAD_BYTES``, data files ``MAX_DATA_UPLOAD_BYTES``.
"""

import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "bmp"}
TEXT_EXTENSIONS = {"csv", "txt"}
DATA_EXTENSIONS = TEXT_EXTENSIONS | {"xlsx", "parquet"}
_SNIFF_BYTES = 8192


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def upload_error(upload) -> str | None:
    """Why ``upload`` (a Django ``UploadedFile``) is refused, or None when it is accepted."""
    extension = _extension(upload.name or "")
    if extension in IMAGE_EXTENSIONS:
        limit = settings.MAX_PHOTO_UPLOAD_BYTES
    elif extension in DATA_EXTENSIONS:
        limit = settings.MAX_DATA_UPLOAD_BYTES
    else:
        return _(
            "This file type is not accepted. Upload a photo (JPEG, PNG) or a .csv, .xlsx, .txt or .parquet file."
        )
    if upload.size > limit:
        return _("The file is too large: at most %(mb)s MB.") % {"mb": _megabytes(limit)}
    if not _content_matches(upload, extension):
        return _("The file's content does not match its type (.%(extension)s).") % {"extension": extension}
    return None


def _content_matches(upload, extension: str) -> bool:
    try:
        if extension in IMAGE_EXTENSIONS:
            return _is_image(upload)
        if extension == "xlsx":
            return _is_workbook(upload)
        head = _head(upload)
        if extension == "parquet":
            return head[:4] == b"PAR1"
        return b"\x00" not in head and _is_text(head)
    finally:
        upload.seek(0)


def _head(upload) -> bytes:
    upload.seek(0)
    return upload.read(_SNIFF_BYTES)


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sniffed bytes
                return True
    return False


def _is_image(upload) -> bool:
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except Exception:  # Pillow raises many types for a file that is not an image
        return False
    return True


def _is_workbook(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
