// Pure formatting helpers shared by the views (tested in tests/ui/test_modules.py).

const SHA = /^[0-9a-f]{40}$/i;

/** "3m ago", "2h ago", "5d ago"; "" for a missing or bad time. */
export function ago(iso, now = Date.now()) {
  if (!iso) return "";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours}h ago`;
  const days = Math.round(hours / 24);
  if (days < 60) return `${days}d ago`;
  return new Date(then).toISOString().slice(0, 10);
}

/** A full local date-time for tooltips. */
export function fullTime(iso) {
  if (!iso) return "";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? String(iso) : t.toLocaleString();
}

/** "1m 05s" between two times; "" when either is missing. */
export function duration(startIso, endIso) {
  const start = Date.parse(startIso || "");
  const end = Date.parse(endIso || "");
  if (Number.isNaN(start) || Number.isNaN(end)) return "";
  const total = Math.max(0, Math.round((end - start) / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m ? `${m}m ${String(s).padStart(2, "0")}s` : `${s}s`;
}

/** Commit SHAs shortened to 7 characters; tags and branches as they are. */
export function shortRevision(revision) {
  if (!revision) return "";
  return SHA.test(revision) ? revision.slice(0, 7) : revision;
}

/** "github.com/org/repo" from any Git URL form (https, ssh, scp-like, file). */
export function repoLabel(url) {
  if (!url) return "";
  let text = String(url).trim().replace(/\.git$/, "").replace(/\/+$/, "");
  text = text.replace(/^[a-z+]+:\/\//i, "").replace(/^[^@/]+@/, "");
  text = text.replace(/^([^/:]+):(?!\d)/, "$1/");
  const parts = text.split("/").filter(Boolean);
  return parts.length > 3 ? `…/${parts.slice(-2).join("/")}` : parts.join("/");
}

/** Destination as people say it: "in-cluster / ns" or "<server> / ns". */
export function destinationLabel(destination) {
  if (!destination) return "";
  const server = destination.name || destination.server || "";
  const cluster =
    server === "https://kubernetes.default.svc" || server === "in-cluster" ? "in-cluster" : server.replace(/^https?:\/\//, "");
  return [cluster, destination.namespace].filter(Boolean).join(" / ");
}

export function plural(count, word, many = `${word}s`) {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

/** Kubernetes kinds as the short names kubectl users know. */
const KIND_SHORT = {
  Application: "app",
  Deployment: "deploy",
  ReplicaSet: "rs",
  Pod: "pod",
  Service: "svc",
  ConfigMap: "cm",
  Secret: "secret",
  StatefulSet: "sts",
  DaemonSet: "ds",
  Job: "job",
  CronJob: "cronjob",
  Ingress: "ing",
  PersistentVolumeClaim: "pvc",
  ServiceAccount: "sa",
  HorizontalPodAutoscaler: "hpa",
  Endpoints: "ep",
  EndpointSlice: "eps",
  Namespace: "ns",
  Role: "role",
  RoleBinding: "rb",
  ClusterRole: "crole",
  ClusterRoleBinding: "crb",
  NetworkPolicy: "netpol",
  PodDisruptionBudget: "pdb",
  CustomResourceDefinition: "crd",
  Rollout: "rollout",
};

export function kindShort(kind) {
  return KIND_SHORT[kind] || String(kind || "?").toLowerCase().slice(0, 7);
}
