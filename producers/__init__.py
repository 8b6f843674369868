"""Producers: RSS/Atom feeds and dropped files become Article records on articles.raw."""
