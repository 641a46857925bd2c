from django.urls import path
from django.views.generic import TemplateView

from scheduling import manage_views

app_name = "scheduling"

urlpatterns = [
    path("", TemplateView.as_view(template_name="scheduling/coming_soon.html"), name="book"),
    path("manage/<str:token>/", manage_views.manage, name="manage"),
    path("manage/<str:token>/cancel/", manage_views.manage_cancel, name="manage-cancel"),
    path("manage/<str:token>/move/", manage_views.manage_move, name="manage-move"),
]
