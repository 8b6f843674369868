"""Processors: the spaCy escalation tagger and the Faust agents that run it."""
