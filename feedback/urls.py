from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("topic-visits/", views.topic_visit_list, name="topic_visit_list"),
    path("topic-visits/new/", views.topic_visit_create, name="topic_visit_create"),
    path("topic-visits/<int:pk>/", views.topic_visit_detail, name="topic_visit_detail"),
    path("topic-visits/<int:pk>/matters/", views.topic_visit_add_matters, name="topic_visit_add_matters"),
    path("topic-visit-items/<int:pk>/solution/", views.topic_visit_solution, name="topic_visit_solution"),
]
