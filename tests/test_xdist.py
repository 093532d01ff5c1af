"""pytest-xdist: every worker starts its own servers on its own ports, and the run
summary merges every worker's jobs on the controller."""

from __future__ import annotations

import json

import pytest

from .conftest import APPS

pytestmark = pytest.mark.timeout(120)

# Six tests: xdist's load scheduling hands each of two workers at least two.
SPREAD = """
import json
import os

import pytest

pytestmark = pytest.mark.gradio_app("app.py")


@pytest.mark.parametrize("n", range(6))
def test_add(gradio_app, gradio_client, worker_id, n):
    assert gradio_client.predict(n, 1, api_name="/add") == n + 1
    os.makedirs("seen", exist_ok=True)
    with open(f"seen/{n}.json", "w") as f:
        json.dump({"worker": worker_id, "url": gradio_app.url, "pid": os.getpid()}, f)


def test_crash(gradio_client):
    gradio_client.submit(1, api_name="/crash").exception()
"""


def test_two_workers_own_servers_and_merged_summary(pytester: pytest.Pytester) -> None:
    """`-n 2`: two workers, each with its own app on its own port; the summary on
    the controller (terminal and JSON) counts the jobs of both."""
    (pytester.path / "app.py").write_text((APPS / "hang.py").read_text())
    pytester.makepyfile(test_spread=SPREAD)
    result = pytester.runpytest("-n", "2", "--gradio-summary", "--gradio-summary-json=summary.json")
    result.assert_outcomes(passed=7)

    seen = [json.loads(path.read_text()) for path in (pytester.path / "seen").iterdir()]
    urls = {entry["worker"]: set() for entry in seen}
    for entry in seen:
        urls[entry["worker"]].add(entry["url"])
    assert sorted(urls) == ["gw0", "gw1"]
    assert all(len(worker_urls) == 1 for worker_urls in urls.values()), urls
    assert urls["gw0"] != urls["gw1"]  # two servers, two ports
    assert len({entry["pid"] for entry in seen}) == 2

    result.stdout.fnmatch_lines(
        [
            "*= gradio summary =*",
            "app     endpoint  jobs  expected errors  app errors  failed  cancelled*",
            "app.py  /add         6                0           0       0          0*",
            "        /crash       1                0           1       0          0*",
        ]
    )
    document = json.loads((pytester.path / "summary.json").read_text())
    assert document["workers"] == 2
    assert document["jobs"] == 7
    assert [(row["endpoint"], row["jobs"]) for row in document["endpoints"]] == [
        ("/add", 6),
        ("/crash", 1),
    ]
