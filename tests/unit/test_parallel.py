"""Forking with Ctrl-C on the way: the interrupt must reach the build, never vanish in fork()."""
from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support import REPO

# A SIGINT that arrives while fork() runs its at-fork hooks: the hook below sends it at the
# worst moment. Python prints and ignores an exception raised inside such a hook, so without
# signals held the KeyboardInterrupt is lost and the script would print "carried on".
SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from sitegen.parallel import ForkedCall, process_pool
    os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))

    def fork_once():
        if sys.argv[1] == "forked-call":
            ForkedCall(abs, -1).result()
        else:
            with process_pool(1, print, ("",)) as pool:
                pool.submit(abs, -1).result()

    try:
        fork_once()
    except KeyboardInterrupt:
        print("interrupted")
    else:
        print("carried on")
""")


def _run(kind: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, kind], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_ctrl_c_during_a_forked_call_interrupts_the_parent() -> None:
    run = _run("forked-call")
    assert run.stdout.strip() == "interrupted", run.stderr
    assert "Exception ignored" not in run.stderr


def test_ctrl_c_while_a_pool_forks_its_workers_interrupts_the_parent() -> None:
    run = _run("pool")
    assert run.stdout.strip() == "interrupted", run.stderr
    assert "Exception ignored" not in run.stderr


# A waiting ForkedCall is forked before the parent grows; what it is sent later arrives pickled.
WAITING = textwrap.dedent("""
    import multiprocessing
    from sitegen.parallel import ForkedCall
    state = {"held": "at the fork"}

    def held(suffix):
        return state["held"] + suffix

    call = ForkedCall()
    state["held"] = "after the fork"  # the parent changes; the waiting child does not see it
    call.start(held, "!")
    print(call.result())
    prepared = ForkedCall(prepare=lambda: state.update(held="prepared in the child"))
    prepared.start(held, "?")
    print(prepared.result(), state["held"])
    unused = ForkedCall()
    print(len(multiprocessing.active_children()))
    unused.close()
    print(len(multiprocessing.active_children()))
""")


def test_a_waiting_forked_call_runs_what_it_is_sent_with_the_memory_it_forked_with() -> None:
    run = subprocess.run([sys.executable, "-c", WAITING], capture_output=True, text=True, timeout=60,
                         cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert run.stdout.split("\n") == ["at the fork!", "prepared in the child? after the fork", "1", "0", ""], \
        run.stderr


FREED = textwrap.dedent("""
    import gc
    from sitegen.parallel import return_freed_memory

    def resident_mb():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    held = [bytearray(1000) for _ in range(100_000)]  # ~100 MB in small blocks, as analysed documents are
    pinned = bytearray(1000)  # above them in the heap, so glibc cannot shrink the heap when they go
    del held
    gc.collect()
    before = resident_mb()
    return_freed_memory()
    print(round(before - resident_mb()))
""")


def test_freed_memory_is_handed_back_before_a_fork() -> None:
    # The search index process frees the analysis cache before forking the process that scores
    # half of the index; without this, the fork counted ~0.5 GB at 100,000 articles as its own.
    if not Path("/proc/self/statm").exists() or "glibc" not in " ".join(platform.libc_ver()):
        pytest.skip("glibc and /proc only")
    run = subprocess.run([sys.executable, "-c", FREED], capture_output=True, text=True, timeout=60,
                         cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert int(run.stdout) > 30, run.stderr
