// The login page: username and password to POST /api/v1/session; the server sets the
// session cookie, then the user goes back where they were heading (?next=).

import { api } from "../api.js";
import { fill, h, icon, ICONS } from "../dom.js";
import { navigate } from "../router.js";

export function renderLogin(main, route, ctx) {
  document.title = "Sign in · Rudder";
  const next = route.query.get("next") || "/applications";
  const error = h("div", { class: "form-error", role: "alert", hidden: true });
  const username = h("input", { id: "login-username", name: "username", type: "text", autocomplete: "username", required: true, autofocus: true, spellcheck: "false" });
  const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Sign in");

  const form = h(
    "form",
    { class: "login-form", "aria-labelledby": "login-title", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "login-username" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
    error,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      fill(error, icon(ICONS.alert), h("span", null, "Enter your username and password."));
      error.hidden = false;
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    error.hidden = true;
    try {
      await api.login(username.value.trim(), password.value);
      ctx.onLogin(await api.userinfo());
      navigate(`#${next.startsWith("/") ? next : `/${next}`}`);
    } catch (err) {
      const message = err.status === 401 || err.status === 403 ? "Wrong username or password." : err.message;
      fill(error, icon(ICONS.alert), h("span", null, message));
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = "Sign in";
      password.select();
    }
  });

  fill(main, 
    h(
      "section",
      { class: "login" },
      h(
        "div",
        { class: "login-card" },
        h("div", { class: "login-brand" }, h("img", { src: "/favicon.svg", alt: "", width: 44, height: 44 }), h("span", null, "Rudder")),
        h("h1", { id: "login-title" }, "Sign in"),
        h("p", { class: "muted" }, "GitOps continuous delivery for Kubernetes."),
        form,
        h("p", { class: "login-hint muted" }, "First time? ", h("code", null, "rudder admin initial-password"), " prints the admin password."),
      ),
    ),
  );
  username.focus();
  return null;
}
