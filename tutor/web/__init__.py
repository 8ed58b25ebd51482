"""The tutor in a browser for a classroom: textual-serve behind a door (a name, an access code).

Every visitor names themselves and gets their own tutor process with their own record; off
loopback they also need the access code the teacher reads out. Sessions, terminal sizes and
wrong guesses are bounded, and the page needs nothing from the internet.
"""

__all__: list[str] = []
