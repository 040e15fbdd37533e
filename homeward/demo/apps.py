from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo deployment (``seed_demo``) and its helper ``demo_code``: above every other
    app, since it builds a little of everything."""

    name = "homeward.demo"
    label = "demo"
