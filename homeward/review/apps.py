from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "homeward.review"
    label = "review"
