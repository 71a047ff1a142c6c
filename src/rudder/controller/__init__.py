"""The controller: work queue, per-application reconciler, automation (auto-sync,
self-heal, retry) and the process entry point."""
