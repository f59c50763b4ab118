"""Connector of the utility companies (水、电、气、热、通讯; MISSION.md R1); see CONTRACT.md."""
