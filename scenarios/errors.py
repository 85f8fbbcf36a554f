"""Errors for bad user input: a file, a row, a scenario key. The command line prints them on one line."""


class InputError(ValueError):
    """Raised for a user's file or setting that cannot be used; the message names file, row or key."""
