"""Sync: orders resources by phase, wave and kind, runs hooks, applies with
server-side apply, prunes and returns a ChangeSet."""
