// "Copy" buttons next to read-only addresses: shown only when the browser can copy.
// <button type="button" data-copy="input-id" data-copied="Copied" hidden>Copy</button>
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copy + "-status");
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      if (status) status.textContent = "";  // so that a second copy is announced again
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = button.dataset.copied;
      } catch {
        if (status) status.textContent = button.dataset.failed;
      }
    });
  }
});
