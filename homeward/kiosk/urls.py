from django.urls import path

from homeward.kiosk.views import contacts, conversations, device, session

app_name = "kiosk"
urlpatterns = [
    path("device/", device.register_device, name="device"),
    path("signin/", device.signin, name="signin"),
    path("signout/", device.signout, name="signout"),
    path("language/", session.language, name="language"),
    path("", conversations.inbox, name="inbox"),
    path("notices/read/", conversations.notices_read, name="notices_read"),
    path("conversations/<int:connection_id>/", conversations.conversation, name="conversation"),
    path("conversations/<int:connection_id>/reply/", conversations.reply, name="reply"),
    path("conversations/<int:connection_id>/block/", conversations.block, name="block"),
    path("photos/<int:photo_id>/", conversations.photo, name="photo"),
    path("photos/<int:photo_id>/<str:size>/", conversations.photo_file, name="photo_file"),
    path(
        "conversations/<int:connection_id>/messages/<int:message_id>/appeal/",
        conversations.appeal_message,
        name="appeal_message",
    ),
    path(
        "conversations/<int:connection_id>/appeal/",
        conversations.appeal_restriction,
        name="appeal_restriction",
    ),
    path("requests/", contacts.requests, name="requests"),
    path("requests/<int:connection_id>/accept/", contacts.accept, name="accept"),
    path("requests/<int:connection_id>/decline/", contacts.decline, name="decline"),
    path("invite/", contacts.invite, name="invite"),
    path("sessions/<int:session_id>/end/", session.end, name="end_session"),
]
