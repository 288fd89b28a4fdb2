// The choices of a question show only for the kinds that have a list. Without this script
// both stay visible, and the server ignores choices given to other kinds.
const kind = document.getElementById("kind");
const choices = document.querySelector("[data-choices-for]");
if (kind && choices) {
  const lists = choices.dataset.choicesFor.split(" ");
  const show = () => {
    choices.hidden = !lists.includes(kind.value);
  };
  kind.addEventListener("change", show);
  show();
}
