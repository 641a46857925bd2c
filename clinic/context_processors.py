from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from clinic import practice as practice_facts


def practice(request):
    """Expose the practice facts to every template as `practice`."""
    return {"practice": practice_facts}


def languages(request):
    """`language_choices` for the switch in the header: each language with the address of this same
    page in it. A view whose page has another address in the other language (an article and its
    translation) passes its own `language_choices` (see language_choices below)."""
    # A callable, which templates call when they use it: pages without the header pay nothing.
    return {"language_choices": lambda: language_choices(request)}


def language_choices(request, addresses: dict[str, str] | None = None) -> list[dict]:
    """[{"code", "name", "url", "current"}] for every language; `addresses` overrides the url of some."""
    current = translation.get_language()
    path = request.get_full_path() if request is not None else "/"
    choices = []
    for code, name in settings.LANGUAGES:
        url = (addresses or {}).get(code) or translate_url(path, code)
        if url == path and code != current:
            # An address no page answers (a 404): the same address under the other prefix.
            url = _with_prefix(_without_prefix(path, current), code)
        choices.append({"code": code, "name": name, "url": url, "current": code == current})
    return choices


def _prefix(code: str) -> str:
    return "" if code == settings.LANGUAGE_CODE else f"/{code}"


def _without_prefix(path: str, code: str) -> str:
    prefix = _prefix(code)
    return path[len(prefix) :] if prefix and path.startswith(f"{prefix}/") else path


def _with_prefix(path: str, code: str) -> str:
    return f"{_prefix(code)}{path}"
