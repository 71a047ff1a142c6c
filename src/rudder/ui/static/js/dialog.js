// Modal confirmation dialogs on the native <dialog> element (focus trap, Escape to
// cancel). The confirm action may fail: its error message (the server's own words) is
// shown inside the dialog, which stays open so the user can change their choice.

import { fill, h, icon, ICONS } from "./dom.js";

let sequence = 0;

/**
 * confirmDialog({title, body, confirmLabel, danger, onConfirm, onError}) → Promise<boolean>
 * ``body`` is a Node (or array of Nodes). ``onConfirm()`` runs on confirm; it may throw.
 * ``onError(err, ui)`` may adapt the dialog (``ui.setConfirmLabel``, ``ui.body``); the
 * dialog then shows ``err.message`` and waits for another try.
 */
export function confirmDialog({ title, body, confirmLabel = "Confirm", danger = false, onConfirm, onError }) {
  const id = `dialog-${++sequence}`;
  return new Promise((resolve) => {
    const error = h("div", { class: "dialog-error", role: "alert", hidden: true });
    const confirm = h("button", { type: "submit", class: ["btn", danger ? "btn-danger" : "btn-primary"], value: "confirm" }, confirmLabel);
    const cancel = h("button", { type: "button", class: "btn", value: "cancel" }, "Cancel");
    const content = h("div", { class: "dialog-body", id: `${id}-body` }, body);
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { class: "dialog-title", id: `${id}-title` }, title),
      content,
      error,
      h("div", { class: "dialog-actions" }, cancel, confirm),
    );
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-body` }, form);
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const ui = {
      body: content,
      setConfirmLabel: (text) => {
        confirm.textContent = text;
      },
    };
    cancel.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      if (!confirm.disabled) finish(false);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      confirm.disabled = true;
      cancel.disabled = true;
      error.hidden = true;
      const label = confirm.textContent;
      fill(confirm, h("span", { class: "spinner small", "aria-hidden": "true" }), ` ${label}`);
      try {
        await onConfirm?.();
        finish(true);
      } catch (err) {
        confirm.textContent = label;
        onError?.(err, ui);
        fill(error, icon(ICONS.alert, { size: 16 }), h("span", null, err.message || String(err)));
        error.hidden = false;
        confirm.disabled = false;
        cancel.disabled = false;
        confirm.focus();
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
