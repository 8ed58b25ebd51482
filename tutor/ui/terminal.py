"""The terminal driver the tutor's full-screen apps run on.

Textual's Linux driver starts its terminal mode again at every SIGCONT, suspended or not: each
one adds an input and an output thread, and one that comes as the app quits starts them after
it has ended, so the process never exits and spins on a core. A SIGCONT reaches a running
program from a shell's `fg` or `bg`, a debugger or a sampling profiler; only the one that ends
a ctrl+z suspension must resume the app.
"""

from __future__ import annotations

from textual.drivers.linux_driver import LinuxDriver

__all__ = ["JobControlDriver"]


class JobControlDriver(LinuxDriver):
    """Textual's Linux driver, resumed by SIGCONT only after its own suspension (ctrl+z)."""

    def _sigcont_application(self, *args: object) -> None:
        if self._must_signal_resume:  # set by the SIGTSTP that suspended the app
            super()._sigcont_application(*args)
