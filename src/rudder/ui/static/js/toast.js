// Short notices in the polite live region (#toasts), gone after a few seconds.

import { h, icon, ICONS } from "./dom.js";

export function toast(message, kind = "info", ms = 5000) {
  const region = document.getElementById("toasts");
  if (!region) return;
  const close = h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss" }, icon(ICONS.x, { size: 14 }));
  const node = h(
    "div",
    { class: ["toast", `toast-${kind}`] },
    icon(kind === "error" ? ICONS.alert : kind === "success" ? ICONS.check : ICONS.info, { size: 16 }),
    h("span", { class: "toast-text" }, message),
    close,
  );
  const remove = () => node.remove();
  close.addEventListener("click", remove);
  region.append(node);
  setTimeout(remove, kind === "error" ? ms * 2 : ms);
}
