from django.urls import path

from homeward.operations.metrics import metrics

urlpatterns = [path("metrics", metrics, name="metrics")]
