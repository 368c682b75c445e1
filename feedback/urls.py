from django.urls import path

from feedback.views import cards, matters, public, talkroom, topic, topics

app_name = "feedback"

urlpatterns = [
    path("echo/", public.echo, name="echo"),
    path("echo/status/", public.status, name="echo_status"),
    path("echo/status/rate/", public.rate, name="echo_rate"),
    path("matters/", matters.matter_list, name="matter_list"),
    path("matters/<int:pk>/", matters.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/phone/reveal/", matters.matter_phone_reveal, name="matter_phone_reveal"),
    path("matters/<int:pk>/<slug:action>/", matters.matter_act, name="matter_act"),
    path("cards/", cards.card_overview, name="card_overview"),
    path("cards/batches/", cards.card_batch_issue, name="card_batch_issue"),
    path("cards/batches/<int:pk>/print/", cards.card_batch_print, name="card_batch_print"),
    path("cards/void/", cards.card_void, name="card_void"),
    path("visits/<int:pk>/echo-card/", cards.card_hand_out, name="card_hand_out"),
    path("cards/contact/<int:pk>/", cards.contact_card_print, name="contact_card_print"),
    path("talk-room/walk-in/", talkroom.walk_in, name="walk_in"),
    path("talk-room/slips/<int:pk>/", talkroom.walk_in_slip, name="walk_in_slip"),
    path("talk-room/slips/<int:pk>/password/", talkroom.walk_in_slip_password, name="walk_in_slip_password"),
    path("talk-room/roster/", talkroom.roster, name="roster"),
    path("talk-room/roster/add/", talkroom.roster_add, name="roster_add"),
    path("talk-room/roster/<int:pk>/remove/", talkroom.roster_remove, name="roster_remove"),
    path("talk-room/callbacks/", talkroom.callback_list, name="callback_list"),
    path("talk-room/callbacks/<int:pk>/", talkroom.callback_record, name="callback_record"),
    path("talk-room/callbacks/<int:pk>/phone/", talkroom.callback_phone_reveal, name="callback_phone_reveal"),
    path("topic-visits/", topic.topic_visit_list, name="topic_visit_list"),
    path("topic-visits/new/", topic.topic_visit_create, name="topic_visit_create"),
    path("topic-visits/<int:pk>/", topic.topic_visit_detail, name="topic_visit_detail"),
    path("topic-visits/<int:pk>/matters/", topic.topic_visit_add_matters, name="topic_visit_add_matters"),
    path("topics/", topics.topic_review, name="topic_review"),
    path("topics/matters/<int:pk>/confirm/", topics.topic_confirm, name="topic_confirm"),
    path("topics/close/", topics.topic_month_close, name="topic_month_close"),
    path("topic-visit-items/<int:pk>/solution/", topic.topic_visit_solution, name="topic_visit_solution"),
]
