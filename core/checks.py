"""Checks of a deployment, run by `manage.py check --deploy` (the production start makes the
same check and refuses to serve: config/wsgi.py)."""

from django.core.checks import Error, register

from .health import missing_static_files


@register(deploy=True)
def static_files_collected(app_configs, **kwargs):
    problem = missing_static_files()
    return [Error(problem, id="core.E001")] if problem else []
