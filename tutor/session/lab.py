"""The lab as front ends use it: start it, wait for it, run experiments on it, follow its journal.

One `LabSession` owns a lab server, its journal and the runner; nothing else starts a lab or
passes `(spec, url, journal)` around. Heavy modules (uvicorn, httpx) load on first use.

Asked to join a class (`--join URL --name NAME`), it uses the teacher's lab instead, under the
student's prefix (tutor.classroom.student); when that lab cannot be reached or refuses the
name, it starts a lab of its own and `notice` says so in one sentence. Experiments that change
scheme go to the class lab's TLS listener, with the CA it offered as the tutor joined; a class
lab that offered none (no TLS, or an older `serve`) has them run on a lab of the tutor's own,
started when the first one comes.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, cast

from tutor.validated import dump

if TYPE_CHECKING:
    from tutor.classroom.student import ClassJournal, Join, JoinedLab
    from tutor.course.exercises import Answer
    from tutor.experiments.clients.base import Cancel
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import ExperimentSpec
    from tutor.lab.authority import Authority
    from tutor.lab.evidence import Evidence
    from tutor.lab.journal import Hop, Journal
    from tutor.lab.server import LabServer

__all__ = ["LAB_WAIT", "RUN_WAIT", "LabSession", "LabUnavailable"]

LAB_WAIT = 15.0
"""Seconds an experiment waits for a lab that is still starting."""
RUN_WAIT = 60.0
"""Seconds a student's tutor waits for a run the class lab makes for it (a busy lab runs a few
at a time)."""


def _authority() -> tuple[Authority | None, str | None]:
    """The local CA of the learner's data folder (made on first use); or None and why it cannot
    be kept, which the lab then says of its missing TLS listener."""
    from tutor.lab.authority import FOLDER, AuthorityError, local_authority
    from tutor.progress.location import home

    try:
        return local_authority(home() / FOLDER), None
    except AuthorityError as error:
        return None, str(error)


def _student() -> ModuleType | None:
    """tutor.classroom.student, once imported: a joined lab is made only after, so a session on
    a lab of its own never imports it (httpx, the class's models) just to learn it is not one."""
    return sys.modules.get("tutor.classroom.student")


class LabUnavailable(Exception):
    """No lab to run experiments against; the message says why, for the learner."""


class LabSession:
    """A lab server and its journal, with the runner that sends experiments to it.

    Without `lab`, `start()` starts one on `host` (a free port) and `stop()` stops it for good;
    a given `lab` is used as it is and left running. Safe to use from any thread.
    """

    def __init__(
        self,
        lab: LabServer | None = None,
        *,
        host: str = "127.0.0.1",
        journal: Journal | None = None,
        join: Join | None = None,
    ) -> None:
        self._lab: LabServer | JoinedLab | None = lab
        self._owned = lab is None
        self._host = host
        self._journal = journal
        self._join = join
        self.error: str | None = None
        """Why the lab is not running, once it failed to start."""
        self.notice: str | None = None
        """What the student must hear about the class they asked to join: it could not be
        reached, or refused the name, so this session runs on a lab of its own."""
        self.not_joined: str | None = None
        """Why the class asked for was not joined, in a clause ("the class lab at ... cannot be
        reached (connection refused)")."""
        self._starting = threading.Lock()
        self._secure_lab: LabServer | None = None
        """A joined session's lab of its own, for experiments that change scheme."""
        self._stopped = False
        self._settled = threading.Event()
        if lab is not None:
            self._settled.set()
        self._on_settle: Callable[[], object] | None = None

    @property
    def joins(self) -> bool:
        """Asked to join a class: the teacher expects the student at once, so a front end
        starts it early; a lab of the session's own starts when first needed (`wait`)."""
        return self._join is not None

    def on_settle(self, listener: Callable[[], object]) -> None:
        """Call `listener` each time a start ends, started or not (`name` and `error` say
        which), on the thread that started it: it must return at once. A front end shows the
        lab's address by it, since the lab starts when something first needs it."""
        self._on_settle = listener

    def start(self) -> LabServer | JoinedLab:
        """Start the lab, or join the class (blocks; call it from a worker thread).
        LabUnavailable says why not."""
        from tutor.lab.server import LabError, LabServer

        with self._starting:
            if self._lab is not None and not self._stopped:
                return self._lab
            try:
                if self._stopped:  # the front end is closing: a lab now would outlive it
                    raise LabError("the tutor is closing")
                if self._join is not None and self.notice is None:
                    joined = self._joined(self._join)
                    if joined is not None:
                        self._lab = joined
                        return joined
                authority, no_authority = _authority()
                self._lab = LabServer(
                    self._host,
                    journal=self._journal,
                    authority=authority,
                    no_authority=no_authority,
                ).start()
            except LabError as error:
                self.error = str(error)
                raise LabUnavailable(f"The lab server did not start: {error}") from None
            finally:
                self._settled.set()
                if self._on_settle is not None:
                    self._on_settle()
            return self._lab

    def _joined(self, join: Join) -> JoinedLab | None:
        """The teacher's lab, joined under the student's name; None (and `notice` says why)
        when it cannot be."""
        from tutor.classroom.student import ClassRefused, ClassUnreachable, JoinedLab

        try:
            return JoinedLab(join).start()
        except ClassUnreachable as error:
            why = str(error)
        except ClassRefused as error:
            why = f"the class lab refused the name {join.name}: {error}"
        self.not_joined = why.rstrip(".")
        self.notice = (
            f"Not joined: {self.not_joined}. You are on a lab of your own: everything works, "
            "but the teacher does not see this work."
        )
        return None

    @property
    def joined(self) -> Join | None:
        """The class this session runs on, once joined (None: a lab of its own)."""
        student = _student()
        if student is None or not isinstance(self._lab, student.JoinedLab):
            return None
        return cast("JoinedLab", self._lab).join

    def stop(self) -> None:
        """Stop the lab if this session started it; a start still under way is waited for, and
        none comes after."""
        with self._starting:
            self._stopped = True
            if self._owned and self._lab is not None:
                self._lab.stop()
            if self._secure_lab is not None:
                self._secure_lab.stop()

    def __enter__(self) -> LabSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, timeout: float = LAB_WAIT) -> LabServer | JoinedLab:
        """The running lab, started now if it has not been (a lab of the session's own starts
        when first needed). Blocks: call it from a worker thread."""
        if not self._settled.is_set() and not self._starting.locked():  # else: being started
            with contextlib.suppress(LabUnavailable):  # said below, as `error`
                self.start()
        if not self._settled.wait(timeout):
            raise LabUnavailable("The lab server is still starting; try again in a moment.")
        if self._lab is None or not self._lab.running:
            from tutor.classroom.student import JoinedLab

            if isinstance(self._lab, JoinedLab):
                raise LabUnavailable(self._lab.trouble)
            raise LabUnavailable(f"The lab server is not running: {self.error or 'it stopped'}")
        return self._lab

    @property
    def url(self) -> str | None:
        """The lab's URL once it runs."""
        return self._lab.url if self._lab is not None else None

    @property
    def base_url(self) -> str | None:
        """The lab's URL without a student's prefix: where a student sends /s/NAME/..."""
        joined = self.joined
        return joined.base if joined is not None else self.url

    @property
    def journal(self) -> Journal | ClassJournal | None:
        """The running lab's journal (a joined tutor's view of the teacher's)."""
        return self._lab.journal if self._lab is not None else None

    @property
    def name(self) -> str:
        """How the header and the ladder name the lab, e.g. "lab 127.0.0.1:8307", or "class
        lab 192.0.2.7:8307 as ada"."""
        if (joined := self.joined) is not None:
            return f"class lab {joined.base.removeprefix('http://')} as {joined.name}"
        if self._lab is not None:
            own = "own lab" if self.not_joined else "lab"  # not the class's: short, for a title
            return f"{own} {self._lab.url.removeprefix('http://')}"
        return "lab not running" if self.error is not None else "lab starting…"

    def run(self, spec: ExperimentSpec, cancel: Cancel | None = None) -> Outcome:
        """Run one experiment live (waiting for the lab); LabUnavailable when there is none."""
        return self.run_many([spec], cancel=cancel)[0]

    def run_many(
        self,
        specs: Sequence[ExperimentSpec],
        on_outcome: Callable[[Outcome], object] | None = None,
        cancel: Cancel | None = None,
    ) -> list[Outcome]:
        """Run experiments live, each client's share as one batch; `on_outcome` hears each one
        as it lands. Once `cancel` is set the run kills its programs and returns what it has."""
        from tutor.experiments.runner import run_many

        lab = self.wait()
        joined, tls = self.joined, lab.tls
        if tls.problem is not None and joined and any(spec.secure for spec in specs):
            return self._run_split(specs, on_outcome, cancel)
        student = _student()
        unreachable: tuple[type[Exception], ...] = ()
        if joined is not None and student is not None:
            unreachable = (student.ClassUnreachable,)
        try:
            return run_many(
                specs, lab.url, lab.journal, on_outcome=on_outcome, cancel=cancel, tls=tls
            )
        except unreachable as error:
            self.wait()  # says why, and what the student can do
            raise LabUnavailable(f"The class lab did not answer: {error}.") from None

    def _run_split(
        self,
        specs: Sequence[ExperimentSpec],
        on_outcome: Callable[[Outcome], object] | None,
        cancel: Cancel | None,
    ) -> list[Outcome]:
        """A joined session's run when the class lab has no TLS listener: what changes scheme
        on a lab of its own, the rest on the class's."""
        from tutor.experiments.runner import run_many

        secure = [index for index, spec in enumerate(specs) if spec.secure]
        plain = [index for index, spec in enumerate(specs) if not spec.secure]
        outcomes: dict[int, Outcome] = {}
        if plain:
            ran = self.run_many([specs[i] for i in plain], on_outcome, cancel)
            outcomes.update(zip(plain, ran, strict=True))
        own = self._own_secure_lab()
        ran = run_many(
            [specs[i] for i in secure],
            own.url,
            own.journal,
            on_outcome=on_outcome,
            cancel=cancel,
            tls=own.tls,
        )
        outcomes.update(zip(secure, ran, strict=True))
        return [outcomes[index] for index in range(len(specs))]

    def _own_secure_lab(self) -> LabServer:
        """The lab of its own a joined session runs scheme changes on, started once."""
        from tutor.lab.server import LabError, LabServer

        with self._starting:
            if self._stopped:
                raise LabUnavailable("The lab server did not start: the tutor is closing")
            if self._secure_lab is None:
                try:
                    authority, no_authority = _authority()
                    self._secure_lab = LabServer(
                        self._host, authority=authority, no_authority=no_authority
                    ).start()
                except LabError as error:
                    raise LabUnavailable(f"The lab server did not start: {error}") from None
            return self._secure_lab

    def follow(self, listener: Callable[[Hop], None], replay: int = 0) -> None:
        """Call `listener` with the `replay` most recent hops, then every new one, on the lab's
        thread (it must return at once). Waits for the lab: call it from a worker thread."""
        journal = self.wait().journal
        for hop in journal.recent(replay) if replay else ():
            listener(hop)
        journal.subscribe(listener)

    def unfollow(self, listener: Callable[[Hop], None]) -> None:
        if self._lab is not None:
            self._lab.journal.unsubscribe(listener)

    def attempts(self, student: str, route: str) -> list[Evidence]:
        """The evidence of each chain `student` began at `route`, oldest first."""
        from tutor.lab.evidence import Evidence

        if self._lab is None:
            return []
        return [Evidence.of_chain(chain) for chain in self._lab.journal.started(student, route)]

    def configure(
        self, exercise_id: str, answer: Answer, spec: ExperimentSpec, cancel: Cancel | None = None
    ) -> Outcome:
        """A configure exercise's run against `answer`: on a class lab, the lab runs it under
        the student's name (and judges it for the teacher: a run the student's own machine
        made could not be trusted there); otherwise, this session's lab runs `spec`."""
        from tutor.classroom.runs import outcome_from_wire
        from tutor.classroom.student import ClassRefused, ClassUnreachable, JoinedLab
        from tutor.lab.wire import WireError

        lab = self.wait()
        if not isinstance(lab, JoinedLab):
            return self.run(spec, cancel)
        asked = {"exercise": exercise_id, "answer": dump(answer)}
        try:
            document = lab.link.call("POST", "/class/configure", asked, timeout=RUN_WAIT)
            return outcome_from_wire(spec, document)
        except ClassUnreachable as error:
            raise LabUnavailable(f"The class lab did not answer: {error}.") from None
        except (ClassRefused, WireError) as error:
            raise LabUnavailable(f"The class lab did not run it: {error}") from None
