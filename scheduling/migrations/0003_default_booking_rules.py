from django.db import migrations


def create_rules(apps, schema_editor):
    apps.get_model("scheduling", "BookingRules").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_appointment_no_overlap")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
