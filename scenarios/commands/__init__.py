"""One module per `controlroom` command (or command group).

Each module has ``register(sub)``, which adds its parsers to the top-level subparsers and sets
``handler=`` (a function taking the parsed arguments and returning the exit code) on each.
"""
