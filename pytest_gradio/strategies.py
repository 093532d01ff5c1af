"""Hypothesis strategies for an endpoint's arguments, built from the app's config.

`endpoint_args(client, "/predict")` draws tuples of arguments that the endpoint's input
components accept: the config the client already holds says each component's kind and
constraints (a Slider's min/max/step, a Dropdown's choices, a Dataframe's headers and
datatypes, ...), and `view_api` names the parameters, for `overrides`. `gr.State`
inputs are left out, as the client fills them in. Files (File, Image, Audio, Video)
are small real files written on the fly (PNG with Pillow, WAV with the stdlib's
`wave`, an MP4 container with the stdlib) and passed with `gradio_client.handle_file`.

hypothesis is imported here, at import of this module: install the `[fuzz]` extra.

>>> @given(data=st.data())
... def test_any_input(gradio_client, data):
...     args = data.draw(endpoint_args(gradio_client, "/predict"))
...     gradio_client.predict(*args, api_name="/predict")
"""

from __future__ import annotations

import atexit
import datetime
import io
import math
import os
import shutil
import struct
import tempfile
import threading
import wave
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UnsupportedComponentError

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pytest_gradio.strategies and fuzz_endpoint need hypothesis: "
        'pip install "pytest-gradio[fuzz]" (or pip install hypothesis).'
    ) from exc

SearchStrategy = st.SearchStrategy

# Bounds for numbers that have none: JSON carries any double, but an app's arithmetic
# on 1e308 says more about floats than about the app, and an app that allocates by a
# number (`text * n`) must not take the test process's memory with it: gradio's
# blocks_textbox_max_lines demo, given 1e9, was killed by the kernel (OOM) with it.
NUMBER_BOUND = 1e6
TEXT_MAX = 60
LIST_MAX = 4
# How many rows a Dataframe without a fixed row count gets at most (0 included: an
# empty table is the classic crash).
ROWS_MAX = 4
# Where a parameter's props carry the app's gradio version.
VERSION_KEY = "__gradio_version__"


@dataclass(frozen=True)
class Parameter:
    """One argument of an endpoint: its name (view_api's `parameter_name`, or
    `<kind>_<id>` for an input view_api leaves out, such as a gr.Button), the
    component's kind (`slider`), its label and props (from the app's config)."""

    name: str
    kind: str
    label: str | None
    props: Mapping[str, Any]
    component_id: int

    def describe(self) -> str:
        label = f" {self.label!r}" if self.label else ""
        kind = f"gr.{self.kind.capitalize()}{label}"
        return f"parameter {self.name!r} ({kind}, component id {self.component_id})"


def endpoint_name(client: Any, api_name_or_fn_index: str | int) -> tuple[int, str]:
    """The endpoint's fn_index and a name for messages (`/predict`, `fn_index=3`)."""
    if isinstance(api_name_or_fn_index, int):
        fn_index = client._infer_fn_index(None, api_name_or_fn_index)
        endpoint = client.endpoints[fn_index]
        return fn_index, str(endpoint.api_name or f"fn_index={fn_index}")
    name = "/" + api_name_or_fn_index.lstrip("/")
    # GradioClient names the nearest endpoint when the name is wrong.
    finder = getattr(client, "_endpoint", None)
    if finder is not None:
        return finder(name, None)  # type: ignore[no-any-return]
    return client._infer_fn_index(name, None), name


def endpoint_parameters(client: Any, api_name_or_fn_index: str | int) -> list[Parameter]:
    """The endpoint's input components, in the order the client takes them, without
    its gr.State inputs (the client fills those in)."""
    fn_index, name = endpoint_name(client, api_name_or_fn_index)
    endpoint = client.endpoints[fn_index]
    components = {c["id"]: c for c in client.config["components"]}
    info = (getattr(client, "_info", None) or {}).get("named_endpoints", {})
    documented = list((info.get(name) or {}).get("parameters") or [])
    params: list[Parameter] = []
    for component_id in endpoint.dependency["inputs"]:
        component = components[component_id]
        kind = str(component["type"])
        if kind == "state":
            continue
        props = component.get("props") or {}
        # view_api lists the inputs that are not skipped (a gr.Button is, yet the
        # client must still be given its value), in order.
        skipped = component.get("skip_api", False)
        if not skipped and documented:
            pname = str(documented.pop(0).get("parameter_name") or f"{kind}_{component_id}")
        else:
            pname = f"{kind}_{component_id}"
        # The server's gradio version, for kinds whose wire format changed (Chatbot).
        props = {**props, VERSION_KEY: str(client.config.get("version") or "")}
        params.append(Parameter(pname, kind, props.get("label"), props, component_id))
    return params


def endpoint_args(
    client: Any,
    api_name_or_fn_index: str | int,
    *,
    overrides: Mapping[str | int, SearchStrategy[Any]] | None = None,
) -> SearchStrategy[tuple[Any, ...]]:
    """A strategy of argument tuples the endpoint's input components accept.

    `overrides` maps a parameter (its view_api name, or its position) to a strategy of
    your own, for a component kind this module does not know or a narrower input.

    >>> args = data.draw(endpoint_args(gradio_client, "/predict"))
    >>> gradio_client.predict(*args, api_name="/predict")
    """
    params = endpoint_parameters(client, api_name_or_fn_index)
    _, name = endpoint_name(client, api_name_or_fn_index)
    overrides = dict(overrides or {})
    known = {p.name for p in params} | set(range(len(params)))
    unknown = [key for key in overrides if key not in known]
    if unknown:
        raise UnsupportedComponentError(
            f"overrides for {name} name {', '.join(map(repr, unknown))}, which is not one "
            f"of its parameters: {', '.join(repr(p.name) for p in params) or 'none'}. "
            "Key overrides by the parameter's name as view_api() shows it, or its position."
        )
    parts = []
    for position, param in enumerate(params):
        given = overrides.get(param.name, overrides.get(position))
        parts.append(given if given is not None else component_strategy(param, name))
    return st.tuples(*parts)


def component_strategy(param: Parameter, endpoint: str) -> SearchStrategy[Any]:
    """Values `param`'s component accepts as input."""
    build = _BUILDERS.get(param.kind)
    if build is None:
        raise UnsupportedComponentError(
            f"{endpoint}: no strategy for {param.describe()}: pytest-gradio does not know "
            f"what a {param.kind!r} component accepts. Give one: "
            f"endpoint_args(client, {endpoint!r}, overrides={{{param.name!r}: st.just(...)}}) "
            f"or fuzz_endpoint(client, {endpoint!r}, overrides={{{param.name!r}: ...}})."
        )
    return build(param.props)


# --- plain values -----------------------------------------------------------------------


def _chars() -> SearchStrategy[str]:
    # No surrogates: they cannot be encoded as UTF-8, so no browser could send them.
    return st.characters(exclude_categories=["Cs"])


def _text(props: Mapping[str, Any]) -> SearchStrategy[str]:
    max_length = props.get("max_length")
    limit = TEXT_MAX if not isinstance(max_length, int) else min(TEXT_MAX, max_length)
    return st.text(_chars(), max_size=limit)


def _bounds(props: Mapping[str, Any]) -> tuple[float, float]:
    low, high = props.get("minimum"), props.get("maximum")
    low = -NUMBER_BOUND if low is None else float(low)
    high = NUMBER_BOUND if high is None else float(high)
    return low, high


def _number(props: Mapping[str, Any]) -> SearchStrategy[float | int]:
    low, high = _bounds(props)
    precision = props.get("precision")
    if precision == 0:
        return st.integers(math.ceil(low), math.floor(high))
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if precision is None:
        return floats
    digits = int(precision)

    def rounded(value: float) -> float:
        # Rounding may step past a bound that is not on the grid: step back inside.
        result = round(value, digits)
        if result > high:
            result = math.floor(high * 10**digits) / 10**digits
        if result < low:
            result = math.ceil(low * 10**digits) / 10**digits
        return result

    return floats.map(rounded)


def _slider(props: Mapping[str, Any]) -> SearchStrategy[float]:
    low = float(props.get("minimum", 0) or 0)
    high = float(props.get("maximum", 100) if props.get("maximum") is not None else 100)
    step = props.get("step") or 1
    step = float(step)
    steps = max(0, math.floor((high - low) / step + 1e-9))
    # As many decimals as the step and minimum have, so that 0.1 * 3 is 0.3.
    digits = max(_decimals(step), _decimals(low))

    def on_grid(k: int) -> float:
        return min(high, round(low + k * step, digits))

    return st.integers(0, steps).map(on_grid)


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text:
        return 10
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _choice_values(props: Mapping[str, Any]) -> list[Any]:
    # The config sends choices as [label, value] pairs; the value is what the app gets.
    values = []
    for choice in props.get("choices") or []:
        if isinstance(choice, (list, tuple)) and len(choice) == 2:
            values.append(choice[1])
        else:
            values.append(choice)
    return values


def _dropdown(props: Mapping[str, Any]) -> SearchStrategy[Any]:
    values = _choice_values(props)
    one: SearchStrategy[Any] = st.sampled_from(values) if values else st.nothing()
    if props.get("allow_custom_value"):
        one = one | _text(props)
    if props.get("multiselect"):
        max_choices = props.get("max_choices")
        limit = LIST_MAX if max_choices is None else min(LIST_MAX, int(max_choices))
        if one.is_empty:
            return st.just([])
        return st.lists(one, max_size=limit, unique=True)
    if one.is_empty:
        return st.none()  # a Dropdown with no choices: nothing can be picked
    return one


def _radio(props: Mapping[str, Any]) -> SearchStrategy[Any]:
    values = _choice_values(props)
    return st.sampled_from(values) if values else st.none()


def _checkboxgroup(props: Mapping[str, Any]) -> SearchStrategy[list[Any]]:
    values = _choice_values(props)
    if not values:
        return st.just([])
    return st.lists(st.sampled_from(values), unique=True, max_size=len(values))


def _json_values() -> SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(_chars(), max_size=20)
    )
    keys = st.text(_chars(), max_size=10)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=LIST_MAX) | st.dictionaries(keys, inner, max_size=LIST_MAX)
        ),
        max_leaves=10,
    )


def _colorpicker(props: Mapping[str, Any]) -> SearchStrategy[str]:
    return st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def _datetime(props: Mapping[str, Any]) -> SearchStrategy[str]:
    moments = st.datetimes(datetime.datetime(1970, 1, 2), datetime.datetime(2100, 1, 1))
    if props.get("include_time", True):
        return moments.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))
    return moments.map(lambda d: d.strftime("%Y-%m-%d"))


def _browserstate(props: Mapping[str, Any]) -> SearchStrategy[Any]:
    # What the page keeps in localStorage holds what the app stored there, starting
    # from its default: arbitrary JSON would be a browser no user has (gradio's
    # browserstate demo indexes its [user, password] pair).
    return st.just(props.get("default_value"))


def _button(props: Mapping[str, Any]) -> SearchStrategy[Any]:
    # A button's value is its label; the page sends it, the client must too.
    return st.just(props.get("value"))


def _dataframe(props: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
    headers = list(props.get("headers") or [])
    value = props.get("value")
    if not headers and isinstance(value, Mapping):
        headers = list(value.get("headers") or [])
    col_count = props.get("col_count") or props.get("column_count")
    columns = len(headers)
    if not columns and isinstance(col_count, (list, tuple)) and col_count:
        columns = int(col_count[0])
    elif not columns and isinstance(col_count, int):
        columns = col_count
    columns = columns or 3
    headers = headers or [str(i + 1) for i in range(columns)]
    datatype = props.get("datatype") or "str"
    types = list(datatype) if isinstance(datatype, list) else [datatype] * columns
    types += ["str"] * (columns - len(types))
    cells = [_cell(kind) for kind in types[:columns]]
    row = st.tuples(*cells).map(list)
    rows_min, rows_max = 0, ROWS_MAX
    row_count = props.get("row_count")
    if isinstance(row_count, (list, tuple)) and len(row_count) == 2 and row_count[1] == "fixed":
        rows_min = rows_max = int(row_count[0])
    limits = props.get("row_limits")
    if isinstance(limits, (list, tuple)) and len(limits) == 2:
        if limits[0] is not None:
            rows_min = max(rows_min, int(limits[0]))
        if limits[1] is not None:
            rows_max = min(max(rows_min, rows_max), int(limits[1]))
    return st.lists(row, min_size=rows_min, max_size=max(rows_min, rows_max)).map(
        lambda data: {"headers": headers, "data": data, "metadata": None}
    )


def _cell(kind: str) -> SearchStrategy[Any]:
    if kind == "number":
        return st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "bool":
        return st.booleans()
    if kind == "date":
        return st.dates(datetime.date(1970, 1, 1), datetime.date(2100, 1, 1)).map(str)
    return st.text(_chars(), max_size=12)


def _chatbot(props: Mapping[str, Any]) -> SearchStrategy[list[dict[str, Any]]]:
    text: SearchStrategy[Any] = st.text(_chars(), max_size=20)
    if not str(props.get(VERSION_KEY, "")).startswith("5"):
        # Gradio 6: a message's content is a list of parts.
        text = text.map(lambda t: [{"type": "text", "text": t}])

    def messages(pair: tuple[Any, Any]) -> list[dict[str, Any]]:
        return [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]

    turn = st.tuples(text, text).map(messages)
    return st.lists(turn, max_size=2).map(lambda turns: [m for t in turns for m in t])


# --- files ------------------------------------------------------------------------------

_files_lock = threading.Lock()
_files_dir: Path | None = None


def _scratch() -> Path:
    """Where generated files are written: the session's GRADIO_TEMP_DIR (removed with
    it at the end of a plugin run), else a directory removed at exit."""
    global _files_dir
    with _files_lock:
        if _files_dir is None or not _files_dir.is_dir():
            base = os.environ.get("GRADIO_TEMP_DIR")
            if base:
                Path(base).mkdir(parents=True, exist_ok=True)
            _files_dir = Path(tempfile.mkdtemp(prefix="pytest-gradio-fuzz-", dir=base or None))
            if not base:
                atexit.register(shutil.rmtree, _files_dir, True)
        return _files_dir


def _write(name: str, content: bytes) -> str:
    # Named after the content: the same drawn file is written once, and a replayed
    # example sends the same path.
    digest = f"{zlib.crc32(content):08x}-{len(content)}"
    path = _scratch() / f"{digest}-{name}"
    if not path.exists():
        path.write_bytes(content)
    return str(path)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (Pillow, which gradio depends on)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def wav_bytes(frames: int, rate: int, channels: int, level: int) -> bytes:
    """A valid 16-bit PCM WAV: a square wave of `level` (the stdlib's `wave`)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = [level if (i // 8) % 2 else -level for i in range(frames)]
        out.writeframes(b"".join(struct.pack("<h", s) * channels for s in samples))
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(duration_ms: int) -> bytes:
    """A well-formed MP4 container (ftyp, moov with its movie header, an empty mdat)
    of `duration_ms`, written with the stdlib. It has no video track: frames need an
    encoder (ffmpeg), which gradio does not depend on. Enough for an app that stores,
    names or forwards the file; an app that decodes it sees an empty movie."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, 1000, duration_ms)
        + struct.pack(">IH10x", 0x10000, 0x100)
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 1),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"")


def _handle(path: str) -> Any:
    from gradio_client import handle_file

    return handle_file(path)


def _png_files() -> SearchStrategy[str]:
    return st.builds(
        lambda w, h, c: _write("image.png", png_bytes(w, h, c)),
        st.integers(1, 16),
        st.integers(1, 16),
        st.tuples(*[st.integers(0, 255)] * 3),
    )


def _wav_files() -> SearchStrategy[str]:
    return st.builds(
        lambda n, r, c, v: _write("audio.wav", wav_bytes(n, r, c, v)),
        st.integers(1, 800),
        st.sampled_from([8000, 16000]),
        st.sampled_from([1, 2]),
        st.integers(0, 2**15 - 1),
    )


def _mp4_files() -> SearchStrategy[str]:
    return st.integers(0, 5000).map(lambda ms: _write("video.mp4", mp4_bytes(ms)))


def _text_files(suffix: str = ".txt") -> SearchStrategy[str]:
    return _text({}).map(lambda t: _write(f"file{suffix}", t.encode()))


def _any_file(props: Mapping[str, Any]) -> SearchStrategy[str]:
    """A file of a type the component allows (`file_types`: '.pdf', 'image', ...)."""
    allowed = props.get("file_types")
    if not allowed:
        return _text_files() | _png_files() | _wav_files()
    options: list[SearchStrategy[str]] = []
    for kind in allowed:
        kind = str(kind).lower()
        if kind == "image" or kind in (".png", "png"):
            options.append(_png_files())
        elif kind == "audio" or kind in (".wav", "wav"):
            options.append(_wav_files())
        elif kind == "video" or kind in (".mp4", "mp4"):
            options.append(_mp4_files())
        elif kind == "text":
            options.append(_text_files())
        elif kind.startswith(".") or kind.isalnum():
            # Any other extension: a text file with that suffix. The app may
            # parse it and fail, which is what an upload of that name can do too.
            options.append(_text_files("." + kind.lstrip(".")))
    return st.one_of(options) if options else _text_files()


def _files(make: Callable[[Mapping[str, Any]], SearchStrategy[str]]) -> Callable[..., Any]:
    def build(props: Mapping[str, Any]) -> SearchStrategy[Any]:
        one = make(props).map(_handle)
        if props.get("file_count") in ("multiple", "directory"):
            return st.lists(one, min_size=1, max_size=3)
        return one

    return build


def _multimodal(props: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
    files = st.lists(
        _any_file(props).map(_handle), max_size=1 if props.get("file_count") == "single" else 2
    )
    return st.builds(lambda t, f: {"text": t, "files": f}, _text(props), files)


def _plain(strategy: SearchStrategy[Any]) -> Callable[[Mapping[str, Any]], SearchStrategy[Any]]:
    return lambda props: strategy


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], SearchStrategy[Any]]] = {
    "textbox": _text,
    "textarea": _text,
    "code": _text,
    "markdown": _text,
    "html": _text,
    "number": _number,
    "slider": _slider,
    "dropdown": _dropdown,
    "radio": _radio,
    "checkboxgroup": _checkboxgroup,
    "checkbox": _plain(st.booleans()),
    "json": _plain(_json_values()),
    "browserstate": _browserstate,
    "colorpicker": _colorpicker,
    "datetime": _datetime,
    "button": _button,
    "dataframe": _dataframe,
    "file": _files(_any_file),
    "uploadbutton": _files(_any_file),
    "image": _files(lambda props: _png_files()),
    "audio": _files(lambda props: _wav_files()),
    "video": _files(lambda props: _mp4_files()),
    "multimodaltextbox": _multimodal,
    "chatbot": _chatbot,
}

# The kinds with a strategy, for the README and error messages.
SUPPORTED_KINDS: Sequence[str] = tuple(sorted(_BUILDERS))
