"""Run calls side by side in daemon threads, so that a Ctrl+C never waits for one to finish.

A thread pool's workers are joined when the interpreter exits: a client still in a request
would hold a Ctrl+C back for as long as its timeout. These threads are not waited for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

__all__ = ["HEARING", "side_by_side"]

T = TypeVar("T")

HEARING = 0.05
"""The longest the waiting thread goes without hearing a Ctrl+C. A signal may land on any
thread; one that waits without a timeout hears it only once the thread it waits for ends."""


def side_by_side(calls: Sequence[Callable[[], T]], at_once: int, name: str) -> list[T]:
    """Each call's answer, in order, from at most `at_once` threads named after `name`.

    The first exception a call raised is raised here once every call has ended. An interrupt
    of the waiting thread (Ctrl+C) is raised at once, leaving the threads to end with the process.
    """
    answers: list[T | None] = [None] * len(calls)
    failures: list[BaseException] = []
    left = iter(range(len(calls)))
    taking = threading.Lock()

    def work() -> None:
        while True:
            with taking:
                index = next(left, None)
            if index is None:
                return
            try:
                answers[index] = calls[index]()
            except BaseException as error:  # handed to the waiting thread, which raises it
                failures.append(error)

    threads = [
        threading.Thread(target=work, name=f"{name}-{number}", daemon=True)
        for number in range(min(at_once, len(calls)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(HEARING)
    if failures:
        raise failures[0]
    return cast(list[T], answers)  # every call answered: none failed
