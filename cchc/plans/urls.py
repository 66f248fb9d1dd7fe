from django.urls import include, path

from cchc.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", include("cchc.plans.urls_import")),
    path("", include("cchc.plans.urls_board")),
    path("", include("cchc.plans.urls_export")),
]
