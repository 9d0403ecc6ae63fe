"""The guard against CPython 3.11's use-after-free (courses/cpython311.py).

The reproducer runs in a child process: without the guard it corrupts the heap and the
child dies of SIGSEGV on 3.11; with it the child ends normally.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from courses.cpython311 import AFFECTED

PROJECT_DIR = Path(__file__).resolve().parent.parent

# An object whose weakref callback changes its attributes, and a new attribute set on it
# while the collector is about to run: SQLAlchemy's InstanceState in twenty lines.
REPRODUCER = textwrap.dedent("""
    import gc, sys, weakref
    from courses.cpython311 import materialize_dict_first

    class State:
        def __init__(self, obj):
            self.loaded = True
            self.obj = weakref.ref(obj, self.cleanup)

        def cleanup(self, ref):
            del self.loaded
            for index in range(20):
                setattr(self, f"cleared_{index}", None)

    class Mapped:
        pass

    if sys.argv[1] == "guarded":
        materialize_dict_first(State)
    states = []
    for number in range(200):
        obj = Mapped()
        obj.myself = obj  # a cycle: only the collector frees it
        states.append(State(obj))
        del obj
        gc.set_threshold(1)  # the collector runs at the next allocation: the new dict's
        setattr(states[-1], f"new_{number}", number)
        gc.set_threshold(700)
    gc.collect()
    print("survived")
""")


def run_reproducer(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", REPRODUCER, mode], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=120, env={"PYTHONMALLOC": "debug", "PATH": "/usr/bin:/bin"})


def test_the_guarded_reproducer_ends_normally():
    result = run_reproducer("guarded")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"


@pytest.mark.skipif(not AFFECTED, reason="the interpreter bug is CPython 3.11's")
def test_without_the_guard_the_reproducer_crashes_on_python_311():
    # The control: shows the reproducer does reach the bug, so the test above can fail.
    assert run_reproducer("plain").returncode != 0


@pytest.mark.skipif(not AFFECTED, reason="the guard is applied on CPython 3.11 only")
def test_sqlalchemy_states_are_guarded_once_the_app_is_imported():
    from sqlalchemy.orm.state import InstanceState

    import courses  # noqa: F401

    assert getattr(InstanceState.__init__, "materializes_dict_first", False)
