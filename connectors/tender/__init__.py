"""Connector of the 招投标平台, the tender platform (MISSION.md R6); see CONTRACT.md."""
