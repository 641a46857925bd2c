"""Reads of articles for other parts of the site."""


def latest_articles(*, limit: int):
    """The newest published articles, for the home page. Filled in by the education issue."""
    return []
