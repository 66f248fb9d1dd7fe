from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

urlpatterns = [
    path("", include("cchc.core.urls")),
    path("accounts/", include("cchc.accounts.urls")),
    path("orgs/", include("cchc.orgs.urls")),
    path("indexes/", include("cchc.frameworks.urls")),
    path("assessments/", include("cchc.assessments.urls")),
    path("plans/", include("cchc.plans.urls")),
    path("dossiers/", include("cchc.dossiers.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("i18n/js/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
