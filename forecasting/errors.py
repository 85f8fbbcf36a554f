"""The error this stage raises for bad input: one line that says what and where."""


class ForecastError(ValueError):
    """Raised for input the forecasting stage cannot use; the message names the problem and where it is."""
