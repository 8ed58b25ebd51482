"""The Textual app: the only package of the tutor that imports textual."""
