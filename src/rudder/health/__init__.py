"""Health assessment: one module per kind, a registry for custom checks, and the
worst-wins roll-up for an application."""
