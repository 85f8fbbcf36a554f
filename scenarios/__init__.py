"""controlroom: scenarios compose the forecasting, scheduling and simulation stages,
read scenario files and user data, and hold the command line."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("controlroom")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0+source"
