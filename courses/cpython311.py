"""A guard against a use-after-free in CPython 3.11 that crashed workers (SIGSEGV).

CPython 3.11 keeps an object's attributes in an inline "values" array until something
needs a real dictionary (an attribute name its class has not seen, `obj.__dict__`). While
it builds that dictionary it allocates, the allocation can start the cyclic garbage
collector, and the collector runs weakref callbacks. If a callback changes the attributes
of the very object whose dictionary is being built, the values array is freed underneath
it and the interpreter goes on with freed memory: heap corruption, then a segfault
somewhere later ("Garbage-collecting", malloc_consolidate(), …).

SQLAlchemy's InstanceState is such an object: its weakref callback (`_cleanup`, run when
the mapped object dies in a reference cycle, which every object with a two-way
relationship is) deletes and sets attributes of the state, and the ORM adds attributes
to states as it loads and detaches them. Under gunicorn the participant dashboard of a
cadre with sixty courses killed a worker every twenty requests or so, on SQLite and
PostgreSQL alike (benchmarks/README.md); `tests/test_cpython311.py` holds a twenty-line
reproducer without SQLAlchemy. Python 3.12 keeps attributes differently and does not crash.

The guard: give every InstanceState its real dictionary first thing in `__init__`, before
any weakref callback can point at it. Later attribute changes go to that dictionary, and
inserting into a dictionary never runs the collector.
"""
from __future__ import annotations

import functools
import sys

AFFECTED = sys.version_info[:2] == (3, 11)


def materialize_dict_first(cls: type) -> type:
    """Make instances of cls start with a real __dict__ (see the module's docstring)."""
    original_init = cls.__init__
    if getattr(original_init, "materializes_dict_first", False):
        return cls

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        self.__dict__  # noqa: B018  (reading it is what turns inline values into a dict)
        original_init(self, *args, **kwargs)

    __init__.materializes_dict_first = True
    cls.__init__ = __init__
    return cls


def guard_sqlalchemy_states() -> None:
    """Apply the guard to SQLAlchemy's InstanceState on CPython 3.11 (a no-op elsewhere)."""
    if AFFECTED:
        from sqlalchemy.orm.state import InstanceState

        materialize_dict_first(InstanceState)
