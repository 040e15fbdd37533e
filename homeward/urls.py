from django.contrib import admin
from django.urls import include, path

from homeward.api.api import api
from homeward.web.views.webhooks import payment_webhook

urlpatterns = [
    path("", include("homeward.web.urls")),
    path("kiosk/", include("homeward.kiosk.urls")),
    path("console/", include("homeward.console.urls")),
    path("payments/webhooks/<slug:provider>/", payment_webhook, name="payment_webhook"),
    path("api/v1/", api.urls),
    path("", include("homeward.operations.urls")),
    path("admin/", admin.site.urls),
]
