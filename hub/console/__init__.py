"""The staff web console at /console: static pages over the hub's own GraphQL API.

``hub.console.routes.console_routes`` gives the routes that ``hub.app.create_app`` mounts.
"""
