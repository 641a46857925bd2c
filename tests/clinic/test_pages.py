from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from clinic import practice
from tests.html import parse, visible_text

PUBLIC_PAGES = ["home", "about", "contact", "privacy"]

CRISIS_NOTICE = "Not for emergencies: call or text 988, or call 911."

# Outgoing links a referral may need; the page still loads nothing from them.
ALLOWED_EXTERNAL_LINK_HOSTS = {"findtreatment.gov"}


@pytest.mark.django_db
def test_home_page_introduces_the_practice_and_invites_booking(client):
    response = client.get("/")

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Dr. Panagopoulos" in text
    assert "double-board-certified addiction psychiatrist" in text
    assert "naltrexone" in text
    assert "Psychotherapy" in text
    assert "New York, Texas or California" in text
    assert "No shame, no stigma" in text
    assert "Book a free 10-minute meet-and-greet" in text
    assert reverse("scheduling:book") in parse(response.content.decode()).links


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_carries_the_crisis_notice_and_disclaimer(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert CRISIS_NOTICE in text
    assert str(practice.DISCLAIMER) in text
    assert "Skip to main content" in text


@pytest.mark.django_db
def test_missing_page_shows_the_sites_own_404_without_technical_detail(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    text = visible_text(response.content.decode())
    assert "We couldn't find that page" in text
    assert CRISIS_NOTICE in text
    assert "Traceback" not in text


def test_500_page_renders_in_the_sites_look_without_context_processors(rf):
    from clinic.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    text = visible_text(response.content.decode())
    assert "Something went wrong on our side" in text
    assert CRISIS_NOTICE in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_load_nothing_from_other_hosts(client, name):
    page = parse(client.get(reverse(name)).content.decode())

    for url in page.resources:
        assert not urlsplit(url).netloc, f"{url} is loaded from another host"
    for url in page.links:
        host = urlsplit(url).hostname
        assert host is None or host in ALLOWED_EXTERNAL_LINK_HOSTS, f"{url} links to another host"


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_admin_and_manage_links(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /book/manage/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.django_db
def test_sitemap_lists_the_site_pages(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/privacy/</loc>" in body


@pytest.mark.django_db
def test_home_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    """The home page lists the latest articles; it must not query once per article (N+1)."""
    with django_assert_max_num_queries(3):
        client.get("/")


@pytest.mark.django_db
def test_home_page_is_served_from_cache_and_shows_a_newly_published_article(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from tests.education.factories import make_article

    client.get("/")
    with django_assert_max_num_queries(0):
        cached = client.get("/")
    assert cached.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coping with cravings")

    assert "Coping with cravings" in visible_text(client.get("/").content.decode())


@pytest.mark.parametrize("count", [5, 100])
@pytest.mark.django_db
def test_home_page_queries_do_not_grow_with_articles(client, count, django_assert_max_num_queries):
    """The latest-articles list must come from one query, not one per article (N+1)."""
    from tests.education.factories import make_article

    for _ in range(count):
        make_article()

    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200


# --- Contact details (set by staff in admin; each shown only when set) -----------------------

CONTACT = {
    "phone": "(212) 555-0142",
    "email": "office@clinic.example",
    "office_hours": "Monday to Friday, 9 AM to 5 PM Eastern Time",
}


@pytest.fixture
def contact_details(django_capture_on_commit_callbacks):
    from clinic.models import PracticeProfile

    with django_capture_on_commit_callbacks(execute=True):
        PracticeProfile(**CONTACT).save()
    return CONTACT


@pytest.mark.django_db
def test_contact_page_shows_phone_email_and_office_hours_as_links(client, contact_details):
    response = client.get("/contact/")

    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert 'href="tel:+12125550142"' in main
    assert 'href="mailto:office@clinic.example"' in main
    text = visible_text(main)
    assert "Phone (212) 555-0142" in text
    assert "Email office@clinic.example" in text
    assert "Office hours Monday to Friday, 9 AM to 5 PM Eastern Time" in text


@pytest.mark.django_db
def test_contact_page_without_details_offers_the_meet_and_greet_and_no_empty_labels(client):
    text = visible_text(client.get("/contact/").content.decode())

    assert "Phone" not in text
    assert "Email" not in text
    assert "Office hours" not in text
    assert "Book a free 10-minute meet-and-greet" in text


@pytest.mark.django_db
def test_contact_page_answers_head(client):
    assert client.head("/contact/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_page_footer_shows_the_contact_details_when_set(client, name, contact_details):
    html = client.get(reverse(name)).content.decode()
    footer = visible_text(html[html.index("<footer") :])

    assert "Phone (212) 555-0142" in footer
    assert "Email office@clinic.example" in footer
    assert "Office hours Monday to Friday" in footer


@pytest.mark.django_db
def test_footer_shows_only_the_details_that_are_set(client, django_capture_on_commit_callbacks):
    from clinic.models import PracticeProfile

    with django_capture_on_commit_callbacks(execute=True):
        PracticeProfile(email="office@clinic.example").save()

    html = client.get("/about/").content.decode()
    footer = visible_text(html[html.index("<footer") :])
    assert "Email office@clinic.example" in footer
    assert "Phone" not in footer
    assert "Office hours" not in footer
    assert "tel:+1" not in html


@pytest.mark.django_db
def test_a_cached_page_shows_new_contact_details_as_soon_as_staff_save_them(
    client, django_capture_on_commit_callbacks
):
    from clinic.models import PracticeProfile

    assert "555-0142" not in client.get("/").content.decode()  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        PracticeProfile(**CONTACT).save()

    assert "(212) 555-0142" in client.get("/").content.decode()


@pytest.mark.django_db
def test_privacy_page_says_where_to_write_for_access_or_deletion(client, contact_details):
    html = client.get("/privacy/").content.decode()
    text = visible_text(html)

    assert "or to have them deleted sooner, write to office@clinic.example" in text
    assert "or call (212) 555-0142" in text
    assert 'href="mailto:office@clinic.example"' in html


@pytest.mark.django_db
def test_privacy_page_without_an_email_address_says_to_reply_to_the_confirmation(client):
    text = visible_text(client.get("/privacy/").content.decode())

    assert "to have them deleted sooner, reply to your confirmation email." in text


@pytest.mark.django_db
def test_main_navigation_leads_to_about_the_doctor_and_contact(client):
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="container') : html.index("</nav>")]

    assert 'href="/about/">About the doctor</a>' in nav
    assert 'href="/contact/">Contact</a>' in nav
    about = client.get("/about/").content.decode()
    assert 'href="/about/" aria-current="page">About the doctor' in about


@pytest.mark.django_db
def test_home_page_says_how_it_works_in_three_steps_and_that_the_meet_and_greet_is_free(client):
    text = visible_text(client.get("/").content.decode())

    assert "How it works" in text
    assert "Book a time online." in text
    assert "A 10-minute call with Dr. Panagopoulos," in text
    assert "A treatment plan, if it fits." in text
    assert "The meet-and-greet is free: it costs nothing." in text
    assert "You only need to live in New York, Texas or California" in text


@pytest.mark.django_db
def test_sitemap_lists_the_contact_page(client):
    assert "<loc>http://testserver/contact/</loc>" in client.get("/sitemap.xml").content.decode()
