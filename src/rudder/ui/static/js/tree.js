// Pure: turns the flat resource-tree nodes ({uid, parentRefs, ...}) into a forest, so
// Deployment → ReplicaSet → Pod nest as ownerReferences say. Tested in tests/ui/.

const KIND_RANK = [
  "Namespace",
  "CustomResourceDefinition",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "Role",
  "RoleBinding",
  "ClusterRole",
  "ClusterRoleBinding",
  "Service",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Rollout",
  "ReplicaSet",
  "CronJob",
  "Job",
  "Pod",
  "Endpoints",
  "EndpointSlice",
  "Ingress",
  "HorizontalPodAutoscaler",
];

function rank(kind) {
  const index = KIND_RANK.indexOf(kind);
  return index === -1 ? KIND_RANK.length : index;
}

export function nodeKey(ref) {
  return [ref.group || "", ref.kind || "", ref.namespace || "", ref.name || ""].join("/");
}

export function compareNodes(a, b) {
  return rank(a.kind) - rank(b.kind) || String(a.kind).localeCompare(String(b.kind)) || String(a.name).localeCompare(String(b.name));
}

/**
 * buildTree(nodes) → [{node, children: [...]}], roots first by kind then name.
 * A parent is found by uid, else by group/kind/namespace/name; a node whose parents are
 * all unknown is a root. A node with two known parents appears under the first only, and
 * owner cycles are broken, so every node is shown exactly once.
 */
export function buildTree(nodes) {
  const list = Array.isArray(nodes) ? nodes.filter((n) => n && typeof n === "object") : [];
  const byUid = new Map();
  const byKey = new Map();
  list.forEach((node, index) => {
    if (node.uid) byUid.set(node.uid, index);
    byKey.set(nodeKey(node), index);
  });
  const parentOf = list.map((node, index) => {
    for (const ref of node.parentRefs || []) {
      const found = ref.uid && byUid.has(ref.uid) ? byUid.get(ref.uid) : byKey.get(nodeKey(ref));
      if (found !== undefined && found !== index) return found;
    }
    return -1;
  });
  // Break cycles: walk up from each node; a node that reaches itself becomes a root.
  list.forEach((_, index) => {
    const seen = new Set([index]);
    let cursor = parentOf[index];
    while (cursor !== -1) {
      if (seen.has(cursor)) {
        parentOf[index] = -1;
        break;
      }
      seen.add(cursor);
      cursor = parentOf[cursor];
    }
  });
  const entries = list.map((node) => ({ node, children: [] }));
  const roots = [];
  entries.forEach((entry, index) => {
    const parent = parentOf[index];
    (parent === -1 ? roots : entries[parent].children).push(entry);
  });
  const sort = (items) => {
    items.sort((a, b) => compareNodes(a.node, b.node));
    for (const item of items) sort(item.children);
    return items;
  };
  return sort(roots);
}

/** Count of nodes per health status, e.g. {Healthy: 5, Progressing: 1}. */
export function healthCounts(nodes) {
  const counts = {};
  for (const node of nodes || []) {
    const status = node?.health?.status;
    if (status) counts[status] = (counts[status] || 0) + 1;
  }
  return counts;
}
