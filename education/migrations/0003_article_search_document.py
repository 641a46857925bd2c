"""Store each article's weighted search vector, and index the stored column (PostgreSQL only).

Searching the expression index of 0002 still made PostgreSQL parse every article's text on each
search wherever it chose a sequential scan (always, on a small table): about 200 ms for 60
articles. The stored vector is written on save (Article.save), backfilled here, and GIN-indexed.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

OLD_INDEX = "article_search_idx"
NEW_INDEX = "article_search_document_idx"


def store_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from education.models import search_vector

    article = apps.get_model("education", "Article")
    article.objects.update(search_document=search_vector())
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute(GinIndex(fields=["search_document"], name=NEW_INDEX).create_sql(article, schema_editor))


def drop_stored_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from education.models import search_vector

    article = apps.get_model("education", "Article")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")
    schema_editor.execute(GinIndex(search_vector(), name=OLD_INDEX).create_sql(article, schema_editor))


class Migration(migrations.Migration):
    dependencies = [("education", "0002_article_search_index")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(store_vectors, drop_stored_index),
    ]
