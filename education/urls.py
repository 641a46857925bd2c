from django.urls import path

from education import views
from education.feeds import LatestArticlesFeed

app_name = "education"

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("topic/<slug:topic_slug>/", views.article_list, name="topic"),
    path("<slug:slug>/", views.article_detail, name="article-detail"),
]
