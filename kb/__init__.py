"""kb: a knowledge-base engine whose articles prove themselves."""

__version__ = "0.1.0"
