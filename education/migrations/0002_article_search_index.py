"""A GIN index over the weighted search vector, on PostgreSQL only.

It is not in Article.Meta.indexes on purpose: SQLite cannot build it, and SQLite rebuilds a table
(with every index the model declares) on many schema changes, which would then fail. The index is
built from education.models.search_vector() itself, so it matches the search query exactly.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX_NAME = "article_search_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from education.models import search_vector

    article = apps.get_model("education", "Article")
    schema_editor.execute(GinIndex(search_vector(), name=INDEX_NAME).create_sql(article, schema_editor))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("education", "0001_articles_topics_contributors")]

    operations = [migrations.RunPython(create_index, drop_index)]
