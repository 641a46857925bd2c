"""Requests refused at the door, before any view or check reads them."""

from clinic.views import bad_request


class RefuseUnreadableForms:
    """A form POST declared in another charset than UTF-8 gets the site's 400 page at once.

    Django refuses to read such a form (BadRequest), but only when something reads it: the CSRF
    check, or a view that has already counted a rate-limit hit or looked up a manage link. Refusing
    it here, before all of them, answers every such request the same way and leaves nothing behind.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The same test Django applies when it reads the form (HttpRequest._load_post_and_files).
        encoding = request.encoding
        if (
            request.content_type == "application/x-www-form-urlencoded"
            and encoding is not None
            and encoding.lower() != "utf-8"
        ):
            return bad_request(request, None)
        return self.get_response(request)
