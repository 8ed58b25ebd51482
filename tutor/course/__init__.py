"""The course: lesson models, the YAML loader with line numbers, and the content checker."""
