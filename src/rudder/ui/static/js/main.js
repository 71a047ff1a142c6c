// Entry point: draws the top bar and hands each hash route to its view at once; who is
// signed in is asked in parallel, and any 401 shows the login page. A view's render()
// returns a cleanup function (close streams, stop timers) run before the next view.

import { api } from "./api.js";
import { fill, h, icon, ICONS } from "./dom.js";
import { currentRoute, href, navigate } from "./router.js";
import { renderLogin } from "./views/login.js";
import { renderList } from "./views/list.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
let session = null;
let pendingSession = null;
let cleanup = null;
let generation = 0;
let appView = null;

/** The application page's modules, loaded on first use (or once the list is idle), so
 * the list's first paint waits only for the list's own modules. */
function loadAppView() {
  appView ??= import("./views/app.js");
  return appView;
}

function brand() {
  return h(
    "a",
    { class: "brand", href: "#/applications", "aria-label": "Rudder — applications" },
    h("img", { src: "/favicon.svg", alt: "", width: 26, height: 26 }),
    h("span", null, "Rudder"),
  );
}

function drawTopbar(route) {
  if (route.segments[0] === "login") {
    topbar.hidden = true;
    return;
  }
  const roles = (session?.roles || []).join(", ");
  fill(
    topbar,
    brand(),
    h("nav", { class: "topnav", "aria-label": "Main" }, h("a", { href: "#/applications", class: "active", "aria-current": "page" }, "Applications")),
    h("div", { class: "spacer" }),
    session
      ? [
          h(
            "div",
            { class: "user", title: roles ? `Roles: ${roles}` : "" },
            h("span", { class: "avatar", "aria-hidden": "true" }, (session.username || "?").slice(0, 1).toUpperCase()),
            h("span", { class: "user-name", "data-testid": "username" }, session.username),
          ),
          h("button", { type: "button", class: "btn btn-ghost", onclick: logout, "aria-label": "Sign out" }, icon(ICONS.logout), h("span", { class: "hide-sm" }, "Sign out")),
        ]
      : null,
  );
  topbar.hidden = false;
}

/** Who is signed in, asked once and in parallel with the first page's own request:
 * a 401 from either raises "rudder:unauthorized", which shows the login page. */
function whoami() {
  if (session || pendingSession) return;
  pendingSession = api.userinfo().then(
    (info) => {
      session = info;
      pendingSession = null;
      drawTopbar(currentRoute());
    },
    (err) => {
      pendingSession = null;
      if (err.status === 401) window.dispatchEvent(new CustomEvent("rudder:unauthorized"));
    },
  );
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // The cookie is gone or the server is down: the login page is right either way.
  }
  session = null;
  navigate(href(["login"]));
}

function route() {
  cleanup?.();
  cleanup = null;
  const current = currentRoute();
  const onLogin = current.segments[0] === "login";
  if (!onLogin) whoami();
  drawTopbar(current);
  const ctx = {
    onLogin: (info) => {
      session = info;
    },
  };
  const mine = ++generation;
  if (onLogin) cleanup = renderLogin(main, current, ctx);
  else if (current.segments[0] === "applications" && current.segments.length >= 3) {
    loadAppView().then((view) => {
      if (mine === generation) cleanup = view.renderApp(main, current, ctx);
    });
  } else if (current.segments[0] === "applications" || current.segments.length === 0) {
    cleanup = renderList(main, current, ctx);
    setTimeout(loadAppView, 1500);
  } else {
    fill(
      main,
      h("section", { class: "empty-state" }, h("h1", null, "Page not found"), h("p", null, h("a", { href: "#/applications" }, "Back to applications"))),
    );
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("rudder:unauthorized", () => {
  const current = currentRoute();
  session = null;
  if (current.segments[0] !== "login") navigate(href(["login"], { next: current.raw }));
});

route();
window.rudderPrefetch = null; // the first view took it, or never will
