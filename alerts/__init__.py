"""Alerts: windowed rules over tagged articles and delivery of the alerts they fire."""
