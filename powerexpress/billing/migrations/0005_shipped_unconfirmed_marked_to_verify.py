from django.db import migrations

from powerexpress.billing.shipped import unverified_codes


def mark(apps, schema_editor):
    """Version 1 of every shipped schedule whose figures are not confirmed carries the mark (the
    Guangdong prices are illustrative but were shipped unmarked)."""
    TariffSchedule = apps.get_model("billing", "TariffSchedule")
    TariffSchedule.objects.filter(code__in=unverified_codes(), version=1).update(to_verify=True)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_credits_meter_changes_run_gaps")]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
