"""The error this stage raises for bad input: one line that says what and where."""


class SchedulingError(ValueError):
    """Raised for input the scheduling stage cannot use; the message names the problem and where it is."""
