"""Git sources: shared mirrors per repository URL, revision resolution, read-only
per-revision exports, repository credentials and revert commits."""
