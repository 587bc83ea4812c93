from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"
