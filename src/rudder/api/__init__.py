"""The HTTP API and the application actions behind it (shared with the CLI's --core
mode): reads, sync, refresh, rollback, revert, wait."""
