from clinic import practice as practice_facts


def practice(request):
    """Expose the practice facts to every template as `practice`."""
    return {"practice": practice_facts}
