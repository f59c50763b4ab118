"""``python -m hub.cli``: the ``hub`` command without its console script (tests, containers)."""

from hub.cli.main import app

app()
