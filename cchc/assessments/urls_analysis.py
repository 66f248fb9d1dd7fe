"""Analysis pages, included at the root of the ``assessments`` namespace (after its own patterns).

Every path starts with ``<cycle>/-/``; none has exactly four segments (those belong to a
submission, ``<cycle>/<round>/<subject>/<domain>/``) and the fifth segment is ``gaps``,
``matrix`` or ``notice``, never one of a submission's sub-pages (``submit``, ``upload``,
``template.xlsx``, ``appraise``, ``c``), so no earlier pattern takes them (a test checks it).
"""

from django.urls import path

from cchc.assessments import views_analysis as views

R = "<slug:cycle>/-/<slug:round_code>/"
urlpatterns = [
    path("<slug:cycle>/-/trend/", views.trend_view, name="analysis_trend"),
    path(R + "<str:subject>/gaps/", views.gap_view, name="analysis_gaps"),
    path(R + "<str:subject>/gaps/<str:fmt>/", views.gap_export, name="analysis_gaps_export"),
    path(R + "-/matrix/", views.matrix_view, name="analysis_matrix"),
    path(R + "-/notice/", views.notice_view, name="analysis_notice"),
    path(R + "-/notice/<str:fmt>/", views.notice_export, name="analysis_notice_export"),
]
