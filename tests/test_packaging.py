"""The package as users get it: build the sdist and the wheel, check them with twine,
install the wheel into a fresh virtual environment, and run suites from the unpacked
sdist against it (issue 10, item 6).

Why the dependencies come from this environment (a .pth line) and the wheel alone is
installed: installing gradio afresh takes minutes; what this test checks is the
package itself — its metadata, the files each artifact carries, and that the plugin
registers and works from an installed wheel rather than from the source tree.
"""

from __future__ import annotations

import fcntl
import os
import site
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import pytest_gradio

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.timeout(600)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}:\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel, the wheel built from the sdist (build's default): so the sdist
    must hold everything the build needs.

    Built once per run, under a lock, for every xdist worker that runs a test of this
    module: setuptools assembles the sdist in the source tree (`pytest_gradio-<version>/`
    beside pyproject.toml), so two builds at once removed each other's files ("No such
    file or directory: 'pytest_gradio-0.1.0/examples/...'", seen at -n 3)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "dist"
    with open(shared / "dist.lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "built").exists():
            out.mkdir(exist_ok=True)
            _run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
            (out / "built").touch()
    return out


def _artifacts(dist: Path) -> tuple[Path, Path]:
    (sdist,) = dist.glob("pytest_gradio-*.tar.gz")
    (wheel,) = dist.glob("pytest_gradio-*-py3-none-any.whl")
    return sdist, wheel


def test_twine_check_passes_on_both_artifacts(dist: Path) -> None:
    """twine check: the metadata and the README render as PyPI will show them."""
    sdist, wheel = _artifacts(dist)
    output = _run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel, cwd=dist)
    assert output.count("PASSED") == 2, output


def test_metadata_is_complete(dist: Path) -> None:
    """License file, URLs, authors, classifiers and the version of the package."""
    _, wheel = _artifacts(dist)
    with zipfile.ZipFile(wheel) as archive:
        name = f"pytest_gradio-{pytest_gradio.__version__}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{name}/METADATA").decode())
        names = archive.namelist()
    assert f"{name}/licenses/LICENSE" in names
    assert "pytest_gradio/py.typed" in names
    assert metadata["Version"] == pytest_gradio.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Author"]
    urls = {entry.split(",")[0] for entry in metadata.get_all("Project-URL")}
    assert {"Source", "Issues", "Changelog", "Documentation"} <= urls
    classifiers = set(metadata.get_all("Classifier"))
    for wanted in (
        "Framework :: Pytest",
        "Intended Audience :: Developers",
        "Topic :: Software Development :: Testing",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in range(10, 14)),
    ):
        assert wanted in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert any(c.startswith("Operating System ::") for c in classifiers)
    assert "xdist" in metadata.get_all("Provides-Extra")
    # The README opens with the two commands of a checkout (the team's rule for it),
    # says they are for a checkout, and sends users to Install and Quickstart, which
    # come before everything else.
    description = metadata.get_payload()
    assert description.lstrip().startswith("# pytest-gradio")
    assert description.index("from a checkout") < description.index("pytest examples")
    assert description.index("[Install](#install)") < description.index("## Install")
    assert description.index("## Install") < description.index("## Quickstart")
    assert description.index("## Quickstart") < description.index("## Examples")


def test_wheel_installed_in_a_fresh_venv_runs_suites_from_the_sdist(
    dist: Path, tmp_path: Path
) -> None:
    """The wheel, installed alone in a new venv, registers the plugin and passes the
    calculator example and a test module of the project, both from the unpacked sdist
    (which therefore carries conftest.py, the fake Hub and the apps they need)."""
    sdist, wheel = _artifacts(dist)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.glob("pytest_gradio-*")
    # The suites must exercise the installed wheel, not the sources beside them.
    for source in (tree / "pytest_gradio", *tree.glob("*.egg-info")):
        subprocess.run(["rm", "-rf", str(source)], check=True)

    venv = tmp_path / "venv"
    # Without pip of its own (ensurepip costs seconds): this environment's pip installs
    # the wheel into it (`pip --python`).
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
    )
    # The dependencies of this environment, as plain path entries: their .pth files
    # (among them this checkout's editable install) are not processed.
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib.strip(), "deps-from-test-env.pth").write_text("\n".join(ours) + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )

    probe = textwrap.dedent(
        """
        import importlib.metadata as md, pytest_gradio
        print(pytest_gradio.__file__)
        print(pytest_gradio.__version__, md.version("pytest-gradio"))
        """
    )
    where, versions = _run(python, "-c", probe, cwd=tmp_path).split("\n")[:2]
    assert where.startswith(str(venv)), where
    assert versions == f"{pytest_gradio.__version__} {pytest_gradio.__version__}"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HF_TOKEN"))}
    # python -m puts the tree on sys.path; its pytest_gradio/ was removed above.
    output = _run(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        # One process, not the project's addopts' three xdist workers, for a few tests.
        "-n",
        "0",
        "-q",
        "examples/calculator",
        "tests/test_specs.py",
        cwd=tree,
        env=env,
    )
    assert " passed" in output, output
    assert "failed" not in output, output
    assert "error" not in output, output
