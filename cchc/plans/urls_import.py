"""Importing a plan's table (included under ``plans/import/``): public ids are the batch's UUID."""

from django.urls import path

from cchc.plans import views_import as views

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("sample.docx", views.import_sample, name="import_sample"),
    path("<uuid:uuid>/", views.import_preview, name="import_preview"),
    path("<uuid:uuid>/fix/", views.import_fix, name="import_fix"),
    path("<uuid:uuid>/commit/", views.import_commit, name="import_commit"),
    path("<uuid:uuid>/discard/", views.import_discard, name="import_discard"),
]
