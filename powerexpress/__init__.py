"""Power Express: the service platform for rural power supply bureaus."""

from powerexpress.celery_app import app as celery_app

__all__ = ["celery_app"]
