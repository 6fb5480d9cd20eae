from django.db import migrations

from powerexpress.billing.shipped import SCHEDULES, load_shipped


def load(apps, schema_editor):
    load_shipped(apps.get_model("billing", "TariffSchedule"))


def unload(apps, schema_editor):
    TariffSchedule = apps.get_model("billing", "TariffSchedule")
    TariffSchedule.objects.filter(code__in=[s["code"] for s in SCHEDULES], version=1, bills__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
