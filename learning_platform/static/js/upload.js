// An image too large for the upload is said at once, next to its field, before it is sent.
// Without this script the server says the same after the upload.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.maxBytes) return;
  const error = document.getElementById(`${input.id}-error`);
  const file = input.files && input.files[0];
  const tooLarge = Boolean(file) && file.size > Number(input.dataset.maxBytes);
  input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
  if (tooLarge) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = input.dataset.tooLarge;
    error.hidden = false;
  } else if (error.dataset.fromScript) {
    input.removeAttribute("aria-invalid");
    error.hidden = true;
  }
  error.dataset.fromScript = tooLarge ? "1" : "";
});

document.addEventListener("submit", (event) => {
  for (const input of event.target.querySelectorAll("input[type=file][data-max-bytes]")) {
    if (input.validity.customError) {
      event.preventDefault();
      input.focus();
      return;
    }
  }
});
