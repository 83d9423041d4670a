"""Briefs as Markdown documents: reading them, writing them, new ones from a type."""
