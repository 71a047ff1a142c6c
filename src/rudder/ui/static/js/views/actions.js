// The application page's actions, each behind a confirmation dialog: Sync (revision,
// prune, dry run, options, a subset of resources), Refresh (normal or hard) and
// Rollback to a history entry (with the server's explanation when automated sync is on).

import { api } from "../api.js";
import { confirmDialog } from "../dialog.js";
import { h } from "../dom.js";
import { shortRevision, ago } from "../format.js";
import { toast } from "../toast.js";

let fieldSeq = 0;

function checkbox(label, { checked = false, hint = "", name = "" } = {}) {
  const id = `opt-${++fieldSeq}`;
  const input = h("input", { type: "checkbox", id, name, checked });
  return [
    h("div", { class: "check" }, input, h("label", { for: id }, h("span", null, label), hint ? h("span", { class: "hint" }, hint) : null)),
    input,
  ];
}

function resourceLabel(r) {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

export function syncDialog(app) {
  const { namespace, name } = app.metadata;
  const spec = app.spec || {};
  const source = spec.source || (spec.sources || [])[0] || {};
  const resources = (app.status?.resources || []).filter((r) => r.kind);
  const revisionId = `sync-revision-${++fieldSeq}`;
  const revision = h("input", { id: revisionId, type: "text", placeholder: source.targetRevision || "HEAD", autocomplete: "off", spellcheck: "false" });
  const [pruneRow, prune] = checkbox("Prune", { hint: "delete resources that are no longer in Git" });
  const [dryRunRow, dryRun] = checkbox("Dry run", { hint: "check with the API server, change nothing" });
  const [outOfSyncRow, outOfSyncOnly] = checkbox("Apply out-of-sync only", { hint: "skip resources already in sync" });
  const [ssaRow, serverSide] = checkbox("Server-side apply");

  const boxes = resources.map((r) => {
    const [row, input] = checkbox(resourceLabel(r), { checked: true, hint: r.status === "OutOfSync" ? "out of sync" : "" });
    row.classList.add("resource-check");
    return { resource: r, input, row };
  });
  const [allRow, all] = checkbox(`All resources (${resources.length})`, { checked: true });
  all.addEventListener("change", () => boxes.forEach((b) => (b.input.checked = all.checked)));
  boxes.forEach((b) =>
    b.input.addEventListener("change", () => {
      const chosen = boxes.filter((x) => x.input.checked).length;
      all.checked = chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }),
  );

  const body = [
    h("p", null, "Apply the manifests from Git to ", h("strong", null, `${namespace}/${name}`), "."),
    h(
      "div",
      { class: "field" },
      h("label", { for: revisionId }, "Revision"),
      revision,
      h("span", { class: "hint" }, `Leave empty for the target revision (${source.targetRevision || "HEAD"}).`),
    ),
    h("fieldset", { class: "options" }, h("legend", null, "Options"), pruneRow, dryRunRow, outOfSyncRow, ssaRow),
    resources.length
      ? h("fieldset", { class: "options resources" }, h("legend", null, "Resources"), allRow, h("div", { class: "resource-list" }, boxes.map((b) => b.row)))
      : null,
  ];

  return confirmDialog({
    title: `Sync ${name}`,
    body,
    confirmLabel: "Synchronize",
    onConfirm: async () => {
      const chosen = boxes.filter((b) => b.input.checked).map((b) => b.resource);
      if (boxes.length && !chosen.length) throw new Error("Choose at least one resource, or close the dialog.");
      const syncOptions = [];
      if (outOfSyncOnly.checked) syncOptions.push("ApplyOutOfSyncOnly=true");
      if (serverSide.checked) syncOptions.push("ServerSideApply=true");
      const request = { prune: prune.checked, dryRun: dryRun.checked };
      if (revision.value.trim()) request.revision = revision.value.trim();
      if (syncOptions.length) request.syncOptions = syncOptions;
      if (chosen.length && chosen.length < boxes.length) {
        request.resources = chosen.map((r) => ({ group: r.group || "", kind: r.kind, namespace: r.namespace || "", name: r.name }));
      }
      await api.sync(namespace, name, request);
      toast(dryRun.checked ? `Dry-run sync of ${name} started` : `Sync of ${name} started`, "success");
    },
  });
}

export function refreshDialog(app) {
  const { namespace, name } = app.metadata;
  const group = `refresh-kind-${++fieldSeq}`;
  const normal = h("input", { type: "radio", name: group, id: `${group}-normal`, value: "normal", checked: true });
  const hard = h("input", { type: "radio", name: group, id: `${group}-hard`, value: "hard" });
  return confirmDialog({
    title: `Refresh ${name}`,
    body: [
      h("p", null, "Compare the live state with Git now, without waiting for the next reconcile."),
      h(
        "fieldset",
        { class: "options" },
        h("legend", null, "Kind of refresh"),
        h("div", { class: "check" }, normal, h("label", { for: `${group}-normal` }, h("span", null, "Normal"), h("span", { class: "hint" }, "re-read Git and the cluster"))),
        h("div", { class: "check" }, hard, h("label", { for: `${group}-hard` }, h("span", null, "Hard"), h("span", { class: "hint" }, "also render the manifests again, ignoring the cache"))),
      ),
    ],
    confirmLabel: "Refresh",
    onConfirm: async () => {
      await api.refresh(namespace, name, hard.checked);
      toast(`${hard.checked ? "Hard refresh" : "Refresh"} of ${name} requested`, "success");
    },
  });
}

export function rollbackDialog(app, entry) {
  const { namespace, name } = app.metadata;
  const [pruneRow, prune] = checkbox("Prune", { hint: "delete resources that the older revision does not have" });
  const [disableRow, disableAutoSync] = checkbox("Disable automated sync, then roll back", {
    hint: "otherwise Rudder would sync back to the target revision right away",
  });
  disableRow.hidden = true;
  disableRow.classList.add("check-warning");
  const revision = String(entry.revision || "");
  return confirmDialog({
    title: `Roll back ${name}`,
    danger: true,
    body: [
      h(
        "p",
        null,
        "Deploy revision ",
        h("code", { title: revision }, shortRevision(revision)),
        ` again (history #${entry.id}${entry.deployedAt ? `, deployed ${ago(entry.deployedAt)}` : ""}). Git is not changed: the application will show `,
        h("em", null, "Out of sync"),
        " until Git matches.",
      ),
      h("fieldset", { class: "options" }, h("legend", null, "Options"), pruneRow, disableRow),
    ],
    confirmLabel: "Roll back",
    onConfirm: async () => {
      const body = { id: Number(entry.id), prune: prune.checked };
      if (disableAutoSync.checked) body.disableAutoSync = true;
      await api.rollback(namespace, name, body);
      toast(`Rollback of ${name} to ${shortRevision(revision)} started`, "success");
    },
    onError: (err, ui) => {
      // The server refuses a rollback while automated sync is on (it would undo it) and
      // says so; offer the way out it names.
      if (err.status >= 400 && err.status < 500 && /automat/i.test(err.message || "")) {
        disableRow.hidden = false;
        ui.setConfirmLabel(disableAutoSync.checked ? "Disable auto-sync and roll back" : "Roll back");
        disableAutoSync.onchange = () => ui.setConfirmLabel(disableAutoSync.checked ? "Disable auto-sync and roll back" : "Roll back");
      }
    },
  });
}
