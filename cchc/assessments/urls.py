from django.urls import include, path

from cchc.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.home, name="home"),
    path("evidence/", include("cchc.assessments.urls_evidence")),
]
