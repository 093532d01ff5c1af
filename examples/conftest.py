"""Example suites for pytest-gradio; each directory is a small app plus its tests.

Run them with ``pytest examples/``. The plugin is loaded through its entry point,
so nothing is needed here: each test module picks its app with
``pytestmark = pytest.mark.gradio_app("app.py")``.
"""
