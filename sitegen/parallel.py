"""Run a stage's chunks of work on every core through a standard `concurrent.futures.Executor`.

A stage hands its workers one read-only `shared` value (the config, or the model and its pages)
through the executor's `initializer`, and then submits small picklable chunks (lists of paths or
page numbers) to a module-level task that reads `shared()`. Nothing else crosses to a worker.

With the default process pool and the `fork` start method the shared value is inherited, not
pickled. Any other executor with ProcessPoolExecutor's `(max_workers, initializer, initargs)`
constructor, a cluster executor for instance, can be plugged in through `ExecutorFactory`; it
then receives `shared` pickled once per worker, and tasks that write files need the output
folder on a filesystem the workers share.
"""
from __future__ import annotations

import copyreg
import ctypes
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

T = TypeVar("T")
ExecutorFactory = Callable[[int, Callable[[Any], None], tuple[Any, ...]], Executor]

_shared: Any = None  # what the running stage installed in this process


def _mapping_proxy(data: dict) -> MappingProxyType:
    return MappingProxyType(data)


# The model's read-only mappings are MappingProxyType, which pickle refuses; rebuild them.
copyreg.pickle(MappingProxyType, lambda proxy: (_mapping_proxy, (dict(proxy),)))


# Ctrl-C and SIGTERM are held while this process forks. A signal handled during fork() runs its
# Python handler inside an at-fork hook, where an exception (KeyboardInterrupt) is printed and
# ignored: the build would carry on as if it had never been interrupted. Held, the signal
# arrives as soon as the fork is done; the child starts with the mask as it was.
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_mask_for_children: set[signal.Signals] | None = None


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM in this thread until the block ends (see above)."""
    global _mask_for_children
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    _mask_for_children = before
    try:
        yield
    finally:
        _mask_for_children = None
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _restore_mask_in_child() -> None:
    if _mask_for_children is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, _mask_for_children)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restore_mask_in_child)


def default_jobs() -> int:
    """How many cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def install(value: Any) -> None:
    """Make `value` the shared data of this process (an executor's initializer)."""
    global _shared
    _shared = value


def shared() -> Any:
    """The shared data installed for the running stage."""
    return _shared


def process_pool(max_workers: int, initializer: Callable[[Any], None], initargs: tuple[Any, ...]) -> Executor:
    """A local process pool: forked workers when that is safe, else a fork server."""
    # fork() copies only the calling thread; with other threads alive (a dev server, a watcher)
    # a lock one of them holds would stay locked forever in the child.
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() \
        else "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return _ProcessPool(max_workers, mp_context=multiprocessing.get_context(method),
                        initializer=initializer, initargs=initargs)


class _ProcessPool(ProcessPoolExecutor):
    """A process pool that forks its workers (on a submit) with signals held."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """`ProcessPoolExecutor.submit`, with Ctrl-C and SIGTERM held while it may fork."""
        with signals_held():
            return super().submit(fn, *args, **kwargs)


class InlineExecutor(Executor):
    """Runs each call at once in this process: no workers for one job or a small stage."""

    def __init__(self, shared_value: Any) -> None:
        self.shared_value = shared_value

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run `fn` now, with the stage's shared value installed, and return its finished future."""
        future: Future[T] = Future()
        previous = _shared
        install(self.shared_value)
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future like a pool would
            future.set_exception(exc)
        finally:
            install(previous)
        return future


@contextmanager
def stage_executor(jobs: int, shared_value: Any, chunk_count: int,
                   factory: ExecutorFactory | None = None) -> Iterator[Executor]:
    """An executor for one stage: `jobs` workers holding `shared_value`, or inline when one
    job or one chunk makes workers pointless."""
    workers = min(jobs, chunk_count)
    if workers <= 1:
        yield InlineExecutor(shared_value)
        return
    with (factory or process_pool)(workers, install, (shared_value,)) as executor:
        yield executor


class ForkedCall:
    """`fn(*args)` computed in a forked child process while this one carries on.

    For one large task that needs no executor's queues (the search index beside rendering):
    no thread is started, so later process pools may still fork. `result()` waits for the
    value (sent back pickled); `close()` ends the child if its value is not wanted.

    With no `fn` the child is forked at once and waits for `start(fn, *args)`, whose call
    arrives pickled: a child forked early is charged only for the memory this process had then.
    It may `prepare()` meanwhile (read what the call will need, say).
    """

    def __init__(self, fn: Callable[..., Any] | None = None, *args: Any,
                 prepare: Callable[[], Any] | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._orders: Any = None
        if fn is None:
            orders, self._orders = context.Pipe(duplex=False)
            fn, args = _ordered_call, (orders, self._orders, prepare)
        # Not a daemon: a daemon may not start processes of its own, and this one may.
        self._process = context.Process(target=_send_result, args=(send, fn, args))
        with signals_held():
            self._process.start()
        send.close()
        if self._orders is not None:
            orders.close()

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """Have the waiting child compute `fn(*args)`; `args` are pickled."""
        self._orders.send((fn, args))
        self._orders.close()
        self._orders = None

    @staticmethod
    def is_possible() -> bool:
        """True where forking is available and safe (no other thread could hold a lock)."""
        return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()

    def result(self) -> Any:
        """The value of the call; the child's exception if it raised one (with the child's
        traceback as a note), RuntimeError if the child died."""
        try:
            status, value, trace = self._receive.recv()
        except EOFError:
            status, value, trace = "died", None, f"exit code {self._process.exitcode}"
        finally:
            self.close()
        if status == "ok":
            return value
        error = value if isinstance(value, BaseException) else RuntimeError("a forked process failed")
        error.add_note(f"in a forked process:\n{trace}")
        raise error

    def close(self) -> None:
        """Stop the child if it is still running, and reap it."""
        if self._orders is not None:
            self._orders.close()
            self._orders = None
        self._receive.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _send_result(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # The parent's handlers (cli.py turns SIGTERM into an orderly stop) are not this process's:
    # the parent ends it with SIGTERM when its value is not wanted, and handles Ctrl-C itself.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        send.send(("ok", fn(*args), None))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        trace = traceback.format_exc()
        try:
            send.send(("raised", exc, trace))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            send.send(("raised", None, trace))
    send.close()


def _ordered_call(orders: Any, parents_end: Any, prepare: Callable[[], Any] | None) -> Any:
    parents_end.close()  # so that this process sees the end of `orders` if the parent goes
    if prepare is not None:
        prepare()
    fn, args = orders.recv()
    return fn(*args)


def return_freed_memory() -> None:
    """Hand memory this process freed back to the system (glibc keeps it otherwise), so a
    process forked next does not count it as its own. Does nothing without glibc."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def chunked(items: Sequence[T], jobs: int, *, smallest: int = 1, per_job: int = 4) -> list[Sequence[T]]:
    """`items` cut into chunks of at most `1 / (jobs * per_job)` of them (so a slow chunk does
    not idle the others), tapering at the end: once fewer than two full chunks per job are left,
    a chunk takes `1 / (2 * jobs)` of what is left, down to a quarter of the full size, so the
    jobs finish close together (with equal chunks, one job rendered the whole last chunk of a
    build of 10,000 articles, 1.2 s, while the other idled). No chunk is larger than the full
    size (a chunk's outcome is held whole) or, but for the last, smaller than `smallest`."""
    if not items:
        return []
    full = max(smallest, -(-len(items) // (jobs * per_job)))
    least = max(smallest, full // 4)
    chunks, start = [], 0
    while start < len(items):
        size = min(full, max(least, -(-(len(items) - start) // (2 * jobs))))
        chunks.append(items[start:start + size])
        start += size
    return chunks
