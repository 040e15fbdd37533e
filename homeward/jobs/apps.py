from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "homeward.jobs"
    label = "jobs"
