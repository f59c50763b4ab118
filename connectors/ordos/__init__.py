"""Connector of the 鄂尔多斯物业管理服务平台 (MISSION.md R7); see CONTRACT.md."""
