from django.urls import path

from cchc.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("export.<str:fmt>", views.export_units, name="export"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<str:code>/", views.group_detail, name="group_detail"),
    path("match/", views.match, name="match"),
    path("u/<str:code>/", views.unit_detail, name="unit_detail"),
    path("u/<str:code>/edit/", views.unit_edit, name="unit_edit"),
    path("u/<str:code>/members/", views.unit_members, name="unit_members"),
    path("u/<str:code>/members.<str:fmt>", views.unit_members_export, name="unit_members_export"),
    path("u/<str:code>/history/", views.unit_history, name="unit_history"),
]
