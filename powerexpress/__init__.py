"""Power Express: the service platform for rural power supply bureaus.

The package itself imports nothing, so that the pure ``powerexpress.analytics`` core can be used
without Django or Celery installed. The Celery application is loaded when Django starts
(``core.apps.CoreConfig.ready``) and by the worker (``celery -A powerexpress.celery_app``).
"""
