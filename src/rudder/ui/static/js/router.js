// Hash routes (#/applications, #/applications/<ns>/<name>?tab=diff, #/login?next=…), so
// deep links work whatever the server's fallback rules. Views update their own query
// with replaceQuery(), which changes the address without re-rendering the view.

export function currentRoute() {
  const raw = location.hash.replace(/^#/, "") || "/applications";
  const [path, qs = ""] = raw.split("?");
  const segments = path.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
  return { path, segments, query: new URLSearchParams(qs), raw };
}

export function href(segments, query) {
  const path = "/" + segments.map((s) => encodeURIComponent(s)).join("/");
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

export function navigate(target) {
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

/** Put ``query`` in the address bar without a hashchange (the view already shows it). */
export function replaceQuery(query) {
  const { segments } = currentRoute();
  history.replaceState(history.state, "", href(segments, query));
}
