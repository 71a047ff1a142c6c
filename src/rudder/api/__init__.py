"""The HTTP API of ``rudder server`` (FastAPI app, routes, accounts, sessions and tokens,
casbin RBAC, webhooks, metrics) and the application actions behind it, shared with the
CLI's --core mode. Imports the controller layer and below; imported only by the CLI."""
