"""The ``hub`` command (the console script ``hub = "hub.cli:app"``), one module per command group.

``hub.cli.main`` assembles the typer app from the command modules; ``python -m hub.cli`` runs it.
"""

from hub.cli.main import app

__all__ = ["app"]
