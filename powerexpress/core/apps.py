from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender, using="default", **kwargs) -> None:
    """`migrate` also creates the database cache's table (rate limits, lockout) when it is used."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "powerexpress.core"
    verbose_name = _("Core")
    nav_items = ((_("Audit log"), "core:audit_log", "core.view_auditentry"),)

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)

        # Importing the Celery app makes it the current one in every Django process, so that
        # ``shared_task`` sends through its broker settings.
        from powerexpress.celery_app import app
        from powerexpress.core.jobs import _register_core_kinds

        _register_core_kinds()
        app.conf.beat_schedule["core-jobs-reap"] = {
            "task": "powerexpress.core.tasks.jobs_reap_task",
            "schedule": 60.0,
        }
        app.conf.beat_schedule["core-job-files-expire"] = {
            "task": "powerexpress.core.tasks.job_files_expire_task",
            "schedule": 3600.0,
        }
