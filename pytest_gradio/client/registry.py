"""Clients and jobs from birth to teardown: a registry the plugin
reads (which test ran which job), daemon worker threads, bounded cancellation.

Why daemon threads: gradio_client runs each job on a `ThreadPoolExecutor`, whose
workers are not daemons and are joined when the interpreter exits. A test that fires
a job at an endpoint that never answers and returns would keep pytest from exiting,
for as long as the job hangs. `GradioClient` therefore runs its jobs on
`DaemonExecutor`s: the plugin cancels what is left at teardown, and whatever still
waits on a silent server cannot hold the process.

This module imports nothing heavy: the plugin imports it at load.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .. import deadlines

if TYPE_CHECKING:
    from .recording import GradioClient, RecordedJob

# --- the registry ----------------------------------------------------------------------


class Listener:
    """Told about every client created and job submitted while it listens."""

    def client_created(self, client: GradioClient) -> None:
        """A GradioClient was created."""

    def job_submitted(self, client: GradioClient, job: RecordedJob) -> None:
        """`client` submitted `job` (predict() included)."""


# A stack: an in-process pytest run (pytester) inside a test listens on top of the
# outer session, and only the innermost session owns what its tests do.
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    _listeners.append(listener)


def unlisten(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def client_created(client: GradioClient) -> None:
    """Called by GradioClient.__init__: daemon workers, and the registry."""
    use_daemon_executors(client)
    if _listeners:
        _listeners[-1].client_created(client)


def job_submitted(client: GradioClient, job: RecordedJob) -> None:
    """Called by GradioClient.submit for every job."""
    if _listeners:
        _listeners[-1].job_submitted(client, job)


# --- daemon workers --------------------------------------------------------------------


class DaemonExecutor(concurrent.futures.Executor):
    """A thread pool whose workers are daemon threads (see the module docstring).

    Same contract as `ThreadPoolExecutor`: at most `max_workers` threads, started on
    demand, reused while idle.
    """

    def __init__(self, max_workers: int = 40, name: str = "gradio-job") -> None:
        self._max_workers = max(1, max_workers)
        self._name = name
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._work.put((future, fn, args, kwargs))
            if self._idle > 0:
                self._idle -= 1
            elif len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._worker, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return future

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:
                    future.set_exception(exc)
                    del exc
                else:
                    future.set_result(result)
                    del result
            del future, fn, args, kwargs
            # As ThreadPoolExecutor: work queued before shutdown() still runs; each
            # worker stops at the None that shutdown() queues after it.
            with self._lock:
                self._idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._work.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in threads:
            self._work.put(None)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()


def use_daemon_executors(client: Any) -> None:
    """Replace the stock client's executors (not yet started: they start threads on
    first use) with daemon ones of the same size."""
    workers = getattr(client.executor, "_max_workers", 40)
    old = (client.executor, client.helper_executor, client.stream_executor)
    client.executor = DaemonExecutor(workers, "gradio-job")
    client.helper_executor = DaemonExecutor(2 * workers, "gradio-job-helper")
    client.stream_executor = DaemonExecutor(1, "gradio-stream")
    for executor in old:
        executor.shutdown(wait=False)


# --- bounded cancellation ----------------------------------------------------------------


def cancel_jobs(jobs: Iterable[RecordedJob], budget: float) -> list[RecordedJob]:
    """Cancel the jobs that have not ended; wait at most `budget` seconds (and never
    past the test's deadline) for them to stop. Returns the jobs it cancelled.

    Each cancel asks the server over HTTP; a server that does not answer must not
    hold the teardown, so the requests run on daemon threads.
    """
    # A job whose cancel was already asked for is not waited on twice.
    pending = [job for job in jobs if not job.done() and not job.cancel_requested]
    if not pending:
        return []
    wait, _ = deadlines.bound(budget)
    for job in pending:
        threading.Thread(target=_cancel, args=(job,), name="gradio-cancel", daemon=True).start()
    end = time.monotonic() + (wait or 0.0)
    concurrent.futures.wait(
        [job.future for job in pending], timeout=max(0.0, end - time.monotonic())
    )
    return pending


def _cancel(job: RecordedJob) -> None:
    # A server that went away cannot be asked; the job ends with the client.
    with contextlib.suppress(Exception):
        job.cancel()
