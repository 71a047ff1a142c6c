// The UI's only door to Rudder: the REST API under /api/v1 and its server-sent event
// stream. The session is the HttpOnly cookie the server sets at login; a 401 from any
// call raises the "rudder:unauthorized" window event, which main.js turns into the login page.

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `${BASE}${path}${qs ? `?${qs}` : ""}`;
}

async function errorMessage(response) {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const detail = body.error ?? body.message ?? body.detail;
    if (typeof detail === "string") return [detail, body];
    if (Array.isArray(detail)) return [detail.map((d) => d.msg ?? JSON.stringify(d)).join("; "), body];
    return [text || response.statusText, body];
  } catch {
    return [text.trim() || `${response.status} ${response.statusText}`, null];
  }
}

/** The response boot.js started for ``target``, once; null otherwise. */
function prefetched(method, target) {
  const early = window.rudderPrefetch;
  if (!early || method !== "GET" || early.url !== target) return null;
  window.rudderPrefetch = null;
  return Date.now() - early.at < 10000 ? early.response : null; // never a stale page
}

export async function request(method, path, { body, query, signal, quiet401 = false } = {}) {
  let response;
  const target = url(path, query);
  try {
    response = await (prefetched(method, target) || fetch(target, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    }));
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "Cannot reach the Rudder server. Check that it is running.", null);
  }
  if (response.status === 401 && !quiet401) {
    window.dispatchEvent(new CustomEvent("rudder:unauthorized"));
  }
  if (!response.ok) {
    const [message, parsed] = await errorMessage(response);
    throw new ApiError(response.status, message, parsed);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const app = (namespace, name) => `/applications/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

export const api = {
  login: (username, password) => request("POST", "/session", { body: { username, password }, quiet401: true }),
  logout: () => request("DELETE", "/session", { quiet401: true }),
  userinfo: () => request("GET", "/session/userinfo", { quiet401: true }),
  listApplications: (query, signal) => request("GET", "/applications", { query, signal }),
  application: (ns, name, signal) => request("GET", app(ns, name), { signal }),
  resourceTree: (ns, name, signal) => request("GET", `${app(ns, name)}/resource-tree`, { signal }),
  managedResources: (ns, name, signal) => request("GET", `${app(ns, name)}/managed-resources`, { signal }),
  events: (ns, name, signal) => request("GET", `${app(ns, name)}/events`, { signal }),
  sync: (ns, name, body) => request("POST", `${app(ns, name)}/sync`, { body }),
  refresh: (ns, name, hard) => request("POST", `${app(ns, name)}/refresh`, { query: { hard: hard ? "true" : "" }, body: {} }),
  rollback: (ns, name, body) => request("POST", `${app(ns, name)}/rollback`, { body }),
};

/** Items of a list response whatever its envelope: [..], {items: [..]}, {events: [..]}. */
export function itemsOf(body) {
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.items)) return body.items;
  if (body && Array.isArray(body.events)) return body.events;
  return [];
}

/**
 * Subscribe to /api/v1/stream/applications. ``onEvent({type, application})`` for each
 * change; ``onState("live" | "connecting" | "offline")`` as the connection changes.
 * Reconnects with backoff; after a reconnect, ``onState("live")`` tells the caller to
 * re-read what it shows, since events may have been missed. Returns ``close()``.
 */
export function streamApplications(onEvent, onState) {
  let source = null;
  let closed = false;
  let retry = 1000;
  let timer = 0;

  const open = () => {
    if (closed) return;
    onState?.("connecting");
    source = new EventSource(`${BASE}/stream/applications`, { withCredentials: true });
    source.addEventListener("open", () => {
      retry = 1000;
      onState?.("live");
    });
    source.addEventListener("application", (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data && data.application) onEvent(data);
    });
    source.addEventListener("error", (event) => {
      if (closed) return;
      if (event.data) {
        // The server's own "error" event before it ends the stream: 401 when the
        // session ended, 503 when this client fell behind (the browser reconnects).
        let body = {};
        try {
          body = JSON.parse(event.data);
        } catch {
          body = {};
        }
        if (body.code === 401) {
          closed = true;
          source.close();
          onState?.("offline");
          window.dispatchEvent(new CustomEvent("rudder:unauthorized"));
        }
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (HTTP error such as 401): check the session, then retry.
        onState?.("offline");
        source = null;
        api.userinfo().then(
          () => schedule(),
          (err) => {
            if (err.status === 401) window.dispatchEvent(new CustomEvent("rudder:unauthorized"));
            else schedule();
          },
        );
      } else {
        onState?.("connecting");
      }
    });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(open, retry);
    retry = Math.min(retry * 2, 15000);
  };

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
