from django.urls import path

from scheduling.public import manage, views

app_name = "scheduling"

urlpatterns = [
    path("", views.book, name="book"),
    path("outside/", views.outside, name="outside"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    path("confirmed/<str:signed>/", views.confirmed, name="confirmed"),
    path("slots.json", views.slots_json, name="slots-json"),
    path("manage/<str:token>/", manage.manage, name="manage"),
    path("manage/<str:token>/time/", manage.manage_time, name="manage-time"),
    path("manage/<str:token>/cancel/confirm/", manage.manage_cancel_confirm, name="manage-cancel-confirm"),
    path("manage/<str:token>/cancel/", manage.manage_cancel, name="manage-cancel"),
    path("manage/<str:token>/move/", manage.manage_move, name="manage-move"),
    path("manage/<str:token>/contact/", manage.manage_contact, name="manage-contact"),
]
