"""genhpo: black-box HPO and NAS with a generative surrogate."""

__version__ = "0.1.0"
