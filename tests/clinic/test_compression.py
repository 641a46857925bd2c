"""Pages travel compressed to browsers that accept it, and a page's secrets do not leak by size."""

import gzip

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_is_sent_gzipped_to_a_browser_that_accepts_it_and_plain_to_one_that_does_not(client):
    zipped = client.get(reverse("scheduling:book"), headers={"accept-encoding": "gzip, deflate, br"})
    plain = client.get(reverse("scheduling:book"))

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert "Content-Encoding" not in plain


def test_the_same_page_compresses_to_different_sizes_so_its_size_gives_nothing_away(client):
    """BREACH: Django pads each gzipped response with random bytes; a CSRF-bearing page too."""
    page = reverse("scheduling:book")
    sizes = {len(client.get(page, headers={"accept-encoding": "gzip"}).content) for _ in range(8)}

    assert len(sizes) > 1
