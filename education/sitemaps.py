"""Sitemaps of the education app, merged into /sitemap.xml by clinic/urls.py."""

SITEMAPS = {}
