"""Deadlines of one length on one timer: each passes on time, in order, and only if not stopped."""

from __future__ import annotations

import asyncio

from tutor.lab.deadlines import Deadlines


def test_each_deadline_passes_on_time_unless_stopped() -> None:
    async def scenario() -> tuple[list[tuple[str, float]], bool, bool, bool]:
        loop = asyncio.get_running_loop()
        deadlines = Deadlines(0.2)
        began = loop.time()
        passed: list[tuple[str, float]] = []
        for key in ("a", "b", "c"):
            deadlines.start(key, lambda key=key: passed.append((key, loop.time() - began)), loop)
            await asyncio.sleep(0.05)
        stopped_b = deadlines.stop("b")  # in time: never expires
        deadlines.start("a", lambda: passed.append(("a again", loop.time() - began)), loop)
        await asyncio.sleep(0.5)
        return passed, stopped_b, deadlines.stop("c"), deadlines.stop("a")

    passed, stopped_b, passed_c, passed_a = asyncio.run(scenario())
    assert [key for key, _ in passed] == ["c", "a again"]  # "a" restarted; "b" stopped
    assert 0.3 - 0.01 < passed[0][1] < 0.3 + 0.1  # "c" began at 0.1 s
    assert 0.35 - 0.01 < passed[1][1] < 0.35 + 0.1  # "a" began again at 0.15 s
    assert (stopped_b, passed_c, passed_a) == (False, True, True)


def test_a_deadline_cancels_a_task_that_then_learns_why() -> None:
    async def scenario() -> str:
        deadlines = Deadlines(0.1)
        task = asyncio.current_task()
        assert task is not None
        deadlines.start(task, task.cancel, task.get_loop())
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            if deadlines.stop(task) and task.uncancel() == 0:
                return "timed out"
            raise
        return "slept"

    assert asyncio.run(scenario()) == "timed out"


def test_a_new_loop_gets_its_own_timer() -> None:
    deadlines = Deadlines(0.05)

    async def one_run() -> bool:
        fired = asyncio.Event()
        deadlines.start(object(), fired.set, asyncio.get_running_loop())
        await asyncio.wait_for(fired.wait(), 2)
        return fired.is_set()

    async def abandoned() -> None:
        deadlines.start(
            "left behind", lambda: None, asyncio.get_running_loop()
        )  # its loop closes before it passes

    asyncio.run(abandoned())
    assert asyncio.run(one_run())
