// The applications list: filters and search in the address (#/applications?health=…),
// one server-side page at a time, kept current by the SSE stream: a change to a shown
// app redraws its row in place; anything that may change the page's membership
// (added, deleted, or no longer matching the filters) re-reads the page, coalesced.

import { api, streamApplications } from "../api.js";
import { healthBadge, syncBadge, operationBadge, HEALTH_STATUSES, SYNC_STATUSES } from "../badges.js";
import { fill, h, icon, ICONS, coalesce, debounce } from "../dom.js";
import { ago, fullTime, shortRevision, repoLabel, destinationLabel, plural } from "../format.js";
import { href, navigate, replaceQuery } from "../router.js";

const PAGE_SIZES = [25, 50, 100, 200];
const FILTERS = ["search", "project", "namespace", "health", "sync", "selector"];

function keyOf(app) {
  return `${app.namespace}/${app.name}`;
}

function readState(query) {
  const state = {};
  for (const name of FILTERS) state[name] = query.get(name) || "";
  const limit = Number(query.get("limit"));
  state.limit = PAGE_SIZES.includes(limit) ? limit : 50;
  state.page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  return state;
}

function toQuery(state) {
  const query = {};
  for (const name of FILTERS) query[name] = state[name];
  if (state.page > 1) query.page = state.page;
  if (state.limit !== 50) query.limit = state.limit;
  return query;
}

/** Would this summary be on the server's filtered list? (for the fields we can judge) */
export function matchesFilters(app, state) {
  if (state.project && app.project !== state.project) return false;
  if (state.namespace && app.namespace !== state.namespace) return false;
  if (state.health && app.healthStatus !== state.health) return false;
  if (state.sync && app.syncStatus !== state.sync) return false;
  if (state.search && !String(app.name).toLowerCase().includes(state.search.toLowerCase())) return false;
  return true;
}

function labelChips(labels) {
  const entries = Object.entries(labels || {}).filter(([key]) => !key.startsWith("argocd.argoproj.io/"));
  if (!entries.length) return null;
  const shown = entries.slice(0, 2).map(([key, value]) => h("span", { class: "chip", title: `${key}=${value}` }, `${key.split("/").pop()}=${value}`));
  if (entries.length > 2) shown.push(h("span", { class: "chip chip-more", title: entries.slice(2).map(([k, v]) => `${k}=${v}`).join("\n") }, `+${entries.length - 2}`));
  return h("span", { class: "chips" }, shown);
}

function problemOf(app) {
  const problem = (app.conditions || []).find((c) => c.type.endsWith("Error"));
  return problem ? `${problem.type}: ${problem.message}` : "";
}

function appRow(app) {
  const link = href(["applications", app.namespace, app.name]);
  const problem = problemOf(app);
  const degraded = app.healthStatus && !["Healthy", "Progressing"].includes(app.healthStatus) && app.healthMessage;
  const row = h(
    "tr",
    { "data-key": keyOf(app), "data-testid": "app-row" },
    h(
      "td",
      { class: "col-name" },
      h("a", { href: link, class: "app-link" }, app.name),
      h("div", { class: "sub" }, h("span", { title: "Project" }, app.project || "default"), h("span", { class: "dot", "aria-hidden": "true" }, "·"), h("span", { title: "Namespace" }, app.namespace), labelChips(app.labels)),
    ),
    h("td", { class: "col-health" }, healthBadge(app.healthStatus, app.healthMessage), degraded ? h("div", { class: "sub clamp", title: app.healthMessage }, app.healthMessage) : null),
    h(
      "td",
      { class: "col-sync" },
      h("div", { class: "badge-line" }, syncBadge(app.syncStatus, { revision: app.revision }), operationBadge(app.operationPhase === "Succeeded" ? "" : app.operationPhase)),
      app.revision ? h("div", { class: "sub mono", title: app.revision }, shortRevision(app.revision)) : null,
      problem ? h("div", { class: "sub clamp problem", title: problem, "data-testid": "app-problem" }, problem) : null,
    ),
    h(
      "td",
      { class: "col-source" },
      h("div", { class: "source", title: app.repoURL || "" }, icon(ICONS.git, { size: 14 }), h("span", { class: "truncate" }, repoLabel(app.repoURL))),
      h("div", { class: "sub mono truncate" }, [app.path || ".", app.targetRevision || "HEAD"].join(" @ ")),
    ),
    h("td", { class: "col-dest" }, h("span", { class: "truncate", title: destinationLabel(app.destination) }, destinationLabel(app.destination))),
    h("td", { class: "col-time" }, h("time", { datetime: app.reconciledAt || "", title: fullTime(app.reconciledAt), "data-ago": app.reconciledAt || "" }, ago(app.reconciledAt) || "—")),
  );
  row.addEventListener("click", (event) => {
    if (event.target.closest("a, button") || getSelection()?.toString()) return;
    navigate(link);
  });
  return row;
}

function skeletonRows(count) {
  return Array.from({ length: count }, () =>
    h("tr", { class: "skeleton", "aria-hidden": "true" }, Array.from({ length: 6 }, () => h("td", null, h("span", { class: "bone" })))),
  );
}

function selectField(id, label, options, value) {
  const select = h(
    "select",
    { id, name: id.replace("filter-", "") },
    h("option", { value: "" }, `All`),
    options.map((option) => h("option", { value: option, selected: option === value }, option === "OutOfSync" ? "Out of sync" : option)),
  );
  return [h("div", { class: "field field-inline" }, h("label", { for: id }, label), select), select];
}

function textField(id, label, value, { placeholder = "", list = null, type = "text" } = {}) {
  const input = h("input", { id, name: id.replace("filter-", ""), type, value, placeholder, list, autocomplete: "off", spellcheck: "false" });
  return [h("div", { class: "field field-inline" }, h("label", { for: id }, label), input), input];
}

export function renderList(main, route) {
  document.title = "Applications · Rudder";
  const state = readState(route.query);
  const seen = { project: new Set(["default"]), namespace: new Set() };
  let items = [];
  let total = 0;
  let controller = null;
  let first = true;
  let closed = false;

  const count = h("span", { class: "count", "data-testid": "app-count" });
  const live = h("span", { class: "live", "data-state": "connecting", title: "Live updates" }, h("span", { class: "live-dot", "aria-hidden": "true" }), h("span", { class: "live-text" }, "Connecting"));
  const tbody = h("tbody", null, skeletonRows(8));
  const table = h(
    "table",
    { class: "apps", "aria-busy": "true", "aria-describedby": "apps-count" },
    h("caption", { class: "visually-hidden" }, "Applications"),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col", class: "col-name" }, "Name"),
        h("th", { scope: "col", class: "col-health" }, "Health"),
        h("th", { scope: "col", class: "col-sync" }, "Sync"),
        h("th", { scope: "col", class: "col-source" }, "Source"),
        h("th", { scope: "col", class: "col-dest" }, "Destination"),
        h("th", { scope: "col", class: "col-time" }, "Reconciled"),
      ),
    ),
    tbody,
  );
  const message = h("div", { class: "list-message", hidden: true });
  const pager = h("nav", { class: "pagination", "aria-label": "Pagination" });

  const projects = h("datalist", { id: "projects-list" });
  const namespaces = h("datalist", { id: "namespaces-list" });
  const [searchField, search] = textField("filter-search", "Search", state.search, { placeholder: "Name contains…", type: "search" });
  searchField.prepend(icon(ICONS.search, { size: 16, cls: "icon field-icon" }));
  searchField.classList.add("field-search");
  const [projectField, project] = textField("filter-project", "Project", state.project, { placeholder: "any", list: "projects-list" });
  const [namespaceField, namespace] = textField("filter-namespace", "Namespace", state.namespace, { placeholder: "any", list: "namespaces-list" });
  const [healthField, health] = selectField("filter-health", "Health", HEALTH_STATUSES, state.health);
  const [syncField, sync] = selectField("filter-sync", "Sync", SYNC_STATUSES, state.sync);
  const [selectorField, selector] = textField("filter-selector", "Labels", state.selector, { placeholder: "team=web" });
  const clearButton = h("button", { type: "button", class: "btn btn-ghost", "aria-label": "Clear all filters" }, icon(ICONS.clear, { size: 14 }), "Clear");

  const toolbar = h(
    "form",
    { class: "toolbar", role: "search", "aria-label": "Filter applications", onsubmit: (e) => e.preventDefault() },
    searchField,
    projectField,
    namespaceField,
    healthField,
    syncField,
    selectorField,
    clearButton,
    projects,
    namespaces,
  );

  const syncControls = () => {
    search.value = state.search;
    project.value = state.project;
    namespace.value = state.namespace;
    health.value = state.health;
    sync.value = state.sync;
    selector.value = state.selector;
    clearButton.hidden = !FILTERS.some((name) => state[name]);
  };

  const updateDatalists = () => {
    for (const app of items) {
      if (app.project) seen.project.add(app.project);
      if (app.namespace) seen.namespace.add(app.namespace);
    }
    fill(projects, ...[...seen.project].sort().map((p) => h("option", { value: p })));
    fill(namespaces, ...[...seen.namespace].sort().map((n) => h("option", { value: n })));
  };

  const drawPager = () => {
    const pages = Math.max(1, Math.ceil(total / state.limit));
    const from = total ? (state.page - 1) * state.limit + 1 : 0;
    const to = Math.min(total, state.page * state.limit);
    const go = (page) => () => {
      state.page = page;
      load({ scroll: true });
    };
    const size = h(
      "select",
      { id: "page-size", "aria-label": "Applications per page" },
      PAGE_SIZES.map((n) => h("option", { value: n, selected: n === state.limit }, `${n} per page`)),
    );
    size.addEventListener("change", () => {
      state.limit = Number(size.value);
      state.page = 1;
      load({ scroll: true });
    });
    fill(pager, 
      h("span", { class: "range", "aria-live": "polite" }, total ? `${from.toLocaleString("en-US")}–${to.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}` : "No results"),
      h("div", { class: "spacer" }),
      size,
      h("button", { type: "button", class: "btn btn-icon", "aria-label": "Previous page", disabled: state.page <= 1, onclick: go(state.page - 1) }, icon(ICONS.chevronLeft)),
      h("span", { class: "page-of" }, `Page ${state.page.toLocaleString("en-US")} of ${pages.toLocaleString("en-US")}`),
      h("button", { type: "button", class: "btn btn-icon", "aria-label": "Next page", disabled: state.page >= pages, onclick: go(state.page + 1) }, icon(ICONS.chevronRight)),
    );
  };

  const drawRows = () => {
    const filtered = FILTERS.some((name) => state[name]);
    count.textContent = filtered ? `${plural(total, "match", "matches")}` : plural(total, "application");
    count.id = "apps-count";
    if (!items.length) {
      tbody.replaceChildren();
      table.hidden = true;
      message.hidden = false;
      fill(message, 
        filtered
          ? h("div", { class: "empty-state" }, h("h2", null, "No applications match these filters"), h("p", { class: "muted" }, "Try a shorter search or clear a filter."), h("button", { type: "button", class: "btn", onclick: clearFilters }, "Clear filters"))
          : h(
              "div",
              { class: "empty-state" },
              h("h2", null, "No applications yet"),
              h("p", { class: "muted" }, "Create one with ", h("code", null, "kubectl apply -f application.yaml"), " or ", h("code", null, "rudder app create"), "."),
            ),
      );
    } else {
      table.hidden = false;
      message.hidden = true;
      fill(tbody, ...items.map(appRow));
    }
    table.setAttribute("aria-busy", "false");
    drawPager();
    updateDatalists();
    if (first) {
      first = false;
      // Marks for benchmarks/ui_list.py: rows in the DOM, then the frame that shows them.
      performance.mark("rudder:list-rendered");
      requestAnimationFrame(() => setTimeout(() => performance.mark("rudder:list-painted"), 0));
      main.dataset.ready = "list";
    }
  };

  let loadSeq = 0;
  let loading = false;
  let again = false;
  const load = async ({ scroll = false, quiet = false } = {}) => {
    if (quiet && loading) {
      again = true; // a live re-read waits for the one in flight, never aborts it
      return;
    }
    const seq = ++loadSeq;
    loading = true;
    controller?.abort();
    controller = new AbortController();
    replaceQuery(toQuery(state));
    syncControls();
    if (!quiet) table.setAttribute("aria-busy", "true");
    try {
      const body = await api.listApplications(
        {
          project: state.project,
          selector: state.selector,
          health: state.health,
          sync: state.sync,
          search: state.search,
          namespace: state.namespace,
          limit: state.limit,
          offset: (state.page - 1) * state.limit,
        },
        controller.signal,
      );
      items = Array.isArray(body?.items) ? body.items : [];
      total = Number(body?.total ?? items.length);
      const pages = Math.max(1, Math.ceil(total / state.limit));
      if (state.page > pages && total > 0) {
        state.page = pages;
        return load({ scroll, quiet });
      }
      drawRows();
      if (scroll) main.scrollIntoView({ block: "start" });
    } catch (err) {
      if (err.name === "AbortError" || err.status === 401) return;
      table.setAttribute("aria-busy", "false");
      if (quiet && items.length) return;
      table.hidden = true;
      message.hidden = false;
      fill(message, 
        h("div", { class: "empty-state error", role: "alert" }, icon(ICONS.alert, { size: 28 }), h("h2", null, "Could not load applications"), h("p", null, err.message), h("button", { type: "button", class: "btn", onclick: () => load() }, "Try again")),
      );
    } finally {
      if (seq === loadSeq) {
        loading = false;
        if (again && !closed) {
          again = false;
          reload();
        }
      }
    }
  };
  const reload = coalesce(() => load({ quiet: true }), 700);

  const setFilter = (name, value) => {
    if (state[name] === value) return;
    state[name] = value;
    state.page = 1;
    load();
  };
  const clearFilters = () => {
    for (const name of FILTERS) state[name] = "";
    state.page = 1;
    load();
    search.focus();
  };

  const typed = debounce((name, value) => setFilter(name, value.trim()), 300);
  search.addEventListener("input", () => typed("search", search.value));
  project.addEventListener("input", () => typed("project", project.value));
  namespace.addEventListener("input", () => typed("namespace", namespace.value));
  selector.addEventListener("input", () => typed("selector", selector.value));
  health.addEventListener("change", () => setFilter("health", health.value));
  sync.addEventListener("change", () => setFilter("sync", sync.value));
  clearButton.addEventListener("click", clearFilters);

  const onEvent = ({ type, application }) => {
    if (closed || !application?.name) return;
    const key = keyOf(application);
    const index = items.findIndex((app) => keyOf(app) === key);
    if (type === "DELETED") {
      if (index !== -1 || total) reload();
      return;
    }
    if (type === "ADDED") {
      if (matchesFilters(application, state)) reload();
      return;
    }
    if (index === -1) {
      if (FILTERS.some((name) => state[name]) && matchesFilters(application, state)) reload();
      return;
    }
    items[index] = application;
    const old = tbody.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
    if (old) {
      const fresh = appRow(application);
      fresh.classList.add("flash");
      old.replaceWith(fresh);
    }
    if (!matchesFilters(application, state)) reload();
  };
  const onState = (value) => {
    live.dataset.state = value;
    live.querySelector(".live-text").textContent = value === "live" ? "Live" : value === "connecting" ? "Connecting" : "Offline";
    if (value === "live" && !first) reload();
  };
  const closeStream = streamApplications(onEvent, onState);
  const ticker = setInterval(() => {
    for (const node of tbody.querySelectorAll("time[data-ago]")) node.textContent = ago(node.dataset.ago) || "—";
  }, 30000);

  fill(main, 
    h(
      "section",
      { class: "page page-list" },
      h("div", { class: "page-header" }, h("div", null, h("h1", null, "Applications"), count), h("div", { class: "spacer" }), live),
      toolbar,
      h("div", { class: "card table-card" }, h("div", { class: "table-wrap" }, table), message, pager),
    ),
  );
  syncControls();
  load();

  return () => {
    closed = true;
    controller?.abort();
    reload.cancel();
    typed.cancel();
    closeStream();
    clearInterval(ticker);
  };
}
