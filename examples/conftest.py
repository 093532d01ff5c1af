"""Example suites for pytest-gradio; each directory is a small app plus its tests.

Run them with ``pytest examples/``. The plugin is loaded through its entry point,
so nothing is needed here: most test modules pick their app with
``pytestmark = pytest.mark.gradio_app("app.py")``; ``staging_space/`` picks it in its
own conftest, so that ``--gradio-app`` can point the same suite at a deployed Space.
"""
