"""Shared package: settings, record schemas, topic names, broker control and the CLI."""
