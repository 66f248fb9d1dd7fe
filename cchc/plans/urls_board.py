"""The board, My tasks, plans, tasks and completion rates (included at the root of ``plans``)."""

from django.urls import path

from cchc.plans import views_board as views

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/fragment/", views.board_fragment, name="board_fragment"),
    path("my/", views.my_tasks, name="my_tasks"),
    path("completion/", views.completion, name="completion"),
    path("plan/<slug:code>/", views.plan_detail, name="plan_detail"),
    path("tasks/<uuid:uuid>/", views.task_detail, name="task_detail"),
    path("tasks/<uuid:uuid>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<uuid:uuid>/edit/time-frame/", views.time_frame_preview, name="time_frame_preview"),
    path("tasks/<uuid:uuid>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<uuid:uuid>/contribute/", views.task_contribute, name="task_contribute"),
    path("tasks/<uuid:uuid>/close/", views.task_close, name="task_close"),
    path("tasks/<uuid:uuid>/extension/", views.task_extension, name="task_extension"),
    path("tasks/<uuid:uuid>/extension/decide/", views.extension_decide, name="extension_decide"),
    path("tasks/<uuid:uuid>/event/", views.task_event, name="task_event"),
]
