"""The only user of the Kubernetes client: a thin async REST client, discovery and a
watch-fed live-object cache. Objects cross this boundary as plain dicts."""
