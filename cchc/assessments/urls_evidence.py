"""The evidence register, included at ``evidence/`` inside the ``assessments`` namespace."""

from django.urls import path

from cchc.assessments import views_evidence as views

urlpatterns = [
    path("", views.evidence_list, name="evidence_list"),
    path("new/", views.evidence_new, name="evidence_new"),
    path("<uuid:uuid>/", views.evidence_detail, name="evidence_detail"),
    path("<uuid:uuid>/download/", views.evidence_download, name="evidence_download"),
]
