"""`fuzz_endpoint`: call an endpoint with generated inputs and fail on what the app did
not mean to do.

Each call gets arguments from `strategies.endpoint_args` (hypothesis). A call is a
finding when it ends in an exception the app did not raise on purpose, hangs past
the job timeout, or breaks the job's stream; `gr.Error` is the app saying no on
purpose and passes, as do the errors the test allows. hypothesis then shrinks the
input, and the failure shows that shrunk input, the app's error (once), the job's
timeline and how to replay it.

How a `gr.Error` is told from any other exception: gradio's queue ends a failed job
with `process_completed` whose `output` is its `error_payload`: for a `gr.Error`
the message with a `title` (and `duration`, `visible`); for any other exception its
text alone under `show_error=True`, and `error: null` under the default
`show_error=False`. The timeline keeps the title (`Event.error_title`): no title,
no gr.Error. So an app in the default mode still has its crashes found; their text
comes from the server log when the plugin runs the app (thread or subprocess mode).

What "an output its component would reject" means here: gradio runs each output
through its component's `postprocess` on the server before sending it; a value the
component rejects fails there, and the job ends as an unhandled exception (the
server log's traceback shows `postprocess`). That is the check: it is the
component's own code, on the app's real component (its props included), which a
copy on the plugin's side could only approximate.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .client.waiting import wait_for_job
from .errors import AppUnreachableError, JobStreamError, JobTimeoutError
from .options import DEFAULT_JOB_TIMEOUT
from .reporting import compact_tracebacks, cut
from .strategies import endpoint_args, endpoint_name, endpoint_parameters
from .timeline import format_timeline

DEFAULT_EXAMPLES = 100
HIDDEN_ERROR = "has not enabled verbose error reporting"
_DEFAULT = object()


@dataclass
class FuzzResult:
    """What a `fuzz_endpoint` run did: the endpoint, the calls made and how long."""

    endpoint: str
    calls: int
    seconds: float
    budget_spent: bool  # the time budget ended the run before max_examples


@dataclass
class Finding:
    """One call that went wrong: `kind` is 'unhandled exception', 'hang' or 'broken
    job' (the stream broke, the app stopped answering)."""

    kind: str
    args: tuple[Any, ...]
    error: str
    traceback: list[str]
    timeline: str
    allowed_by: str | None = None


class _BudgetSpent(BaseException):
    """Raised inside hypothesis's test function when the time budget ran out before
    any finding. Not an Exception: hypothesis lets such an exception out at once (as
    it does KeyboardInterrupt), where it would generate every remaining example up to
    max_examples without a call, 4 s of CPU for 10,000 texts."""


class _Found(Exception):
    """Raised inside hypothesis's test function: a call went wrong (then shrunk)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.kind}: {finding.error}")
        self.finding = finding


def fuzz_endpoint(
    client: Any,
    api_name: str | int,
    *,
    max_examples: int = DEFAULT_EXAMPLES,
    max_seconds: float | None = None,
    allow: Iterable[type[BaseException] | str] = (),
    overrides: Mapping[str | int, Any] | None = None,
    seed: int | None = None,
    timeout: float | None = None,
    examples: Sequence[Sequence[Any]] = (),
    database: Any = _DEFAULT,
) -> FuzzResult:
    """Call `api_name` (or an fn_index) with up to `max_examples` generated inputs and
    raise AssertionError on the first that ends in an unhandled exception, a hang
    (past `timeout`, default the client's job timeout) or a broken job, after
    shrinking it.

    `allow`: exception types (matched against the app's traceback in its server log,
    which the plugin has for the apps it starts) and regexes (searched in the error
    text) that are not findings. `overrides`: strategies for some parameters (by
    view_api name or position). `seed`: a fixed seed, for the same run twice.
    `max_seconds`: stop generating new inputs after this long (the first input is
    always called, however long hypothesis took to start). `examples`: argument
    tuples tried first, e.g. a finding pinned after it was fixed. `database`:
    hypothesis's example database (default: hypothesis's, `.hypothesis/` in the
    working directory, so a finding is tried first next time); None for none.

    >>> fuzz_endpoint(gradio_client, "/divide", max_examples=50)
    """
    __tracebackhide__ = True
    from hypothesis import HealthCheck, Verbosity, example, given, settings
    from hypothesis import seed as fixed_seed

    allowed = list(allow)
    _check_allow(allowed)
    fn_index, name = endpoint_name(client, api_name)
    strategy = endpoint_args(client, fn_index, overrides=overrides)
    call_timeout = timeout or getattr(client, "job_timeout", None) or DEFAULT_JOB_TIMEOUT
    app = getattr(client, "gradio_app", None)
    started = time.monotonic()
    state: dict[str, Any] = {"calls": 0, "spent": False, "stop": None, "found": None}

    def outcome(args: tuple[Any, ...]) -> Finding | None:
        stop: Finding | None = state["stop"]
        if stop is not None:
            # A hang or a dead app: calling again costs a timeout each, or fails for
            # the same reason. Only that input fails, so hypothesis keeps it whole.
            return stop if args == stop.args else None
        # The time budget ends the search for new inputs, and a shrink: from then on
        # only the smallest failing input so far fails, without a call, so that
        # hypothesis ends its shrink there (it must see the same outcome for the same
        # input, or it calls the test flaky).
        # Never before the first call: a budget spent before it (hypothesis starting
        # up on a busy machine) would return a result that tried nothing, and pass.
        over = (
            max_seconds is not None
            and state["calls"] > 0
            and time.monotonic() - started > max_seconds
        )
        if over:
            state["spent"] = True
            if state["found"] is None:
                raise _BudgetSpent
            state["stop"] = state["found"]
            return outcome(args)
        state["calls"] += 1
        finding = _call_once(client, fn_index, name, args, call_timeout, app, allowed)
        if finding is not None:
            state["found"] = finding
            if finding.kind != "unhandled exception":
                state["stop"] = finding
        return finding

    def call(args: tuple[Any, ...]) -> None:
        finding = outcome(args)
        if finding is not None:
            # One place that raises: hypothesis tells failures apart by where they
            # were raised, and a replay raised elsewhere would count as flaky.
            raise _Found(finding)

    test: Callable[..., None] = given(strategy)(call)
    for given_args in reversed(list(examples)):
        test = example(tuple(given_args))(test)
    chosen = settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
        **({} if database is _DEFAULT else {"database": database}),
    )
    test = chosen(test)
    if seed is not None:
        test = fixed_seed(seed)(test)
    # hypothesis keys its database by the test function's source, the same for every
    # endpoint here: the app and endpoint make each one's key its own.
    kinds = ",".join(p.kind for p in endpoint_parameters(client, fn_index))
    key = f"pytest-gradio|{getattr(client, 'app_label', None) or ''}|{name}|{kinds}"
    test.hypothesis.inner_test._hypothesis_internal_add_digest = key.encode()  # type: ignore[attr-defined]
    from hypothesis.errors import Flaky

    try:
        test()
    except _BudgetSpent:
        pass
    except _Found as found:
        message = failure_message(found.finding, name, state["calls"], seed, database)
        if state["spent"]:
            message += (
                f"\n(the time budget, max_seconds={max_seconds:g}, ended the shrinking: "
                "a smaller input may fail too)"
            )
        raise AssertionError(message) from None
    except Flaky as flaky:
        # The input failed once and passed when hypothesis called it again: still a
        # crash the app had, told as ours are rather than as hypothesis's
        # exception group around our internal exception.
        finding = _found_in(flaky) or state["found"]
        if finding is None:
            raise
        message = failure_message(finding, name, state["calls"], seed, database)
        raise AssertionError(
            message.replace("(hypothesis's shrunk example, ", "(", 1)
            + "\nNot every time: the same input passed when called again, so the app's "
            "result depends on something besides its input (randomness, state kept "
            "between calls, files, time). The failure above did happen; the replay may "
            "need a few tries."
        ) from None
    return FuzzResult(name, state["calls"], time.monotonic() - started, state["spent"])


def _found_in(error: BaseException) -> Finding | None:
    """The finding inside hypothesis's Flaky error (an exception group since 6.1xx,
    else its cause or context)."""
    seen: list[BaseException] = [error]
    while seen:
        one = seen.pop()
        if isinstance(one, _Found):
            return one.finding
        seen.extend(getattr(one, "exceptions", ()) or ())
        seen.extend(e for e in (one.__cause__, one.__context__) if e is not None)
    return None


def not_callable_reason(client: Any, api_name: str | int) -> str | None:
    """Why calling the endpoint through the API says nothing about the app, or None.

    A function that takes event data (`gr.SelectData`, `gr.EventData`, ...) gets it
    from the page's event (a click on a table cell, a like); through the API it gets
    None, and fails for that, whatever the input. Gradio's config says which do
    (`collects_event_data`)."""
    fn_index, name = endpoint_name(client, api_name)
    dependency = client.endpoints[fn_index].dependency
    if dependency.get("collects_event_data"):
        triggers = ", ".join(
            f"{event}" for _, event in dependency.get("targets") or [] if isinstance(event, str)
        )
        return (
            f"{name} takes event data (gr.SelectData, gr.EventData, ...) from its trigger "
            f"({triggers or 'an event'}), which an API call cannot send: test it from the page"
        )
    return None


def _check_allow(allowed: Sequence[Any]) -> None:
    for item in allowed:
        if isinstance(item, str):
            re.compile(item)
        elif not (isinstance(item, type) and issubclass(item, BaseException)):
            raise TypeError(
                f"fuzz_endpoint(allow=...) takes exception types and regex strings, got "
                f"{item!r}: e.g. allow=(ZeroDivisionError, r'not a number')."
            )


def _call_once(
    client: Any,
    fn_index: int,
    name: str,
    args: tuple[Any, ...],
    call_timeout: float,
    app: Any,
    allowed: Sequence[Any],
) -> Finding | None:
    mark = app.log_mark() if app is not None else None
    job = client.submit(*args, fn_index=fn_index)
    try:
        wait_for_job(job, call_timeout, helper="fuzz_endpoint")
    except JobTimeoutError as exc:
        job.cancel()
        return Finding("hang", args, str(exc).splitlines()[0], [], format_timeline(job.timeline))
    try:
        job.result(timeout=0)
    except (JobStreamError, AppUnreachableError) as exc:
        return Finding("broken job", args, str(exc), [], format_timeline(job.timeline))
    except Exception as exc:
        final = job.timeline.final
        if final is not None and final.error_title is not None:
            return None  # a gr.Error: the app said no on purpose
        if type(exc).__name__ != "AppError":
            return Finding(
                "broken job",
                args,
                f"{type(exc).__name__}: {exc}",
                [],
                format_timeline(job.timeline),
            )
        traceback, raised = _app_traceback(app, mark)
        error = str(exc)
        if HIDDEN_ERROR in error:
            error = (
                raised.strip()
                if raised
                else "hidden by the app (launch(show_error=False), gradio's default); "
                "launch it with show_error=True, or let the plugin start it, to see it"
            )
        allowed_by = _allowed(allowed, error, raised)
        if allowed_by is not None:
            return None
        return Finding("unhandled exception", args, error, traceback, format_timeline(job.timeline))
    return None


CHAINED = ("The above exception was the direct cause", "During handling of the above exception")
# A warning the server logs after a traceback: where the exception's message ends.
_WARNING_LINE = re.compile(r"^\S.*:\d+: \w*Warning: ")


def _app_traceback(app: Any, mark: int | None) -> tuple[list[str], str]:
    """The last traceback the app's server logged since `mark` (with the exceptions
    chained to it, and the rest of a message of several lines), machinery folded; and
    its exception line ('ValueError: ...'). Empty when the app has no log here."""
    if app is None or mark is None:
        return [], ""
    # The server logs the traceback as the job ends; the client may hear of the end
    # first. Wait for it briefly, on the log itself.
    give_up = time.monotonic() + 1.0
    while True:
        lines = app.logs(since=mark).splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent")]
        if starts:
            first = starts[-1]
            end = next(
                (i for i in range(first + 1, len(lines)) if lines[i] and lines[i][0] != " "),
                None,
            )
            if end is not None:
                # Back over the exceptions this one was raised from ("The above ...").
                for earlier in reversed(starts[:-1]):
                    between = "\n".join(lines[earlier:first])
                    if not any(phrase in between for phrase in CHAINED):
                        break
                    first = earlier
                # On to the end of a message of several lines.
                stop = end + 1
                while (
                    stop < len(lines)
                    and stop - end < 15
                    and not lines[stop].startswith("Traceback (most recent")
                    and not _WARNING_LINE.match(lines[stop])
                    and not lines[stop].startswith("gr.Error raised")
                ):
                    stop += 1
                block = lines[first:stop]
                while block and not block[-1].strip():
                    block.pop()
                return compact_tracebacks(block), lines[end]
        if time.monotonic() > give_up:
            return [], ""
        time.sleep(0.01)


def _allowed(allowed: Sequence[Any], error: str, raised: str) -> str | None:
    raised_name = raised.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    for item in allowed:
        if isinstance(item, str):
            if re.search(item, error) or (raised and re.search(item, raised)):
                return repr(item)
            continue
        if raised_name and (raised_name == item.__name__ or _builtin_subclass(raised_name, item)):
            return str(item.__name__)
    return None


def _builtin_subclass(name: str, allowed: type[BaseException]) -> bool:
    import builtins

    raised = getattr(builtins, name, None)
    return isinstance(raised, type) and issubclass(raised, allowed)


def show_args(args: Sequence[Any]) -> str:
    """The arguments as Python source, files as `handle_file('...')` calls."""
    return "(" + ", ".join(_source(a) for a in args) + ("," if len(args) == 1 else "") + ")"


def _source(value: Any) -> str:
    if isinstance(value, dict):
        meta = value.get("meta")
        if isinstance(meta, dict) and meta.get("_type") == "gradio.FileData":
            return f"handle_file({value.get('path')!r})"
        return "{" + ", ".join(f"{k!r}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    return repr(value)


def failure_message(
    finding: Finding, name: str, calls: int, seed: int | None, database: Any
) -> str:
    shown = show_args(finding.args)
    what = {
        "unhandled exception": "raised an exception the app did not handle (not a gr.Error)",
        "hang": "did not finish within the job timeout",
        "broken job": "ended without its result (its job broke)",
    }[finding.kind]
    lines = [
        f"fuzz_endpoint: {name} {what}, for this input (hypothesis's shrunk example, "
        f"after {calls} call(s)):",
        f"  {cut(shown)}",
        f"the app's error: {cut(finding.error)}",
    ]
    if finding.traceback:
        lines.append("the app's traceback (from its server log):")
        if len(finding.traceback) > 40:
            lines.append(f"  ... {len(finding.traceback) - 40} earlier lines not shown ...")
        lines.extend("  " + cut(line) for line in finding.traceback[-40:])
    lines.append(finding.timeline)
    call_args = shown[1:-1].rstrip(",")
    separator = ", " if call_args else ""
    replay = [
        "Replay it:",
        f"  gradio_client.predict({cut(call_args)}{separator}api_name={name!r})",
        f"  fuzz_endpoint(..., examples=[{cut(shown)}])  "
        "# or @example(" + cut(shown) + ") on a @given(endpoint_args(...)) test",
    ]
    if database is None:
        replay.append("  (hypothesis's database is off for this run: pass seed=... to repeat it)")
    else:
        where = os.path.join(os.getcwd(), ".hypothesis")
        replay.append(
            f"  hypothesis saved it in its database ({where}) and tries it first next run"
        )
    if seed is not None:
        replay.append(f"  this run used seed={seed}")
    if any("handle_file(" in line for line in replay):
        replay.append("  (the generated files are removed after the run: use a file of your own)")
    lines.extend(replay)
    return "\n".join(lines)
