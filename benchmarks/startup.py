"""Start-up and exit as a learner feels them, in a real terminal, against a bare Textual app.

Each run is a fresh process in its own tmux window (80x24), run the same way for both apps
(`python -m ...`). The screen is read every few milliseconds: the moment the lesson list first
shows, Enter is sent; the run is usable when the lesson's first step is on screen. Then its
peak memory (VmHWM) is read, and ctrl+q is timed until the process is gone. A returning
learner (a lesson left unfinished) is timed from launch until that lesson is back on screen.
The yardstick is benchmarks/probe.py (Header, OptionList, Footer; Enter pushes a screen); the
runs alternate, so both see the same machine, and the medians are compared. Both run with
bytecode caches, as an installed tutor does (benchmarks.bytecode).

A third series, interleaved with them, is the floor of the lesson screen: the same bare app whose
Enter shows lesson 01's first step in Textual's Markdown widget (`probe --markdown`), as the
tutor does. What it takes over the bare app is what rendering the lesson costs any Textual app;
and the same app started on the lesson (`--reopen`), the floor of a returning learner's start.
"""

from __future__ import annotations

import itertools
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bytecode import cached

__all__ = ["Run", "main", "with_pack"]

SOCKET = "bench-startup"
"""The tmux server of these runs alone (`tmux -L`), never the user's."""
POLL = 0.003
TIMEOUT = 6.0
SETTLE = 0.3
"""After the lesson shows, before its memory is read and ctrl+q pressed: the start-up's work
that follows (saving the step shown) is counted, and the exit does not race it."""
REFUSED = "still loading"
READ = 0.6
"""Seconds a learner reads the list before pressing Enter, in the runs that time the answer to
that Enter alone."""

_names = itertools.count()


@dataclass(frozen=True)
class App:
    """How to launch one of the two, and what on its screen says listed / opened."""

    module: str
    listed: str
    opened: str
    args: tuple[str, ...] = ()


TUTOR = App("tutor", "01 · What a redirect is", "Step 1/")
BARE = App("benchmarks.probe", "01 · one", "Step 1/1 · one")
RESUMED = "Step 2/"
"""The returning learner left lesson 03 at its second step."""


@dataclass(frozen=True)
class Run:
    """One launch: seconds until the list showed and until the lesson showed (None: it never
    did), and from Enter until the lesson showed; whether a key was refused, the peak RSS in MiB,
    and seconds from ctrl+q to gone."""

    listed: float | None
    opened: float | None
    answered: float | None
    refused: bool
    peak_mib: float
    exit: float


def _tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=True
    ).stdout


def _screen(name: str) -> str:
    try:
        return _tmux("capture-pane", "-p", "-t", name)
    except subprocess.CalledProcessError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _until(done: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            return False
        time.sleep(POLL)
    return True


def _floors(root: Path) -> tuple[App, App]:
    """The bare app that shows lesson 01's first step with Textual's Markdown, as the tutor
    does; and the same app started on that screen, as the tutor reopens a lesson."""
    from tutor.course.loader import load_course

    text = root / "step.md"
    text.write_text(load_course().lessons[0].steps[0].text, encoding="utf-8")
    shown = App(BARE.module, BARE.listed, BARE.opened, ("--markdown", str(text)))
    return shown, App(BARE.module, BARE.listed, "Step 1/1 · three", (*shown.args, "--reopen"))


def _once(app: App, home: Path, *, press: bool, opened: str, read: float = 0.0) -> Run:
    """Launch `app` with `home` as its data folder (and its bytecode in the folder above it);
    with `press`, Enter `read` seconds after the list shows."""
    name = f"run{next(_names)}"
    env = cached({"REDIRECT_TUTOR_HOME": str(home)}, str(home.parent))
    started = time.perf_counter()
    pid = int(
        _tmux(
            *("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "-P", "-F", "#{pane_pid}"),
            *(f"-e{key}={value}" for key, value in env.items()),
            *("-c", str(Path.cwd())),
            " ".join(
                ["exec env -u PYTHONDONTWRITEBYTECODE", sys.executable, "-m", app.module]
                + [shlex.quote(arg) for arg in app.args]
            ),
        )
    )
    listed = shown = pressed = None
    refused = False
    screen = ""

    def sees(text: str) -> bool:
        nonlocal screen, refused
        screen = _screen(name)
        refused = refused or REFUSED in screen
        return text in screen or not _alive(pid)

    if press and _until(lambda: sees(app.listed)) and app.listed in screen:
        listed = time.perf_counter() - started
        time.sleep(read)
        pressed = time.perf_counter()
        _tmux("send-keys", "-t", name, "Enter")
    if _until(lambda: sees(opened)) and opened in screen:
        shown = time.perf_counter() - started
    answered = None if shown is None or pressed is None else started + shown - pressed
    time.sleep(SETTLE)
    peak = _peak_mib(pid) if _alive(pid) else 0.0
    quit_at = time.perf_counter()
    _tmux("send-keys", "-t", name, "C-q")
    _until(lambda: not _alive(pid))
    gone = time.perf_counter() - quit_at
    subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)
    return Run(listed, shown, answered, refused, peak, gone)


_FIRST_START_DONE = "done ▔"
"""On the list once the course has loaded: a first start has written what it writes."""


def _homes(root: Path) -> tuple[Path, Path]:
    """A data folder as a first start leaves it (the lesson index, the lab's CA), and a
    returning learner's: the same, with lesson 03 left at its second step."""
    from tutor.course.loader import load_course
    from tutor.progress.record import open_record

    first = root / "first"
    first.mkdir()
    _once(TUTOR, first, press=False, opened=_FIRST_START_DONE)
    (first / "progress.db").unlink(missing_ok=True)
    returning = root / "returning"
    shutil.copytree(first, returning)
    lesson = load_course().lessons[2]
    record = open_record(returning / "progress.db")
    record.show_step(lesson.id, lesson.steps[1].id)
    record.close()
    return first, returning


def _fresh(template: Path, root: Path) -> Path:
    home = root / f"home{next(_names)}"
    shutil.copytree(template, home)
    return home


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _goal(figure: str, tutor: float, bare: float, goal: float, also: bool = True) -> str:
    ratio = tutor / bare
    met = "met" if ratio <= goal and also else "not met"
    return f"goal: {figure} ratio {ratio:.2f} (goal <= {goal}) {met}"


def main(runs: int = 7) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        root = Path(folder)
        try:
            first, returning = _homes(root)
            shown, reopened = _floors(root)
            for warm in (BARE, shown):  # the bytecode caches
                _once(warm, _fresh(first, root), press=True, opened=BARE.opened)
            tutor: list[Run] = []
            bare: list[Run] = []
            floor: list[Run] = []
            resumed: list[Run] = []
            floor_resumed: list[Run] = []
            read: list[Run] = []
            bare_read: list[Run] = []
            for _ in range(runs):
                tutor.append(_once(TUTOR, _fresh(first, root), press=True, opened=TUTOR.opened))
                bare.append(_once(BARE, _fresh(first, root), press=True, opened=BARE.opened))
                floor.append(_once(shown, _fresh(first, root), press=True, opened=BARE.opened))
                resumed.append(_once(TUTOR, _fresh(returning, root), press=False, opened=RESUMED))
                floor_resumed.append(
                    _once(reopened, _fresh(first, root), press=False, opened=reopened.opened)
                )
                for app, series in ((TUTOR, read), (BARE, bare_read)):
                    home = _fresh(first, root)
                    series.append(_once(app, home, press=True, opened=app.opened, read=READ))
        finally:
            subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    _report(runs, tutor, bare, resumed)
    bare_usable = _listed_and_usable(bare)[1]
    usable, back = _listed_and_usable(floor)[1], _listed_and_usable(floor_resumed)[1]
    ours, ours_back = _listed_and_usable(tutor)[1], _listed_and_usable(resumed)[1]
    print(
        f"  floor: the bare app showing lesson 01's first step in Textual's Markdown, as the "
        f"tutor does: usable {usable:.0f} ms, {usable / bare_usable:.2f}x the bare app; started "
        f"on that screen, {back:.0f} ms, {back / bare_usable:.2f}x. The tutor: "
        f"{ours / usable:.2f}x and {ours_back / back:.2f}x these floors"
    )
    answer = _ms([run.answered for run in read if run.answered is not None] or [float("inf")])
    bare_answer = _ms([run.answered for run in bare_read if run.answered is not None])
    print(
        f"  a learner who reads the list first (Enter {READ} s after it shows): Enter -> lesson "
        f"on screen {answer:.0f} ms vs bare {bare_answer:.0f} ms"
    )


def with_pack(pack: Path, runs: int = 5) -> tuple[tuple[float, float], tuple[float, float]]:
    """Launch -> list on screen and launch -> usable (ms, medians), with the lessons of `pack`
    beside the built-in course, then with the built-in course alone, interleaved. Each starts
    from a data folder where it has run once (its lesson index and kept course made), as a
    learner's second start does."""
    packed = App(TUTOR.module, TUTOR.listed, TUTOR.opened, ("--lessons", str(pack)))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        root = Path(folder)
        try:
            alone, _ = _homes(root)
            together = _fresh(alone, root)
            _once(packed, together, press=False, opened=_FIRST_START_DONE)
            with_it: list[Run] = []
            without: list[Run] = []
            for _ in range(runs):
                for app, home, runs_of in ((packed, together, with_it), (TUTOR, alone, without)):
                    runs_of.append(_once(app, _fresh(home, root), press=True, opened=TUTOR.opened))
        finally:
            subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    return _listed_and_usable(with_it), _listed_and_usable(without)


def _listed_and_usable(runs: list[Run]) -> tuple[float, float]:
    never = float("inf")
    return (
        _ms([run.listed if run.listed is not None else never for run in runs]),
        _ms([run.opened if run.opened is not None else never for run in runs]),
    )


def _report(runs: int, tutor: list[Run], bare: list[Run], resumed: list[Run]) -> None:
    refused = sum(run.refused or run.opened is None for run in tutor)
    opened = [run.opened for run in tutor if run.opened is not None] or [float("inf")]
    bare_opened = [run.opened for run in bare if run.opened is not None]
    back = [run.opened for run in resumed if run.opened is not None] or [float("inf")]
    listed = [run.listed for run in tutor if run.listed is not None] or [float("inf")]
    bare_listed = [run.listed for run in bare if run.listed is not None]
    usable, bare_usable = _ms(opened), _ms(bare_opened)
    print(f"start-up in tmux at 80x24, median of {runs} launches each, interleaved:")
    print(f"  list on screen: tutor {_ms(listed):.0f} ms, bare Textual {_ms(bare_listed):.0f} ms")
    print(
        _goal(
            f"launch -> usable (Enter at the list opens the lesson) {usable:.0f} ms vs bare "
            f"{bare_usable:.0f} ms, Enter refused or lost {refused}/{runs},",
            usable,
            bare_usable,
            1.15,
            also=refused == 0,
        )
    )
    reopened = _ms(back)
    print(
        _goal(
            f"returning learner: launch -> lesson reopened {reopened:.0f} ms vs bare usable "
            f"{bare_usable:.0f} ms,",
            reopened,
            bare_usable,
            1.3,
        )
    )
    gone, bare_gone = _ms([run.exit for run in tutor]), _ms([run.exit for run in bare])
    print(_goal(f"ctrl+q -> exit {gone:.0f} ms vs bare {bare_gone:.0f} ms,", gone, bare_gone, 1.2))
    peak = statistics.median(run.peak_mib for run in tutor)
    bare_peak = statistics.median(run.peak_mib for run in bare)
    print(
        _goal(
            f"peak RSS after opening a lesson {peak:.1f} MiB vs bare {bare_peak:.1f} MiB,",
            peak,
            bare_peak,
            1.5,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
