// The catalog's filters sit behind a "Filters (n)" button (a <details>) so that on a phone the
// results come first. On a wide screen they stand open beside the results. Without this
// script the button still opens them.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector("details[data-filters]");
  if (!filters) return;
  const wide = window.matchMedia("(min-width: 60rem)");
  const follow = () => {
    if (wide.matches) filters.open = true;
  };
  follow();
  wide.addEventListener("change", follow);
});
