from django.urls import path
from django.views.generic import TemplateView

app_name = "education"

urlpatterns = [
    path("", TemplateView.as_view(template_name="education/coming_soon.html"), name="article-list"),
]
