// Times are shown in the offering's zone, named once per page by a note:
//   <p class="zone-note" data-your-time="(your time: {time})">Times are in Korean Time (KST).</p>
//   <time datetime="2026-12-09T10:00+09:00" data-ends="2026-12-09T12:00+09:00" data-zone="Asia/Seoul">
// When the reader's own zone shows another wall-clock time, add it after each <time>.
document.addEventListener("DOMContentLoaded", () => {
  const note = document.querySelector("[data-your-time]");
  if (!note || !window.Intl) return;
  const label = note.dataset.yourTime;
  const lang = document.documentElement.lang || undefined;
  const parts = { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
  const yours = new Intl.DateTimeFormat(lang, { ...parts, timeZoneName: "short" });
  const wallClock = {};  // zone -> formatter of the wall-clock time there, to compare
  const clockIn = (zone, moment) => {
    wallClock[zone] = wallClock[zone] || new Intl.DateTimeFormat("en", { ...parts, timeZone: zone });
    return wallClock[zone].format(moment);
  };
  const reader = yours.resolvedOptions().timeZone;
  for (const element of document.querySelectorAll("time[datetime][data-zone]")) {
    const start = new Date(element.getAttribute("datetime"));
    const end = new Date(element.dataset.ends || element.getAttribute("datetime"));
    if (Number.isNaN(start.getTime())) continue;
    try {
      if (clockIn(element.dataset.zone, start) === clockIn(reader, start)) continue;
    } catch {
      continue;  // a zone this browser does not know
    }
    const text = end > start && yours.formatRange ? yours.formatRange(start, end) : yours.format(start);
    const extra = document.createElement("span");
    extra.className = "your-time";
    extra.textContent = label.replace("{time}", text);
    element.after(" ", extra);
  }
});
