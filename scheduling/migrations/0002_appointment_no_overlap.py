"""No two confirmed appointments may overlap in time: enforced by PostgreSQL itself.

An exclusion constraint on the half-open range [start, end) of confirmed appointments. It is
PostgreSQL-only, so it is added with SQL on PostgreSQL and skipped elsewhere (SQLite keeps the
portable unique-start constraint from 0001). A plain GiST index over a tstzrange needs no
btree_gist extension, as the constraint compares no scalar columns with `=`.
"""

from django.db import migrations

ADD = """
ALTER TABLE scheduling_appointment
ADD CONSTRAINT appointment_no_overlap
EXCLUDE USING gist (tstzrange("start", "end", '[)') WITH &&)
WHERE (status = 'confirmed')
"""
DROP = "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_availability_and_appointments")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
