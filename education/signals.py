"""Any change to what an article page shows invalidates the cached article pages."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from education.cache import invalidate_pages
from education.models import Article, Contributor, Reference, Topic


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
@receiver(post_save, sender=Reference)
@receiver(post_delete, sender=Reference)
@receiver(post_save, sender=Contributor)
@receiver(post_delete, sender=Contributor)
@receiver(m2m_changed, sender=Article.topics.through)
@receiver(m2m_changed, sender=Article.related_articles.through)
def article_pages_changed(**kwargs):
    invalidate_pages()
