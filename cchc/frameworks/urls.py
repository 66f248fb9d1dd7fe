from django.urls import path

from cchc.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("<str:code>/v<int:version>/", views.framework_detail, name="detail"),
    path("<str:code>/v<int:version>/export.yaml", views.framework_export, name="export"),
    path("<str:code>/v<int:version>/scorecard/", views.scorecard_pick, name="scorecard_pick"),
    path("<str:code>/v<int:version>/scorecard/<str:subject>/<int:year>/", views.scorecard_view, name="scorecard"),
    path("<str:code>/v<int:version>/scorecard/<str:subject>/<int:year>.<str:fmt>", views.scorecard_export, name="scorecard_export"),
    path("<str:code>/v<int:version>/ranking/<int:year>/", views.ranking_view, name="ranking"),
    path("<str:code>/v<int:version>/ranking/<int:year>.<str:fmt>", views.ranking_export, name="ranking_export"),
]
