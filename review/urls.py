"""The candidate's pages of review: 待办事项提醒."""

from django.urls import path

from review import views

urlpatterns = [
    path("reminders/", views.reminder_list, name="reminders"),
    path("reminders/<int:reminder_id>/close/", views.reminder_close, name="reminder-close"),
]
