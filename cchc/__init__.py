"""cchc: the platform on which a Vietnamese province runs its administrative reform."""

__version__ = "0.1.0"
