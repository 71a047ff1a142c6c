// Health, sync and operation badges: an icon plus the word, so status never relies on
// colour alone; the health message (if any) is the tooltip.

import { h, icon } from "./dom.js";

const HEALTH_ICONS = {
  Healthy: ["M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21l7.8-7.5 1-1.1a5.5 5.5 0 0 0 0-7.8z"],
  Progressing: ["M21 12a9 9 0 1 1-6.2-8.6"],
  Degraded: ["M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21l7.8-7.5 1-1.1a5.5 5.5 0 0 0 0-7.8z", "M12 6l-2 5h4l-2 5"],
  Suspended: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M10 15V9", "M14 15V9"],
  Missing: ["M12 2a8 8 0 0 0-8 8v11l3-2 2.5 2 2.5-2 2.5 2 2.5-2 3 2V10a8 8 0 0 0-8-8z", "M9 10h.01", "M15 10h.01"],
  Unknown: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3", "M12 17h.01"],
};

const SYNC_ICONS = {
  Synced: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M8 12l3 3 5-6"],
  OutOfSync: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 16V8", "M8.5 11.5 12 8l3.5 3.5"],
  Unknown: HEALTH_ICONS.Unknown,
};

export const HEALTH_STATUSES = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"];
export const SYNC_STATUSES = ["Synced", "OutOfSync", "Unknown"];

function label(status) {
  return status === "OutOfSync" ? "Out of sync" : status;
}

export function healthBadge(status, message, { compact = false } = {}) {
  const value = HEALTH_STATUSES.includes(status) ? status : "Unknown";
  return h(
    "span",
    { class: ["badge", `health-${value.toLowerCase()}`, compact && "compact"], title: message || `Health: ${label(value)}`, "data-health": value },
    icon(HEALTH_ICONS[value], { size: 14, cls: value === "Progressing" ? "icon spin" : "icon" }),
    h("span", { class: compact ? "visually-hidden" : null }, compact ? `Health: ${label(value)}` : label(value)),
  );
}

export function syncBadge(status, { compact = false, revision = "" } = {}) {
  const value = SYNC_STATUSES.includes(status) ? status : "Unknown";
  return h(
    "span",
    { class: ["badge", `sync-${value.toLowerCase()}`, compact && "compact"], title: `Sync: ${label(value)}${revision ? ` to ${revision}` : ""}`, "data-sync": value },
    icon(SYNC_ICONS[value], { size: 14 }),
    h("span", { class: compact ? "visually-hidden" : null }, compact ? `Sync: ${label(value)}` : label(value)),
  );
}

const PHASE_CLASS = { Running: "running", Terminating: "running", Succeeded: "ok", Failed: "bad", Error: "bad" };

export function operationBadge(phase) {
  if (!phase) return null;
  return h("span", { class: ["op-badge", `op-${PHASE_CLASS[phase] || "other"}`], "data-phase": phase }, phase === "Running" ? "Syncing…" : phase);
}
