"""Endpoint coverage (--gradio-coverage): which of an app's endpoints the run exercised,
and how (API jobs, page jobs, MCP tool calls; finished, error, cancelled).

Plain data, so that a worker's tally travels to the xdist controller and merges there:
an app's endpoints come from its config (`endpoints`), each job adds one count under
a raw key (`job_key`: its fn_index, or the tool it called), and keys are matched to
endpoints only when the table is made (`document`), once every config and tool map
is known. Nothing here imports gradio or pytest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .reporting import job_outcome

KINDS = ("api", "page", "mcp")
OUTCOMES = ("finished", "error", "cancelled")
COLUMNS = (*KINDS, *OUTCOMES)
# A trigger list longer than this is cut (gr.on over many components).
MAX_TRIGGERS = 3
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


# --- an app's endpoints, from its config ----------------------------------------------------


def visibility(dependency: Mapping[str, Any]) -> str:
    """'public', 'undocumented' (callable by the API, not in view_api) or 'private' (the
    API refuses it: only the page can run it). Gradio 6 says it in `api_visibility`;
    5.x said private with `api_name: false` and undocumented with `show_api: false`."""
    given = dependency.get("api_visibility")
    if isinstance(given, str):
        return given
    if dependency.get("api_name") is False:
        return "private"
    if dependency.get("show_api") is False:
        return "undocumented"
    return "public"


def component_name(component: Mapping[str, Any] | None, target: Any, root: Any) -> str:
    """How the user knows a component: its label, else `#elem_id`, else a button's text,
    else `kind#id`; the Blocks itself is `demo`."""
    if component is None:
        return "demo" if target == root or target is None else f"block#{target}"
    props = component.get("props") or {}
    label = props.get("label")
    if isinstance(label, str) and label.strip():
        return label if _IDENTIFIER.match(label) else repr(label)
    elem_id = props.get("elem_id")
    if isinstance(elem_id, str) and elem_id:
        return f"#{elem_id}"
    value = props.get("value")
    if component.get("type") == "button" and isinstance(value, str) and value.strip():
        return value if _IDENTIFIER.match(value) else repr(value)
    return f"{component.get('type', 'block')}#{target}"


def endpoints(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The app's endpoints, one per event with a Python function (js-only events run no
    job), in fn_index order: fn, trigger as written (`Greet.click`, `demo.load`,
    `Greet.click.then`), api_name ('/greet', None when private) and visibility.

    >>> endpoints(gradio_client.config)[0]
    {'fn': 0, 'trigger': 'Greet.click', 'api_name': '/greet', 'visibility': 'public'}
    """
    components = {c.get("id"): c for c in config.get("components") or () if isinstance(c, dict)}
    root = (config.get("layout") or {}).get("id", 0)
    dependencies = list(config.get("dependencies") or ())
    by_id = {dep.get("id", i): dep for i, dep in enumerate(dependencies)}

    def trigger(dep: Mapping[str, Any], depth: int = 0) -> str:
        names = []
        for target in dep.get("targets") or ():
            block, event = (list(target) + [None, None])[:2]
            if block is None and dep.get("trigger_after") is not None and depth < 20:
                parent = by_id.get(dep["trigger_after"])
                before = trigger(parent, depth + 1) if parent is not None else "?"
                names.append(f"{before}.{event}")
            else:
                names.append(f"{component_name(components.get(block), block, root)}.{event}")
        if len(names) > MAX_TRIGGERS:
            names = [*names[:MAX_TRIGGERS], f"+{len(names) - MAX_TRIGGERS} more"]
        return ", ".join(names) or "(no trigger)"

    found = []
    for i, dep in enumerate(dependencies):
        if dep.get("backend_fn") is False:
            continue
        seen = visibility(dep)
        name = dep.get("api_name")
        found.append(
            {
                "fn": int(dep.get("id", i)),
                "trigger": trigger(dep),
                "api_name": "/" + name if isinstance(name, str) and seen != "private" else None,
                "visibility": seen,
            }
        )
    return found


# --- one job ----------------------------------------------------------------------------------


def job_kind(job: Any) -> str:
    """'page' (the browser ran it), 'mcp' (a tool call) or 'api'. By class name, as
    `reporting` tells an AppError: importing browser/ or mcp_client/ here would load
    what a run without them does not need."""
    names = {cls.__name__ for cls in type(job).__mro__}
    if "ToolCall" in names:
        return "mcp"
    return "page" if "PageJob" in names else "api"


def job_key(job: Any) -> str:
    """What a job says of its endpoint: `fn:3`, `tool:greet`, or `name:/greet` (a job
    that does not know its fn_index)."""
    if job_kind(job) == "mcp":
        return f"tool:{getattr(job, 'tool', '?')}"
    fn_index = getattr(job, "fn_index", None)
    if isinstance(fn_index, int):
        return f"fn:{fn_index}"
    return f"name:{job.timeline.endpoint}"


def outcome_bucket(job: Any) -> str:
    """finished, error (the app raised, asserted or not, or the client failed) or
    cancelled (a job still running when counted was left running: teardown cancels it)."""
    outcome = job_outcome(job)
    if outcome == "ok":
        return "finished"
    if outcome in ("cancelled", "running"):
        return "cancelled"
    return "error"


# --- the tally --------------------------------------------------------------------------------


class Tally:
    """Per app label: its endpoints (once learned), its MCP tool map, and counts per
    raw job key. `data()` and `merge()` move it between processes."""

    def __init__(self) -> None:
        self.apps: dict[str, dict[str, Any]] = {}

    def _app(self, label: str) -> dict[str, Any]:
        return self.apps.setdefault(label, {"endpoints": None, "tools": {}, "counts": {}})

    def knows(self, label: str) -> bool:
        return self.apps.get(label, {}).get("endpoints") is not None

    def learn(self, label: str, config: Mapping[str, Any] | None) -> None:
        """Record the app's endpoints from `config`, the first time one is given."""
        app = self._app(label)
        if app["endpoints"] is None and config is not None:
            app["endpoints"] = endpoints(config)

    def learn_tools(self, label: str, tools: Mapping[str, str]) -> None:
        """Tool name -> the endpoint it calls ('/greet'), as the app's MCP schema says."""
        self._app(label)["tools"].update(tools)

    def count(self, label: str, job: Any) -> None:
        counts = self._app(label)["counts"].setdefault(job_key(job), dict.fromkeys(COLUMNS, 0))
        counts[job_kind(job)] += 1
        counts[outcome_bucket(job)] += 1

    def data(self) -> dict[str, Any]:
        return {"apps": self.apps}

    def merge(self, data: Mapping[str, Any]) -> None:
        for label, other in (data.get("apps") or {}).items():
            app = self._app(label)
            if app["endpoints"] is None:
                app["endpoints"] = other.get("endpoints")
            app["tools"].update(other.get("tools") or {})
            for key, counts in (other.get("counts") or {}).items():
                mine = app["counts"].setdefault(key, dict.fromkeys(COLUMNS, 0))
                for column in COLUMNS:
                    mine[column] += int(counts.get(column, 0))

    def document(self, fail_under: float | None = None) -> dict[str, Any]:
        """The coverage table as plain data (the summary JSON's `coverage`, the HTML
        report's section): per app its endpoints with counts, covered of total, and
        the jobs no endpoint matched; then the total."""
        apps = [_app_document(label, self.apps[label]) for label in sorted(self.apps)]
        covered = sum(a["covered"] for a in apps)
        total = sum(a["total"] for a in apps)
        return {
            "apps": apps,
            "covered": covered,
            "total": total,
            "percent": percent(covered, total),
            "fail_under": fail_under,
        }


def _app_document(label: str, app: Mapping[str, Any]) -> dict[str, Any]:
    known = app.get("endpoints")
    rows = [
        {**e, "page_only": e["visibility"] == "private", **dict.fromkeys(COLUMNS, 0)}
        for e in known or ()
    ]
    by_fn = {row["fn"]: row for row in rows}
    by_name = {row["api_name"]: row for row in rows if row["api_name"]}
    tools = app.get("tools") or {}
    unmatched = []
    for key, counts in sorted((app.get("counts") or {}).items()):
        kind, _, value = key.partition(":")
        row = None
        if kind == "fn" and value.lstrip("-").isdigit():
            row = by_fn.get(int(value))
        elif kind == "name":
            row = by_name.get(value)
        elif kind == "tool" and value in tools:
            row = by_name.get("/" + tools[value].lstrip("/"))
        if row is None:
            unmatched.append({"key": key, **counts})
            continue
        for column in COLUMNS:
            row[column] += int(counts.get(column, 0))
    for row in rows:
        row["covered"] = any(row[kind] for kind in KINDS)
    covered = sum(1 for row in rows if row["covered"])
    return {
        "app": label,
        "known": known is not None,
        "endpoints": rows,
        "covered": covered,
        "total": len(rows),
        "percent": percent(covered, len(rows)),
        "unmatched": unmatched,
    }


def percent(covered: int, total: int) -> float:
    """Covered of total, in percent; an app without endpoints has nothing to miss."""
    return 100.0 * covered / total if total else 100.0


def format_percent(value: float) -> str:
    """Whole percents, as pytest-cov shows them, except that a value under 100 never
    rounds up to 100 (nor one over 0 down to 0): '99%' is not '100%'."""
    shown = round(value)
    if shown == 100 and value < 100:
        shown = 99
    if shown == 0 and value > 0:
        shown = 1
    return f"{shown}%"


# --- the terminal section ---------------------------------------------------------------------


def row_notes(row: Mapping[str, Any]) -> str:
    """'missed' (no job ran it) and 'page only' (private: the API refuses it)."""
    notes = [("missed", not row["covered"]), ("page only", row["page_only"])]
    return ", ".join(word for word, on in notes if on)


HEADER = ("fn", "trigger", "api_name", *COLUMNS)


def format_coverage(document: Mapping[str, Any]) -> list[str]:
    """The terminal section: per app a line with its fraction, then one aligned row per
    endpoint (a note says `missed` and `page only`), then the total."""
    lines: list[str] = []
    for app in document["apps"]:
        if not app["known"]:
            lines.append(
                f"{app['app']}: endpoints unknown (the app's config could not be read); "
                f"{sum(u['api'] + u['page'] + u['mcp'] for u in app['unmatched'])} job(s) ran"
            )
            continue
        lines.append(
            f"{app['app']}: {app['covered']} of {app['total']} endpoints covered "
            f"({format_percent(app['percent'])})"
        )
        table = [list(HEADER)]
        notes = []
        for row in app["endpoints"]:
            api_name = row["api_name"] or "private"
            if row["visibility"] == "undocumented":
                api_name += " (undocumented)"
            table.append(
                [str(row["fn"]), row["trigger"], api_name, *(str(row[c]) for c in COLUMNS)]
            )
            notes.append(row_notes(row))
        widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
        for line, note in zip(table, ["", *notes], strict=True):
            cells = [line[0].rjust(widths[0])]
            cells += [cell.ljust(widths[i + 1]) for i, cell in enumerate(line[1:3])]
            cells += [cell.rjust(widths[i + 3]) for i, cell in enumerate(line[3:])]
            lines.append(("  " + "  ".join(cells) + ("  " + note if note else "")).rstrip())
        for extra in app["unmatched"]:
            jobs = sum(extra[kind] for kind in KINDS)
            lines.append(f"  not matched to an endpoint: {extra['key']} ({jobs} job(s))")
    lines.append(
        f"TOTAL: {document['covered']} of {document['total']} endpoints covered "
        f"({format_percent(document['percent'])})"
    )
    page_only = [
        f"{app['app']} fn {row['fn']} ({row['trigger']})"
        for app in document["apps"]
        for row in app["endpoints"]
        if row["page_only"]
    ]
    if page_only:
        lines.append(
            "page only (api_visibility='private' or api_name=False: the API refuses them, "
            "only page jobs count): " + "; ".join(page_only)
        )
    return lines


def under(document: Mapping[str, Any], required: float) -> str | None:
    """The fail-under verdict: None when the total reaches `required` percent, else a
    line naming the total and each app under it, by how many points."""
    if document["percent"] >= required:
        return None
    shortfalls = [
        f"{app['app']} {app['percent']:.1f}% ({required - app['percent']:.1f} points under)"
        for app in document["apps"]
        if app["percent"] < required
    ]
    return (
        f"total {document['percent']:.1f}% ({document['covered']} of {document['total']} "
        f"endpoints) is {required - document['percent']:.1f} points under the required "
        f"{required:g}%; apps under it: {', '.join(shortfalls)}"
    )
