from django.apps import AppConfig


class ActorsConfig(AppConfig):
    verbose_name = "Actors and sources"
    name = "actors"
