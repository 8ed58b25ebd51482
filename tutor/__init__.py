"""redirect-tutor: watch what really crosses an HTTP redirect."""

__version__ = "0.1.0"
__all__ = ["__version__"]
