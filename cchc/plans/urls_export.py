from django.urls import path

from cchc.plans import views_reminders

urlpatterns: list = [
    path("reminders/digest/", views_reminders.digest, name="digest"),
    path("<slug:code>/export.<str:fmt>", views_reminders.plan_export, name="plan_export"),
    path("<slug:code>/source/", views_reminders.plan_source, name="plan_source"),
]
