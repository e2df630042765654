"""Forking with Ctrl-C on the way: the interrupt must reach the build, never vanish in fork()."""
from __future__ import annotations

import subprocess
import sys
import textwrap

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
