// The check-in page: scan QR codes with the camera (jsQR, vendored) and filter the list as
// one types. Without JavaScript or a camera the page still works: type the code, tap a name.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector(".checkin");
  if (!root) return;

  // Filter the list at once (the search button still asks the server).
  const filter = root.querySelector("[data-checkin-filter]");
  if (filter) {
    filter.addEventListener("input", () => {
      const wanted = filter.value.trim().toLowerCase().replace(/\s+/g, "");
      for (const item of root.querySelectorAll(".checkin__person")) {
        item.hidden = wanted !== "" && !item.dataset.name.replace(/\s+/g, "").includes(wanted);
      }
    });
  }

  const scanner = root.querySelector("[data-scanner]");
  if (!scanner || typeof jsQR !== "function" || !navigator.mediaDevices?.getUserMedia) return;
  scanner.hidden = false;
  const video = scanner.querySelector("video");
  const start = scanner.querySelector("[data-scan-start]");
  const stop = scanner.querySelector("[data-scan-stop]");
  const failure = scanner.querySelector("[data-camera-error]");
  const result = root.querySelector("#checkin-result");
  const count = root.querySelector("#checkin-count");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stream = null;
  let busy = false;
  let last = { code: "", at: 0 };

  function show(data) {
    result.textContent = data.message;
    result.classList.toggle("checkin__result--ok", data.ok);
    result.classList.toggle("checkin__result--refused", !data.ok);
    if (data.counts) count.textContent = data.counts;
    const row = data.registration && root.querySelector(`#person-${data.registration}`);
    if (row && data.ok) {
      // The row as the server draws it for someone checked in: the name and since when.
      const name = document.createElement("span");
      name.className = "checkin__name";
      name.textContent = data.name;
      const state = document.createElement("span");
      state.className = "checkin__state";
      state.textContent = `✓ ${data.state}`;
      row.classList.add("checkin__person--in");
      row.replaceChildren(name, state);
    }
  }

  async function send(code) {
    busy = true;
    try {
      const response = await fetch(root.dataset.checkinUrl, {
        method: "POST",
        headers: { "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
        body: new URLSearchParams({ code }),
        credentials: "same-origin",
      });
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("json")) show(await response.json());
      else show({ ok: false, message: `${response.status} ${response.statusText}` });
    } catch {
      show({ ok: false, message: failure.textContent });
    } finally {
      // A moment to read the result before the next code.
      setTimeout(() => { busy = false; }, 1200);
    }
  }

  function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      const now = Date.now();
      // The same code held in front of the camera is sent once, not thirty times a second.
      if (found && found.data && (found.data !== last.code || now - last.at > 4000)) {
        last = { code: found.data, at: now };
        send(found.data);
      }
    }
    requestAnimationFrame(tick);
  }

  start.addEventListener("click", async () => {
    failure.hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch {
      failure.hidden = false;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    start.hidden = true;
    stop.hidden = false;
    await video.play();
    requestAnimationFrame(tick);
  });

  stop.addEventListener("click", () => {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
  });
});
