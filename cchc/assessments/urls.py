from django.urls import include, path

from cchc.assessments import views

app_name = "assessments"
S = "<slug:cycle>/<slug:round_code>/<str:subject>/<str:domain>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("evidence/", include("cchc.assessments.urls_evidence")),
    path("<slug:cycle>/", views.cycle_detail, name="cycle"),
    path("<slug:cycle>/<slug:round_code>/", views.round_detail, name="round"),
    path("<slug:cycle>/<slug:round_code>/action/", views.round_action, name="round_action"),
    path(S, views.submission_detail, name="submission"),
    path(S + "submit/", views.submission_submit, name="submit"),
    path(S + "template.xlsx", views.bulk_template, name="bulk_template"),
    path(S + "upload/", views.bulk_upload, name="bulk_upload"),
    path(S + "appraise/", views.appraisal, name="appraisal"),
    path(S + "appraise/action/", views.appraisal_action, name="appraisal_action"),
    path(S + "c/<str:code>/", views.entry_save, name="entry_save"),
    path(S + "c/<str:code>/cite/", views.entry_cite, name="entry_cite"),
    path(S + "c/<str:code>/uncite/", views.entry_uncite, name="entry_uncite"),
    path("", include("cchc.assessments.urls_analysis")),
]
