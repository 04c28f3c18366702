"""Stop an example that runs too long, with a message that names it and the limit.

sphinx-gallery runs each example inside the build's own process, with no time
limit: an example that hangs would hang the build, and CI, without a word. Before
each example (sphinx-gallery's ``reset_modules`` hook; see ``conf.py``) :func:`limit`
arms a timer, and disarms it after. Past the limit the timer raises
:class:`ExampleTimeout` inside the example; sphinx-gallery reports it as a failing
example with its traceback, and the build fails.

``LEGENDRE_EXAMPLE_LIMIT`` sets the limit in seconds (default: 600, ten minutes).
The timer is a POSIX interval timer: on Windows examples run without a limit.
"""

from __future__ import annotations

import os
import signal
import threading

#: The limit, in seconds, when ``LEGENDRE_EXAMPLE_LIMIT`` is not set.
DEFAULT_SECONDS = 600.0
VARIABLE = "LEGENDRE_EXAMPLE_LIMIT"


class ExampleTimeout(Exception):
    """An example ran past the limit."""


def limit_seconds(value: str | None) -> float:
    """The limit that ``LEGENDRE_EXAMPLE_LIMIT`` sets, or the default when it is unset."""
    if value is None or not value.strip():
        return DEFAULT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"{VARIABLE} must be a positive number of seconds, got {value!r}")
    return seconds


def limit(gallery_conf: dict, fname: str | None, when: str) -> None:
    """Arm the timer before an example runs (``when="before"``), disarm it after."""
    if fname is None or not hasattr(signal, "setitimer"):  # None: entering a folder
        return
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    if when != "before":
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    seconds = limit_seconds(os.environ.get(VARIABLE))

    def stop(signum, frame):
        raise ExampleTimeout(
            f"the example {fname} ran past the limit of {seconds:g} s and was stopped; "
            f"set {VARIABLE} (in seconds) for a longer limit"
        )

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
