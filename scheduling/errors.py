"""The error this stage raises for bad input: one line that says what and where."""


class SchedulingError(ValueError):
    """Raised for input the scheduling stage cannot use; the message names the problem and where it is."""


class InfeasibleTargetError(SchedulingError):
    """No number of agents up to the search limit meets a staffing target.

    ``positions`` holds the element positions (in the flattened input arrays) that fail, so
    a caller that knows the intervals can name them.
    """

    def __init__(self, message: str, positions: tuple[int, ...]):
        super().__init__(message)
        self.positions = positions
