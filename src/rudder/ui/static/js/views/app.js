// The application page: header with health/sync and the Sync and Refresh actions,
// operation and conditions banners, the source summary, and tabs for the resource tree,
// live diff, history (rollback) and events. Every SSE event for this app re-reads it.

import { api, itemsOf, streamApplications } from "../api.js";
import { healthBadge, syncBadge, operationBadge } from "../badges.js";
import { fill, h, icon, ICONS, coalesce } from "../dom.js";
import { ago, fullTime, shortRevision, destinationLabel } from "../format.js";
import { href, replaceQuery } from "../router.js";
import { syncDialog, refreshDialog, rollbackDialog } from "./actions.js";
import { drawTree, drawDiff, drawHistory, drawEvents, mergeResources } from "./panels.js";

const TABS = [
  { id: "tree", label: "Resources" },
  { id: "diff", label: "Diff" },
  { id: "history", label: "History" },
  { id: "events", label: "Events" },
];

function fact(label, value, { mono = false, title = "" } = {}) {
  return h("div", { class: "fact" }, h("dt", null, label), h("dd", { class: mono ? "mono" : null, title: title || null }, value || "—"));
}

function syncPolicyText(spec) {
  const automated = spec?.syncPolicy?.automated;
  if (!automated) return "Manual";
  const extras = [automated.prune && "prune", automated.selfHeal && "self-heal"].filter(Boolean);
  return `Automated${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

function operationBanner(app) {
  const state = app.status?.operationState;
  if (!state?.phase) return null;
  const phase = state.phase;
  if (phase === "Succeeded") return null;
  const running = phase === "Running" || phase === "Terminating";
  const resources = state.syncResult?.resources || [];
  const done = resources.filter((r) => r.status && r.status !== "Running").length;
  return h(
    "div",
    { class: ["banner", running ? "banner-info" : "banner-error"], role: running ? "status" : "alert", "data-testid": "operation-banner" },
    running ? h("span", { class: "spinner small", "aria-hidden": "true" }) : icon(ICONS.alert, { size: 18 }),
    h(
      "div",
      null,
      h("strong", null, running ? "Sync in progress" : `Last sync ${phase.toLowerCase()}`),
      state.message ? h("div", { class: "banner-text" }, state.message) : null,
      running && resources.length ? h("div", { class: "banner-text muted" }, `${done} of ${resources.length} resources done`) : null,
    ),
    h("div", { class: "spacer" }),
    state.startedAt ? h("time", { class: "muted small", datetime: state.startedAt, title: fullTime(state.startedAt) }, `started ${ago(state.startedAt)}`) : null,
  );
}

function conditionBanners(app) {
  return (app.status?.conditions || []).map((c) => {
    const warning = /Warning$/.test(c.type || "");
    return h(
      "div",
      { class: ["banner", warning ? "banner-warning" : "banner-error"], role: "alert", "data-testid": "condition" },
      icon(ICONS.alert, { size: 18 }),
      h("div", null, h("strong", null, c.type), h("div", { class: "banner-text" }, c.message)),
      h("div", { class: "spacer" }),
      c.lastTransitionTime ? h("time", { class: "muted small", datetime: c.lastTransitionTime, title: fullTime(c.lastTransitionTime) }, ago(c.lastTransitionTime)) : null,
    );
  });
}

export function renderApp(main, route) {
  const [, namespace, name] = route.segments;
  document.title = `${name} · Rudder`;
  const data = { app: null, tree: null, treeError: "", managed: null, managedError: "", events: null, eventsError: "" };
  const ui = {
    tab: TABS.some((t) => t.id === route.query.get("tab")) ? route.query.get("tab") : "tree",
    collapsed: new Set(),
    selectedDiff: "",
    onlyChanged: undefined,
    redraw: () => drawPanel(),
  };
  let closed = false;
  let deleted = false;
  let inflight = null;
  let again = false;

  const header = h("div", { class: "app-header" });
  const banners = h("div", { class: "banners" });
  const facts = h("dl", { class: "facts card" });
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Application details" });
  const panel = h("div", { class: "tab-panel card", role: "tabpanel", tabindex: "0" });
  const tabButtons = new Map();

  const selectTab = (id, focus = false) => {
    ui.tab = id;
    replaceQuery(id === "tree" ? {} : { tab: id });
    for (const [tabId, button] of tabButtons) {
      const on = tabId === id;
      button.setAttribute("aria-selected", String(on));
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    panel.setAttribute("aria-labelledby", `tab-${id}`);
    if (id === "events" && !data.events) loadEvents();
    if (id === "diff" && data.app) loadManaged();
    drawPanel();
  };
  for (const tab of TABS) {
    const button = h("button", { type: "button", role: "tab", id: `tab-${tab.id}`, "aria-controls": "app-panel", class: "tab" }, h("span", null, tab.label), h("span", { class: "tab-count" }));
    button.addEventListener("click", () => selectTab(tab.id));
    button.addEventListener("keydown", (event) => {
      const index = TABS.findIndex((t) => t.id === ui.tab);
      if (event.key === "ArrowRight") selectTab(TABS[(index + 1) % TABS.length].id, true);
      else if (event.key === "ArrowLeft") selectTab(TABS[(index + TABS.length - 1) % TABS.length].id, true);
      else return;
      event.preventDefault();
    });
    tabButtons.set(tab.id, button);
    tablist.append(button);
  }
  panel.id = "app-panel";

  const drawHeader = () => {
    const app = data.app;
    const status = app.status || {};
    const phase = status.operationState?.phase;
    const running = phase === "Running" || phase === "Terminating" || Boolean(app.operation);
    fill(header, 
      h(
        "div",
        { class: "app-title" },
        h("h1", null, app.metadata.name),
        h("div", { class: "badge-line" }, healthBadge(status.health?.status, status.health?.message), syncBadge(status.sync?.status, { revision: status.sync?.revision }), operationBadge(running ? "Running" : "")),
      ),
      h("div", { class: "spacer" }),
      h(
        "div",
        { class: "app-actions" },
        h("button", { type: "button", class: "btn", onclick: () => refreshDialog(app) }, icon(ICONS.refresh), "Refresh"),
        h(
          "button",
          { type: "button", class: "btn btn-primary", disabled: running || deleted, title: running ? "An operation is in progress" : "", onclick: () => syncDialog(app) },
          icon(ICONS.sync),
          running ? "Syncing…" : "Sync",
        ),
      ),
    );
  };

  const drawFacts = () => {
    const app = data.app;
    const spec = app.spec || {};
    const source = spec.source || (spec.sources || [])[0] || {};
    const status = app.status || {};
    const deployed = status.sync?.revision || "";
    fill(facts, 
      fact("Repository", h("a", { href: /^https?:\/\//.test(source.repoURL || "") ? source.repoURL : null, rel: "noreferrer", target: "_blank" }, source.repoURL || "—"), { title: source.repoURL }),
      fact("Path", source.path || (source.chart ? `chart ${source.chart}` : "."), { mono: true }),
      fact("Target revision", source.targetRevision || "HEAD", { mono: true }),
      fact("Deployed revision", shortRevision(deployed), { mono: true, title: deployed }),
      fact("Destination", destinationLabel(spec.destination)),
      fact("Project", spec.project || "default"),
      fact("Sync policy", syncPolicyText(spec)),
      fact("Last synced", status.operationState?.finishedAt ? h("time", { datetime: status.operationState.finishedAt, title: fullTime(status.operationState.finishedAt) }, ago(status.operationState.finishedAt)) : "—"),
    );
  };

  const drawBanners = () => {
    fill(banners, 
      deleted ? h("div", { class: "banner banner-error", role: "alert" }, icon(ICONS.alert, { size: 18 }), h("strong", null, "This application has been deleted.")) : null,
      operationBanner(data.app),
      ...conditionBanners(data.app),
    );
  };

  const drawTabCounts = () => {
    const status = data.app.status || {};
    const counts = {
      tree: mergeResources(data.tree?.nodes, status.resources).length,
      diff: (status.resources || []).filter((r) => r.status === "OutOfSync").length,
      history: (status.history || []).length,
      events: data.events ? data.events.length : "",
    };
    for (const [id, button] of tabButtons) {
      const n = counts[id];
      const badge = button.querySelector(".tab-count");
      badge.textContent = n === "" || n === undefined ? "" : String(n);
      badge.classList.toggle("attention", id === "diff" && n > 0);
    }
  };

  function drawPanel() {
    if (!data.app) return;
    if (ui.tab === "tree") drawTree(panel, data, ui);
    else if (ui.tab === "diff") drawDiff(panel, data, ui);
    else if (ui.tab === "history") drawHistory(panel, data, (entry) => rollbackDialog(data.app, entry));
    else drawEvents(panel, data);
    drawTabCounts();
  }

  const drawAll = () => {
    drawHeader();
    drawBanners();
    drawFacts();
    drawPanel();
    main.dataset.ready = "app";
  };

  const settle = async (promise) => {
    try {
      return [await promise, ""];
    } catch (err) {
      if (err.status === 401) throw err;
      return [null, err.message];
    }
  };

  async function loadManaged() {
    const [body, error] = await settle(api.managedResources(namespace, name));
    if (closed) return;
    data.managed = body ? itemsOf(body) : data.managed;
    data.managedError = error;
    if (ui.tab === "diff") drawPanel();
  }

  async function loadEvents() {
    const [body, error] = await settle(api.events(namespace, name));
    if (closed) return;
    data.events = error ? data.events : itemsOf(body);
    data.eventsError = error && !data.events ? error : "";
    if (ui.tab === "events") drawPanel();
    else drawTabCounts();
  }

  const load = async () => {
    if (inflight) {
      again = true; // the change may have come after the read in flight began
      return inflight;
    }
    inflight = (async () => {
      try {
        // The diff renders and dry-runs on the server: asked only while its tab is open.
        const [app, tree] = await Promise.all([api.application(namespace, name), settle(api.resourceTree(namespace, name))]);
        if (closed) return;
        data.app = app;
        [data.tree, data.treeError] = tree;
        if (ui.tab === "diff") loadManaged();
        loadEvents();
        drawAll();
      } catch (err) {
        if (closed || err.status === 401) return;
        if (data.app && err.status !== 404) return; // keep the last good view on a blip
        if (err.status === 404 && data.app) {
          deleted = true;
          drawAll();
          return;
        }
        fill(main, 
          h(
            "section",
            { class: "empty-state" },
            icon(ICONS.alert, { size: 32 }),
            h("h1", null, err.status === 404 ? "Application not found" : "Could not load the application"),
            h("p", null, err.message),
            h("p", null, h("a", { href: href(["applications"]) }, "Back to applications")),
          ),
        );
      } finally {
        inflight = null;
        if (again && !closed) {
          again = false;
          reload();
        }
      }
    })();
    return inflight;
  };
  const reload = coalesce(load, 300);

  const closeStream = streamApplications(
    ({ type, application }) => {
      if (application.namespace !== namespace || application.name !== name) return;
      if (type === "DELETED") {
        deleted = true;
        if (data.app) drawAll();
        return;
      }
      deleted = false;
      reload();
    },
    (state) => {
      if (state === "live" && data.app) reload();
    },
  );
  // Pods come and go without the Application changing; re-read now and then as well.
  const poll = setInterval(() => {
    if (!document.hidden) reload();
  }, 15000);

  fill(main, 
    h(
      "section",
      { class: "page page-app" },
      h(
        "nav",
        { class: "breadcrumb", "aria-label": "Breadcrumb" },
        h("a", { href: href(["applications"]) }, "Applications"),
        h("span", { "aria-hidden": "true" }, "/"),
        h("a", { href: href(["applications"], { namespace }) }, namespace),
        h("span", { "aria-hidden": "true" }, "/"),
        h("span", { "aria-current": "page" }, name),
      ),
      header,
      banners,
      facts,
      tablist,
      panel,
    ),
  );
  header.append(h("div", { class: "app-title" }, h("h1", null, name), h("span", { class: "spinner small", "aria-label": "Loading" })));
  selectTab(ui.tab);
  load();

  return () => {
    closed = true;
    reload.cancel();
    closeStream();
    clearInterval(poll);
  };
}
