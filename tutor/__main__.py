"""`python -m tutor` runs the same command line as `redirect-tutor`."""

from tutor.cli import main

main()
