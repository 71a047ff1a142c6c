"""Pure comparison of desired and live objects: normalisation, ignoreDifferences,
per-resource sync status and masked text diffs. Called by the reconciler and sync."""

from rudder.diff.compare import ResourceDiff, compare, equivalent, overlay
from rudder.diff.ignore import matches, preserve_ignored, strip_ignored, validate
from rudder.diff.normalize import normalize
from rudder.diff.text import MASK, mask_secret, mask_secrets, to_yaml, unified_diff

__all__ = [
    "MASK",
    "ResourceDiff",
    "compare",
    "equivalent",
    "mask_secret",
    "mask_secrets",
    "matches",
    "normalize",
    "overlay",
    "preserve_ignored",
    "strip_ignored",
    "to_yaml",
    "unified_diff",
    "validate",
]
