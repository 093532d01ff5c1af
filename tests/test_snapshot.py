"""Snapshots: the syrupy extension, the gradio_snapshot fixture and api_contract.

Real Gradio apps on loopback and real pytest runs (pytester): the same suite must
write byte-identical files on every run and under xdist, nothing machine-specific
may reach them, and every kind of change must fail with a diff that names it.
"""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_gradio import GradioClient, GradioSnapshotExtension, JobTimeoutError, api_contract
from pytest_gradio.snapshot import normalize, round_float

from . import versions
from .conftest import APPS

SNAPSHOT_APP = APPS / "snapshot_app.py"

pytestmark = [pytest.mark.timeout(120), pytest.mark.gradio_app(str(SNAPSHOT_APP))]

# One test per kind of thing a snapshot pins. The `client` fixture notes what is
# specific to this machine and run, for the outer test to look for in the files.
SUITE = """
import json
import os
import socket
from pathlib import Path

import pytest

from pytest_gradio import api_contract

pytestmark = pytest.mark.gradio_app("app.py")


@pytest.fixture
def client(gradio_app, gradio_client, tmp_path):
    seen = {
        "netloc": gradio_app.url.split("/")[2],
        "session_hash": gradio_client.session_hash,
        "download_dir": str(gradio_client.output_dir),
        "gradio_temp_dir": os.environ["GRADIO_TEMP_DIR"],
        "tmp_path": str(tmp_path),
        "hostname": socket.gethostname(),
    }
    notes = Path(__file__).parent / "seen"
    notes.mkdir(exist_ok=True)
    with open(notes / f"{os.getpid()}.jsonl", "a") as f:
        f.write(json.dumps(seen) + "\\n")
    return gradio_client


def test_sum(client, gradio_snapshot):
    assert client.submit(0.1, 0.2, api_name="/add") == gradio_snapshot


def test_stream(client, gradio_snapshot):
    job = client.submit("one two three", api_name="/stream")
    assert job == gradio_snapshot
    assert job.timeline == gradio_snapshot


def test_report(client, gradio_snapshot):
    assert client.predict("hi", api_name="/report") == gradio_snapshot


def test_picture(client, gradio_snapshot):
    assert client.submit(4, 3, api_name="/picture") == gradio_snapshot


def test_steps(client, gradio_snapshot):
    assert client.submit(3, api_name="/steps") == gradio_snapshot


def test_burst(client, gradio_snapshot):
    assert client.submit(100, api_name="/burst") == gradio_snapshot


def test_fail(client, gradio_snapshot):
    assert client.submit("boom", api_name="/fail") == gradio_snapshot


def test_api(client, gradio_snapshot):
    assert api_contract(client) == gradio_snapshot
"""
SUITE_TESTS = 8
SUITE_SNAPSHOTS = 9


@pytest.fixture(autouse=True)
def _not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process runs below report snapshots as a plain run does even when this
    suite itself runs under `-n`: syrupy stays quiet in an xdist worker, which it
    recognises by PYTEST_XDIST_WORKER."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def _write_suite(pytester: pytest.Pytester, app_source: str | None = None) -> Path:
    (pytester.path / "app.py").write_text(app_source or SNAPSHOT_APP.read_text())
    pytester.makepyfile(test_suite=SUITE)
    return pytester.path / "__snapshots__" / "test_suite.ambr"


def _seen(pytester: pytest.Pytester) -> list[dict[str, str]]:
    notes = sorted((pytester.path / "seen").glob("*.jsonl"))
    return [json.loads(line) for path in notes for line in path.read_text().splitlines()]


def test_same_suite_writes_identical_snapshots_sequentially_and_under_xdist(
    pytester: pytest.Pytester,
) -> None:
    """Written once, written again under `-n 2` from nothing, then checked by a third
    run: byte-identical files, and no host, port, session hash or temp dir in them."""
    ambr = _write_suite(pytester)
    first = pytester.runpytest("--snapshot-update")
    first.assert_outcomes(passed=SUITE_TESTS)
    first.stdout.fnmatch_lines([f"{SUITE_SNAPSHOTS} snapshots generated."])
    written = ambr.read_bytes()
    assert b"Image({" in written
    assert b"'sha256': '" in written
    assert b"Progress({" in written

    ambr.unlink()
    parallel = pytester.runpytest("-n", "2", "--snapshot-update")
    parallel.assert_outcomes(passed=SUITE_TESTS)
    parallel.stdout.fnmatch_lines([f"{SUITE_SNAPSHOTS} snapshots generated."])
    assert ambr.read_bytes() == written

    again = pytester.runpytest("--snapshot-update")
    again.assert_outcomes(passed=SUITE_TESTS)
    again.stdout.fnmatch_lines([f"{SUITE_SNAPSHOTS} snapshots passed."])
    assert ambr.read_bytes() == written

    text = written.decode()
    seen = _seen(pytester)
    assert len(seen) == 3 * (SUITE_TESTS)  # three runs, every test noted its client
    for note in seen:
        for what, value in note.items():
            if what == "hostname" and len(value) < 8:
                continue  # a short host name may occur in any text by chance
            assert value not in text, f"the snapshot file holds the {what} {value!r}"
    assert str(pytester.path) not in text
    assert "/tmp" not in text
    assert "127.0.0.1" not in text


# Each change below must fail exactly its own test, with a diff that shows it.
CHANGES = {
    "test_sum": [("return a + b\n", "return a + b + 1\n")],
    "test_report": [('f"report: {text}\\n"', 'f"report: {text}!\\n"')],
    "test_stream": [('" ".join(words[: i + 1])', '" ".join(words[: i + 1]).upper()')],
    "test_api": [
        ("def greet(name, greeting):", "def greet(name, greeting, excited):"),
        ('value="Hello")', 'value="Hi")\n    excited = gr.Checkbox(label="Excited")'),
        ("[name, greeting], text", "[name, greeting, excited], text"),
    ],
}


def test_each_change_fails_its_snapshot_with_a_diff_naming_it(pytester: pytest.Pytester) -> None:
    """A changed output value, file content, stream and API signature each fail their
    test; the diff shows the old and the new value."""
    ambr = _write_suite(pytester)
    pytester.runpytest("--snapshot-update").assert_outcomes(passed=SUITE_TESTS)
    before = ambr.read_bytes()
    assert b"'sha256': '" in before

    source = SNAPSHOT_APP.read_text()
    for replacements in CHANGES.values():
        for old, new in replacements:
            assert source.count(old) == 1, old
            source = source.replace(old, new)
    (pytester.path / "app.py").write_text(source)

    result = pytester.runpytest("-vv")
    old_sha = _sha256(b"report: hi\n")
    new_sha = _sha256(b"report: hi!\n")
    result.assert_outcomes(passed=SUITE_TESTS - len(CHANGES), failed=len(CHANGES))
    for name in CHANGES:
        result.stdout.fnmatch_lines([f"FAILED test_suite.py::{name} - *"])
    for expected in [
        # the value
        "E *-     0.3,",
        "E *+     1.3,",
        # the file: its size and hash
        "E *-   'bytes': 11,",
        "E *+   'bytes': 12,",
        f"E *-   'sha256': '{old_sha}',",
        f"E *+   'sha256': '{new_sha}',",
        # the stream
        "E *-     'one two',",
        "E *+     'ONE TWO',",
        # the API: a parameter added, a default changed
        "E *+ *'name': 'excited',",
        "E *- *'default': 'Hello',",
        "E *+ *'default': 'Hi',",
    ]:
        result.stdout.fnmatch_lines([expected])
    # test_stream stops at its first failed assertion: its second snapshot was not
    # read, but it is not unused (--snapshot-update must not delete it).
    result.stdout.fnmatch_lines(["4 snapshots failed. 4 snapshots passed."])
    assert "unused" not in result.stdout.str()
    assert ambr.read_bytes() == before, "a failing run must not rewrite snapshots"


def test_snapshot_update_and_unused_snapshots_as_syrupy_does(pytester: pytest.Pytester) -> None:
    """--snapshot-update writes, unused snapshots are reported and deleted as syrupy
    does. syrupy's own `snapshot` shares the module and the file; in one test, one
    of the two takes a name, since each counts its own assertions."""
    both = """
        def test_float(gradio_snapshot, snapshot):
            assert 0.1 + 0.2 == gradio_snapshot
            assert 0.1 + 0.2 == snapshot(name="syrupy")
        """
    pytester.makepyfile(
        test_values=both
        + """
        def test_tuple(gradio_snapshot):
            assert ("a third", 1 / 3) == gradio_snapshot
        """
    )
    ambr = pytester.path / "__snapshots__" / "test_values.ambr"

    missing = pytester.runpytest()
    missing.assert_outcomes(failed=2)
    missing.stdout.fnmatch_lines(
        [
            "*Snapshot 'test_float' does not exist!*",
            "*Run `pytest --snapshot-update` once to write it (a new snapshot test has none "
            "yet), then review the new __snapshots__/ file and commit it.",
        ]
    )
    assert not ambr.exists()

    created = pytester.runpytest("--snapshot-update")
    created.assert_outcomes(passed=2)
    created.stdout.fnmatch_lines(["3 snapshots generated."])
    text = ambr.read_text()
    assert "# name: test_float\n  0.3\n" in text  # ours: 12 significant digits
    assert "# name: test_float[syrupy]\n  0.30000000000000004\n" in text  # syrupy's own
    assert "0.333333333333," in text

    pytester.runpytest().assert_outcomes(passed=2)

    pytester.makepyfile(test_values=both)
    unused = pytester.runpytest("--snapshot-details")
    unused.assert_outcomes(passed=1)
    unused.stdout.fnmatch_lines(
        [
            "2 snapshots passed. 1 snapshot unused.",
            "Unused test_tuple (__snapshots__/test_values.ambr)",
        ]
    )
    assert unused.ret == pytest.ExitCode.TESTS_FAILED

    deleted = pytester.runpytest("--snapshot-update")
    deleted.stdout.fnmatch_lines(
        ["*1 unused snapshot deleted.*", "Deleted test_tuple (__snapshots__/test_values.ambr)"]
    )
    assert deleted.ret == pytest.ExitCode.OK
    text = ambr.read_text()
    assert "test_tuple" not in text
    assert "# name: test_float\n" in text
    assert "# name: test_float[syrupy]\n" in text
    pytester.runpytest().assert_outcomes(passed=1)


FAILED_START = """
import pytest

pytestmark = pytest.mark.gradio_app("app.py")


def test_sum(gradio_client, gradio_snapshot):
    assert gradio_client.submit(1, 2, api_name="/add") == gradio_snapshot


def test_stream(gradio_client, gradio_snapshot):
    assert gradio_client.submit("abc", api_name="/stream") == gradio_snapshot


def test_with_syrupy_snapshot(gradio_client, snapshot):
    assert gradio_client.predict(2, 2, api_name="/add") == snapshot
"""


@pytest.mark.parametrize("args", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_an_app_that_fails_to_start_leaves_its_snapshots_alone(
    pytester: pytest.Pytester, args: tuple[str, ...]
) -> None:
    """Issue 19: when the app fails to start, its tests error before their snapshot
    assertions. Their snapshots are not "unused": syrupy does not advise
    --snapshot-update, and --snapshot-update deletes none of them."""
    (pytester.path / "app.py").write_text(SNAPSHOT_APP.read_text())
    pytester.makepyfile(test_suite=FAILED_START)
    pytester.runpytest("--snapshot-update").assert_outcomes(passed=3)
    ambr = pytester.path / "__snapshots__" / "test_suite.ambr"
    before = ambr.read_bytes()

    (pytester.path / "app.py").write_text('raise RuntimeError("the model file is missing")\n')
    failed = pytester.runpytest("-p", "no:randomly", *args)
    failed.assert_outcomes(errors=3)
    failed.stdout.fnmatch_lines(["*RuntimeError: the model file is missing*"])
    assert "unused" not in failed.stdout.str()
    assert "--snapshot-update" not in failed.stdout.str()

    updated = pytester.runpytest("-p", "no:randomly", "--snapshot-update", *args)
    updated.assert_outcomes(errors=3)
    assert "deleted" not in updated.stdout.str()
    assert ambr.read_bytes() == before


def test_gradio_snapshot_without_syrupy_says_what_to_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(gradio_snapshot):\n    pass\n")
    result = pytester.runpytest("-p", "no:syrupy")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*uses gradio_snapshot*syrupy is not active*-p no:syrupy*"])


def test_loading_the_plugin_imports_no_snapshot_code() -> None:
    """The fixture imports the extension (and gradio_client) only when a test asks."""
    code = (
        "import sys, pytest_gradio.plugin; "
        "print(sorted(m for m in ('pytest_gradio.snapshot', 'gradio', 'gradio_client', "
        "'syrupy.extensions.amber') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


# --- jobs and timelines, against the app of this module ---------------------------------


def test_job_is_waited_for_then_written_whole(gradio_client: GradioClient) -> None:
    """Asserted right after submit(), a job and a timeline are written complete."""
    extension = GradioSnapshotExtension()
    job = gradio_client.submit("a b c d e", api_name="/stream")
    assert not job.done()
    text = extension.serialize(job)
    assert job.done()
    assert "'result': 'a b c d e'," in text
    assert "'FINISHED'," in text

    other = gradio_client.submit("v w x y z", api_name="/stream")
    assert not other.done()
    extension.serialize(other.timeline)
    assert normalize(other.timeline)["outputs"] == ["v", "v w", "v w x", "v w x y", "v w x y z"]


def test_wait_is_bounded_by_the_job_timeout(gradio_client: GradioClient) -> None:
    job = gradio_client.submit(1.5, api_name="/slow")
    job.job_timeout = 0.2
    with pytest.raises(JobTimeoutError, match=r"gradio_snapshot: /slow did not finish within"):
        GradioSnapshotExtension().serialize(job)
    with pytest.raises(JobTimeoutError, match=r"timeline of /slow\(1.5\)"):
        GradioSnapshotExtension().serialize(job.timeline)


def test_sampled_progress_and_queue_estimations_are_normalized(
    gradio_client: GradioClient,
) -> None:
    """Three jobs at once: each gets its own sample of 150 fast progress calls and its
    own number of queue estimations, yet all three are written the same."""
    jobs = [gradio_client.submit(150, api_name="/burst") for _ in range(3)]
    texts = {GradioSnapshotExtension().serialize(job) for job in jobs}
    for job in jobs:
        assert 0 < len(job.timeline.progress()) < 150  # the server coalesced them
    assert len(texts) == 1
    record = normalize(jobs[0])
    assert record["statuses"] == ["STARTING", "IN_QUEUE", "PROCESSING", "FINISHED"]
    assert record["progress"] == [{"desc": "burst", "length": 150, "unit": "steps"}]


def test_timeline_to_dict_is_plain_normalized_data(gradio_client: GradioClient) -> None:
    job = gradio_client.submit(3, api_name="/steps")
    job.result()
    data = job.timeline.to_dict()
    assert data == {
        "endpoint": "/steps",
        "statuses": ["STARTING", "IN_QUEUE", "PROCESSING", "FINISHED"],
        "outputs": ["did 3 steps"],
        "progress": [{"desc": "working", "length": 3, "unit": "steps"}],
        "logs": [
            {"level": "info", "message": "starting"},
            {"level": "warning", "message": "that was many steps"},
        ],
        "error": None,
    }
    assert list(data) == ["endpoint", "statuses", "outputs", "progress", "logs", "error"]
    assert type(data) is dict
    assert type(data["progress"][0]) is dict
    assert json.loads(json.dumps(data)) == data


def test_error_and_files_in_a_job(gradio_client: GradioClient) -> None:
    failed = normalize(_finished(gradio_client.submit("nope", api_name="/fail")))
    assert failed["error"] == "AppError: nope"
    assert failed["result"] is None
    assert failed["outputs"] == []
    report = normalize(_finished(gradio_client.submit("x", api_name="/report")))
    assert report["result"] == {
        "name": "report.txt",
        "bytes": len("report: x\n"),
        "sha256": _sha256(b"report: x\n"),
    }
    picture = normalize(_finished(gradio_client.submit(5, 2, api_name="/picture")))
    assert type(picture["result"]).__name__ == "Image"
    assert (picture["result"]["width"], picture["result"]["height"]) == (5, 2)


def _finished(job: object) -> object:
    from pytest_gradio import wait_for_job

    wait_for_job(job)
    return job


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_unrecorded_job_is_rejected_with_the_fix(gradio_app: object) -> None:
    from gradio_client import Client

    client = Client(gradio_app.url, verbose=False)  # type: ignore[attr-defined]
    try:
        job = client.submit(1, 2, api_name="/add")
        with pytest.raises(TypeError, match=r"not recorded.*gradio_client fixture"):
            GradioSnapshotExtension().serialize(job)
        job.result()
    finally:
        client.close()


# --- the API contract ---------------------------------------------------------------------


def test_api_contract_is_ordered_plain_data(gradio_client: GradioClient) -> None:
    contract = api_contract(gradio_client)
    assert list(contract) == sorted(contract)
    assert contract["/greet"] == {
        "parameters": [
            {"name": "name", "type": "str", "component": "Textbox", "required": True},
            {
                "name": "greeting",
                "type": "str",
                "component": "Textbox",
                "required": False,
                "default": "Hello",
            },
        ],
        "returns": [{"type": "str", "component": "Textbox"}],
    }
    assert list(contract["/add"]["parameters"][0]) == ["name", "type", "component", "required"]
    # "filepath" whatever the server calls it (versions.image_output_type).
    assert contract["/picture"]["returns"] == [{"type": "filepath", "component": "Image"}]
    described = gradio_client.view_api(print_info=False, return_format="dict")
    picture = described["named_endpoints"]["/picture"]["returns"][0]["python_type"]["type"]
    assert picture == versions.image_output_type(gradio_client)
    assert pickle.loads(pickle.dumps(contract)) == contract
    text = GradioSnapshotExtension().serialize(contract)
    # Labels made from component ids are left out.
    assert "value_" not in text
    assert "parameter_" not in text


def test_api_contract_of_something_else_says_what_to_pass() -> None:
    with pytest.raises(TypeError, match=r"api_contract: .* has no view_api\(\).*gradio_client"):
        api_contract("http://127.0.0.1:7860/")


# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.1 + 0.2, 0.3),
        (1 / 3, 0.333333333333),
        (2 / 3 * 1e-20, 6.66666666667e-21),
        (123456789.123456789, 123456789.123),
        (-0.0, -0.0),
        (1e308 * 10, math.inf),
        (7.0, 7.0),
    ],
)
def test_floats_are_rounded_to_12_significant_digits(value: float, written: float) -> None:
    assert round_float(value) == written
    assert GradioSnapshotExtension().serialize(value) == repr(written)


def test_nan_int_and_bool_are_kept() -> None:
    assert GradioSnapshotExtension().serialize([math.nan, 3, True, None]) == (
        "list([\n  nan,\n  3,\n  True,\n  None,\n])"
    )


def test_float_digits_is_a_class_attribute() -> None:
    class Coarse(GradioSnapshotExtension):
        float_digits = 3

    assert Coarse().serialize({"ratio": 2 / 3}) == "dict({\n  'ratio': 0.667,\n})"


def test_files_become_name_size_and_hash(tmp_path: Path) -> None:
    from PIL import Image

    text_file = tmp_path / "deep" / "notes.txt"
    text_file.parent.mkdir()
    text_file.write_bytes(b"hello\n")
    image_file = tmp_path / "dot.png"
    Image.new("RGB", (5, 7), "red").save(image_file)

    written = normalize({"text": str(text_file), "image": image_file})
    assert written["text"] == {"name": "notes.txt", "bytes": 6, "sha256": _sha256(b"hello\n")}
    image = written["image"]
    assert type(image).__name__ == "Image"
    assert image["name"] == "dot.png"
    assert image["sha256"] == _sha256(image_file.read_bytes())
    assert (image["width"], image["height"]) == (5, 7)
    text = GradioSnapshotExtension().serialize(written)
    assert str(tmp_path) not in text
    assert "File({\n    'name': 'notes.txt',\n    'bytes': 6," in text


def test_gradio_file_data_dicts_become_files(tmp_path: Path) -> None:
    local = tmp_path / "cache" / "out.csv"
    local.parent.mkdir()
    local.write_text("a,b\n")
    meta = {"_type": "gradio.FileData"}
    on_server = {
        "path": "/srv/gradio/abc/remote.csv",
        "url": "http://127.0.0.1:40404/gradio_api/file=/srv/gradio/abc/remote.csv",
        "size": 12,
        "orig_name": "remote.csv",
        "meta": meta,
    }
    here = {"path": str(local), "url": None, "orig_name": "out.csv", "meta": meta}
    assert normalize(on_server) == {"name": "remote.csv", "bytes": 12}
    assert normalize(here) == {"name": "out.csv", "bytes": 4, "sha256": _sha256(b"a,b\n")}
    assert normalize(here, hash_files=False) == {"name": "out.csv"}


def test_temp_dirs_and_loopback_ports_are_masked(tmp_path: Path) -> None:
    gone = tmp_path / "missing.txt"
    text = f"saved to {gone}; see http://127.0.0.1:40404/x and ws://localhost:8080/y"
    written = normalize({f"key {gone}": text})
    ((key, value),) = written.items()
    assert str(tmp_path) not in key + value
    assert value.startswith("saved to <tmp>/")
    assert value.endswith("see http://127.0.0.1:<port>/x and ws://localhost:<port>/y")
    # Other hosts are not the test machine's: their ports are part of the value.
    assert normalize("https://example.org:8443/") == "https://example.org:8443/"


def test_relative_paths_and_text_stay_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("README").write_text("a file, but a relative name is only text")
    assert normalize(["README", "plain words"]) == ["README", "plain words"]


def test_sets_are_normalized_in_a_stable_order(tmp_path: Path) -> None:
    assert normalize({1 / 3, 2.0}) == {0.333333333333, 2.0}
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    files = normalize({str(tmp_path / "b.txt"), str(tmp_path / "a.txt")})
    assert [record["name"] for record in files] == ["a.txt", "b.txt"]


def test_cycles_and_exceptions() -> None:
    loop: list[object] = [1.0 / 3]
    loop.append(loop)
    written = normalize(loop)
    assert written[0] == 0.333333333333
    assert "..." in GradioSnapshotExtension().serialize(loop)
    assert normalize(ValueError("bad input")) == "ValueError: bad input"


def test_dict_keys_are_sorted_and_records_keep_their_order() -> None:
    text = GradioSnapshotExtension().serialize({"b": 1, "a": 2})
    assert text.index("'a'") < text.index("'b'")
