from django.urls import path

from . import views, views_import, views_index766, views_reference

app_name = "dossiers"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("list/", views.dossier_list, name="list"),
    path("list/export.<str:fmt>", views.dossier_list_export, name="list_export"),
    path("late/", views.late_report, name="late"),
    path("late/export.<str:fmt>", views.late_report_export, name="late_export"),
    path("index766/", views_index766.index_page, name="index766"),
    path("import/", views_import.import_page, name="import"),
    path("import/jobs/<str:job>/", views_import.import_job, name="import_job"),
    path("import/jobs/<str:job>/fragment/", views_import.import_job_fragment, name="import_job_fragment"),
    path("import/batches/<int:pk>/", views_import.batch_detail, name="batch"),
    path("procedures/", views_reference.procedures, name="procedures"),
    path("calendar/", views_reference.calendar_page, name="calendar"),
    path("calendar/add/", views_reference.calendar_add, name="calendar_add"),
    path("calendar/<int:pk>/delete/", views_reference.calendar_delete, name="calendar_delete"),
    path("calendar/copy-defaults/", views_reference.calendar_copy_defaults, name="calendar_copy_defaults"),
    path("calendar/jobs/<str:job>/", views_reference.rederive_job, name="rederive_job"),
]
