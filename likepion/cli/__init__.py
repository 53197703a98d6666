"""Flask CLI commands (README, "Running in production"): each parses its input, calls one
service and reports."""

from flask import Flask

from likepion.cli.bootstrap import bootstrap
from likepion.cli.catalogue import plans, sites
from likepion.cli.maintenance import clicks, counters_group, tasks
from likepion.cli.users import servers, users


def register_commands(app: Flask) -> None:
    for command in (users, servers, sites, plans, tasks, clicks, counters_group, bootstrap):
        app.cli.add_command(command)
