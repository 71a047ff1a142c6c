"""Pure comparison of desired and live objects: normalisation, ignoreDifferences,
per-resource sync status and masked text diffs."""
