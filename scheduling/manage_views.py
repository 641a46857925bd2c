"""The patient's private manage link. (Placeholder: the notifications issue builds these pages.)"""

from django.http import Http404


def manage(request, token):
    raise Http404


def manage_cancel(request, token):
    raise Http404


def manage_move(request, token):
    raise Http404
