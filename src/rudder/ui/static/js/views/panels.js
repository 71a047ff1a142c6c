// The application page's tab panels: resource tree, live diff, history (with rollback)
// and events. Each draw function rebuilds its panel from data; ``ui`` keeps what the
// user chose (collapsed nodes, the selected diff) across live redraws.

import { healthBadge, syncBadge } from "../badges.js";
import { fill, h, icon, ICONS } from "../dom.js";
import { parseUnifiedDiff, diffStats } from "../diff.js";
import { ago, fullTime, duration, shortRevision, kindShort, repoLabel, plural } from "../format.js";
import { buildTree, healthCounts, nodeKey } from "../tree.js";

/** Tree nodes from the resource tree, plus the app's resources that have no live object yet. */
export function mergeResources(nodes, resources) {
  const out = (nodes || []).map((node) => ({ ...node }));
  const byKey = new Map(out.map((node) => [nodeKey(node), node]));
  for (const r of resources || []) {
    const found = byKey.get(nodeKey(r));
    if (found) {
      if (!found.syncStatus && r.status) found.syncStatus = r.status;
      if (!found.health && r.health) found.health = r.health;
    } else {
      out.push({ group: r.group || "", version: r.version, kind: r.kind, namespace: r.namespace, name: r.name, health: r.health, syncStatus: r.status, parentRefs: [] });
    }
  }
  return out;
}

function nodeInfo(node) {
  const parts = [];
  for (const item of node.info || []) {
    if (item && item.name) parts.push(h("span", { class: "chip" }, `${item.name}: ${item.value}`));
  }
  for (const image of node.images || []) parts.push(h("span", { class: "chip chip-image", title: image }, image.split("/").pop()));
  return parts.length ? h("div", { class: "node-info" }, parts) : null;
}

function treeItem(entry, ui, depth) {
  const { node, children } = entry;
  const key = nodeKey(node);
  const collapsed = ui.collapsed.has(key);
  const health = node.health?.status;
  const row = h(
    "div",
    { class: "node", "data-kind": node.kind, "data-testid": "tree-node" },
    children.length
      ? h(
          "button",
          {
            type: "button",
            class: "btn-toggle",
            "aria-label": `${collapsed ? "Expand" : "Collapse"} ${node.kind} ${node.name}`,
            "aria-expanded": String(!collapsed),
            onclick: () => {
              if (ui.collapsed.has(key)) ui.collapsed.delete(key);
              else ui.collapsed.add(key);
              ui.redraw();
            },
          },
          icon(collapsed ? ICONS.chevronRight : ICONS.chevronDown, { size: 14 }),
        )
      : h("span", { class: "toggle-space", "aria-hidden": "true" }),
    h("span", { class: "kind", title: `${node.group ? `${node.group}/` : ""}${node.kind}` }, kindShort(node.kind)),
    h(
      "div",
      { class: "node-main" },
      h("div", { class: "node-title" }, h("span", { class: "node-name" }, node.name), h("span", { class: "node-kind" }, node.kind), children.length && collapsed ? h("span", { class: "chip" }, plural(children.length, "child", "children")) : null),
      node.health?.message && health !== "Healthy" ? h("div", { class: "node-message" }, node.health.message) : null,
      nodeInfo(node),
    ),
    h(
      "div",
      { class: "node-status" },
      health ? healthBadge(health, node.health?.message) : null,
      node.syncStatus ? syncBadge(node.syncStatus) : null,
      node.createdAt ? h("time", { class: "muted small", datetime: node.createdAt, title: fullTime(node.createdAt) }, ago(node.createdAt)) : null,
    ),
  );
  return h(
    "li",
    { role: "treeitem", "aria-expanded": children.length ? String(!collapsed) : null, "aria-level": depth, "aria-label": `${node.kind} ${node.name}${health ? `, ${health}` : ""}` },
    row,
    children.length && !collapsed ? h("ul", { role: "group" }, children.map((child) => treeItem(child, ui, depth + 1))) : null,
  );
}

export function drawTree(panel, { app, tree, treeError }, ui) {
  const nodes = mergeResources(tree?.nodes, app.status?.resources);
  const counts = healthCounts(nodes);
  const summary = h(
    "div",
    { class: "panel-summary" },
    h("strong", null, plural(nodes.length, "resource")),
    Object.entries(counts).map(([status, n]) => h("span", { class: "count-pill", "data-health": status }, healthBadge(status, "", { compact: true }), ` ${n} ${status}`)),
  );
  const root = {
    node: { kind: "Application", name: app.metadata.name, health: app.status?.health, syncStatus: app.status?.sync?.status, group: "argoproj.io", namespace: app.metadata.namespace },
    children: buildTree(nodes),
  };
  fill(panel, 
    summary,
    treeError ? h("div", { class: "inline-error", role: "alert" }, icon(ICONS.alert), `Resource tree: ${treeError}`) : null,
    h("ul", { class: "tree", role: "tree", "aria-label": "Resources" }, treeItem(root, ui, 1)),
  );
}

function diffLines(text) {
  const lines = parseUnifiedDiff(text).filter((line) => line.kind !== "meta");
  return h(
    "div",
    { class: "diff", role: "region", "aria-label": "Differences, live to desired" },
    lines.map((line) =>
      h(
        "div",
        { class: ["dl", line.kind] },
        h("span", { class: "ln", "aria-hidden": "true" }, line.oldNo ?? ""),
        h("span", { class: "ln", "aria-hidden": "true" }, line.newNo ?? ""),
        h("code", null, line.text || " "),
      ),
    ),
  );
}

export function drawDiff(panel, { managed, managedError }, ui) {
  if (!managed && !managedError) {
    fill(panel, h("div", { class: "empty-state small" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("p", null, "Comparing with Git…")));
    return;
  }
  const items = [...(managed || [])].sort(
    (a, b) => (a.status === "OutOfSync" ? 0 : 1) - (b.status === "OutOfSync" ? 0 : 1) || `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`),
  );
  const outOfSync = items.filter((item) => item.status === "OutOfSync" || item.diff);
  if (ui.onlyChanged === undefined) ui.onlyChanged = outOfSync.length > 0;
  const shown = ui.onlyChanged ? outOfSync : items;
  if (!shown.some((item) => nodeKey(item) === ui.selectedDiff)) ui.selectedDiff = shown[0] ? nodeKey(shown[0]) : "";
  const selected = shown.find((item) => nodeKey(item) === ui.selectedDiff);
  const onlyId = "diff-only-changed";
  const only = h("input", { type: "checkbox", id: onlyId, checked: ui.onlyChanged });
  only.addEventListener("change", () => {
    ui.onlyChanged = only.checked;
    ui.redraw();
  });
  const list = h(
    "ul",
    { class: "diff-list", "aria-label": "Managed resources" },
    shown.map((item) => {
      const stats = diffStats(item.diff);
      const key = nodeKey(item);
      return h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: ["diff-item", key === ui.selectedDiff && "selected"],
            "aria-pressed": String(key === ui.selectedDiff),
            onclick: () => {
              ui.selectedDiff = key;
              ui.redraw();
            },
          },
          h("span", { class: "kind" }, kindShort(item.kind)),
          h("span", { class: "diff-item-name" }, item.name),
          item.diff ? h("span", { class: "stats" }, h("span", { class: "plus" }, `+${stats.added}`), h("span", { class: "minus" }, `−${stats.removed}`)) : null,
          syncBadge(item.status, { compact: true }),
        ),
      );
    }),
  );
  const detail = selected
    ? h(
        "div",
        { class: "diff-detail" },
        h(
          "div",
          { class: "diff-head" },
          h("strong", null, `${selected.kind}/${selected.name}`),
          selected.namespace ? h("span", { class: "muted" }, ` in ${selected.namespace}`) : null,
          h("div", { class: "spacer" }),
          syncBadge(selected.status),
        ),
        selected.diff
          ? diffLines(selected.diff)
          : h("div", { class: "empty-state small" }, icon(ICONS.check, { size: 22 }), h("p", null, "No differences: the live object matches Git.")),
      )
    : h("div", { class: "empty-state small" }, icon(ICONS.check, { size: 22 }), h("p", null, items.length ? "Everything is in sync with Git." : "No managed resources yet."));
  fill(panel, 
    managedError ? h("div", { class: "inline-error", role: "alert" }, icon(ICONS.alert), `Diff: ${managedError}`) : null,
    h(
      "div",
      { class: "panel-summary" },
      h("strong", null, plural(outOfSync.length, "resource") + " out of sync"),
      h("span", { class: "muted" }, `of ${items.length}`),
      h("div", { class: "spacer" }),
      h("div", { class: "check inline" }, only, h("label", { for: onlyId }, "Only out of sync")),
    ),
    h("div", { class: "diff-layout" }, h("nav", { class: "diff-nav" }, list), detail),
  );
}

export function drawHistory(panel, { app }, onRollback) {
  const history = [...(app.status?.history || [])].sort((a, b) => Number(b.id) - Number(a.id));
  if (!history.length) {
    fill(panel, h("div", { class: "empty-state small" }, h("p", null, "No deployments yet. Each successful sync adds an entry here.")));
    return;
  }
  const latest = history[0];
  const automated = Boolean(app.spec?.syncPolicy?.automated);
  fill(panel, 
    automated
      ? h("div", { class: "note" }, icon(ICONS.info), h("span", null, "Automated sync is on: a rollback first needs it turned off, or Rudder would sync straight back to the target revision."))
      : null,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data history" },
        h("caption", { class: "visually-hidden" }, "Deployment history"),
        h("thead", null, h("tr", null, ["ID", "Revision", "Source", "Deployed", "Duration", "By", ""].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          history.map((entry) => {
            const source = entry.source || {};
            const current = entry === latest;
            return h(
              "tr",
              { "data-history-id": entry.id },
              h("td", { class: "mono" }, `#${entry.id}`),
              h("td", null, h("code", { title: entry.revision }, shortRevision(entry.revision)), current ? h("span", { class: "chip chip-current" }, "current") : null),
              h("td", null, h("span", { class: "truncate", title: source.repoURL || "" }, repoLabel(source.repoURL)), h("span", { class: "muted mono source-path" }, [source.path, source.targetRevision].filter(Boolean).join(" @ "))),
              h("td", null, h("time", { datetime: entry.deployedAt, title: fullTime(entry.deployedAt) }, ago(entry.deployedAt))),
              h("td", { class: "muted" }, duration(entry.deployStartedAt, entry.deployedAt)),
              h("td", null, entry.initiatedBy?.automated ? "automated" : entry.initiatedBy?.username || "—"),
              h(
                "td",
                { class: "actions" },
                current
                  ? null
                  : h(
                      "button",
                      { type: "button", class: "btn btn-small", "aria-label": `Roll back to history ${entry.id} (${shortRevision(entry.revision)})`, onclick: () => onRollback(entry) },
                      icon(ICONS.rollback, { size: 14 }),
                      "Rollback",
                    ),
              ),
            );
          }),
        ),
      ),
    ),
  );
}

function eventTime(event) {
  return event.lastTimestamp || event.eventTime || event.firstTimestamp || event.metadata?.creationTimestamp || "";
}

export function drawEvents(panel, { events, eventsError }) {
  if (eventsError) {
    fill(panel, h("div", { class: "inline-error", role: "alert" }, icon(ICONS.alert), `Events: ${eventsError}`));
    return;
  }
  if (!events) {
    fill(panel, h("div", { class: "empty-state small" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("p", null, "Loading events…")));
    return;
  }
  if (!events.length) {
    fill(panel, h("div", { class: "empty-state small" }, h("p", null, "No events.")));
    return;
  }
  const sorted = [...events].sort((a, b) => String(eventTime(b)).localeCompare(String(eventTime(a))));
  fill(panel, 
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data events" },
        h("caption", { class: "visually-hidden" }, "Events"),
        h("thead", null, h("tr", null, ["Type", "Reason", "Message", "Object", "Count", "Last seen"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          sorted.map((event) => {
            const object = event.involvedObject || event.regarding || {};
            const warning = event.type === "Warning";
            return h(
              "tr",
              { class: warning ? "warning" : null },
              h("td", null, h("span", { class: ["event-type", warning ? "warn" : "normal"] }, warning ? icon(ICONS.alert, { size: 14 }) : icon(ICONS.info, { size: 14 }), event.type || "Normal")),
              h("td", { class: "strong" }, event.reason || ""),
              h("td", { class: "message" }, event.message || event.note || ""),
              h("td", { class: "muted" }, object.kind ? `${object.kind}/${object.name}` : ""),
              h("td", { class: "num" }, event.count || event.series?.count || 1),
              h("td", null, h("time", { datetime: eventTime(event), title: fullTime(eventTime(event)) }, ago(eventTime(event)))),
            );
          }),
        ),
      ),
    ),
  );
}
