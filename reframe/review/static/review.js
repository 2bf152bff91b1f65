// The review page: the source with the camera drawn over it, the vertical result beside it,
// and the corrections (layout, zoom, pin, window keyframes) sent to the server, which re-plans.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const video = $("video"), overlay = $("overlay"), vertical = $("vertical");
const octx = overlay.getContext("2d"), vctx = vertical.getContext("2d");

let view = null;         // GET /api/path: crop path, per-frame windows, panels, shots, frame times
let samples = [];        // GET /api/detections, by frame
let selected = 0;        // index of the shot shown in the shot panel
let drag = null;         // {frame, dx, dy, x, y} while the window is dragged
let busy = false;

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: {"X-Reframe-Token": token, "Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function say(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function act(method, url, body, done) {
  if (busy) return;
  busy = true;
  document.body.dataset.busy = "1";
  try {
    const data = await call(method, url, body);
    if (data.path) show(data);
    if (done) say(done(data));
  } catch (e) {
    say(e.message, true);
  } finally {
    busy = false;
    document.body.dataset.busy = "0";
  }
}

// -- geometry --------------------------------------------------------------------

const source = () => view.path.source;
const fps = () => { const [n, d] = source().fps.split("/").map(Number); return n / (d || 1); };

function frameAt(t) {  // the last frame whose time is at or before t
  const times = view.times;
  let lo = 0, hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t + 1e-4) lo = mid; else hi = mid - 1;
  }
  return lo;
}

function shotAt(frame) {
  return view.shots.findIndex((s) => s.start <= frame && frame < s.end);
}

function aspect() { const [w, h] = view.path.aspect.split(":").map(Number); return w / h; }

function toSource(event) {  // a mouse event on the overlay, in source display pixels
  const r = overlay.getBoundingClientRect();
  return [(event.clientX - r.left) / r.width * source().width, (event.clientY - r.top) / r.height * source().height];
}

// -- drawing ---------------------------------------------------------------------

function sizeCanvases() {
  // The source as large as leaves room for the controls below it and the vertical view beside it.
  const vh = Math.max(240, window.innerHeight - 80), vw = Math.round(vh * aspect());
  const room = Math.min(window.innerWidth - vw - 64, (window.innerHeight - 330) * source().width / source().height);
  const panel = document.querySelector(".source");
  if (panel.style.maxWidth !== `${Math.max(320, room)}px`) panel.style.maxWidth = `${Math.max(320, room)}px`;
  const w = overlay.clientWidth, h = overlay.clientHeight;
  if (overlay.width !== w || overlay.height !== h) { overlay.width = w; overlay.height = h; }
  if (vertical.height !== vh || vertical.width !== vw) {
    vertical.width = vw; vertical.height = vh;
    vertical.style.width = vw + "px"; vertical.style.height = vh + "px";
  }
}

// Part of the picture inside the source window win = [x, y, w, h], drawn into the rectangle (dx, dy, dw, dh);
// where the window reaches beyond the picture, a blurred, darkened copy fills it (as the renderer does).
function drawWindow(ctx, win, dx, dy, dw, dh) {
  const [x, y, w, h] = win, W = source().width, H = source().height;
  const kx = video.videoWidth / W, ky = video.videoHeight / H;
  const sx0 = Math.max(x, 0), sy0 = Math.max(y, 0), sx1 = Math.min(x + w, W), sy1 = Math.min(y + h, H);
  const k = dw / w;
  ctx.save();
  ctx.beginPath(); ctx.rect(dx, dy, dw, dh); ctx.clip();
  if (x < -0.5 || y < -0.5 || x + w > W + 0.5 || y + h > H + 0.5) {
    const cover = Math.max(dw / W, dh / H) * 1.1;
    ctx.filter = "blur(12px) brightness(0.55)";
    ctx.drawImage(video, dx + dw / 2 - W * cover / 2, dy + dh / 2 - H * cover / 2, W * cover, H * cover);
    ctx.filter = "none";
  }
  if (sx1 > sx0 && sy1 > sy0) {
    ctx.drawImage(video, sx0 * kx, sy0 * ky, (sx1 - sx0) * kx, (sy1 - sy0) * ky,
      dx + (sx0 - x) * k, dy + (sy0 - y) * k, (sx1 - sx0) * k, (sy1 - sy0) * k);
  }
  ctx.restore();
}

function panelsAt(shot, frame) {
  const tracks = view.panels[String(shot.start)];
  return tracks ? tracks.map((t) => t[frame - shot.start]) : null;
}

function windowAt(frame) {
  if (drag && drag.frame === frame) return [drag.x, drag.y, view.windows[frame][2], view.windows[frame][3]];
  return view.windows[frame];
}

function drawVertical(shot, frame) {
  const W = vertical.width, H = vertical.height;
  vctx.fillStyle = "#000"; vctx.fillRect(0, 0, W, H);
  if (video.readyState < 2) return;
  const panels = panelsAt(shot, frame);
  if (shot.layout === "split" && panels) {
    if (aspect() <= 1) { drawWindow(vctx, panels[0], 0, 0, W, H / 2); drawWindow(vctx, panels[1], 0, H / 2, W, H / 2); }
    else { drawWindow(vctx, panels[0], 0, 0, W / 2, H); drawWindow(vctx, panels[1], W / 2, 0, W / 2, H); }
  } else if (shot.layout === "fit") {
    drawWindow(vctx, view.fit, 0, 0, W, H);
  } else {
    drawWindow(vctx, windowAt(frame), 0, 0, W, H);
  }
}

function rect(win, colour, width = 2, dash = []) {
  const s = overlay.width / source().width;
  octx.strokeStyle = colour; octx.lineWidth = width; octx.setLineDash(dash);
  octx.strokeRect(win[0] * s, win[1] * s, win[2] * s, win[3] * s);
  octx.setLineDash([]);
}

function drawOverlay(shot, frame) {
  octx.clearRect(0, 0, overlay.width, overlay.height);
  const s = overlay.width / source().width;
  // What the analysis saw on the last sample at or before this frame, in this shot.
  let sample = null;
  for (const d of samples) { if (d.frame > frame) break; if (d.frame >= shot.start) sample = d; }
  if (sample) {
    for (const item of sample.items) {
      const [x1, y1, x2, y2] = item.box;
      rect([x1, y1, x2 - x1, y2 - y1], item.kind === "face" ? "rgba(255,255,255,0.7)" : "rgba(255,255,255,0.3)", 1, [4, 3]);
    }
  }
  const panels = panelsAt(shot, frame);
  if (shot.layout === "split" && panels) {
    rect(panels[0], "#4fc3f7", 3); rect(panels[1], "#f06292", 3);
  } else if (shot.layout === "fit") {
    rect(view.fit, "#ffb74d", 3);
  } else {
    rect(windowAt(frame), drag ? "#ffffff" : "#ffd54f", 3);
  }
  const pins = (view.path.overrides || {}).pins || [];
  for (const p of pins) {
    const f = frameAt(p.time);
    if (f < shot.start || f >= shot.end) continue;
    octx.fillStyle = f <= frame ? "#ff5252" : "rgba(255,82,82,0.45)";
    octx.beginPath(); octx.arc(p.x * s, p.y * s, 7, 0, 2 * Math.PI); octx.fill();
  }
}

function tick() {
  if (view) {
    sizeCanvases();
    const frame = frameAt(video.currentTime), index = shotAt(frame), shot = view.shots[index];
    drawOverlay(shot, frame);
    drawVertical(shot, frame);
    $("clock").textContent = `${video.currentTime.toFixed(2)} s, frame ${frame}, shot ${index}`;
    const duration = view.shots[view.shots.length - 1].end_time;
    $("playhead").style.left = `${(video.currentTime / duration) * 100}%`;
    document.body.dataset.frame = frame;
  }
  requestAnimationFrame(tick);
}

// -- the shot list and panel -------------------------------------------------------

function show(data) {
  view = data;
  $("undo").disabled = !view.can_undo;
  const timeline = $("timeline");
  timeline.querySelectorAll(".shot").forEach((e) => e.remove());
  const hand = (view.path.overrides || {}).shots || {};
  view.shots.forEach((shot, i) => {
    const e = document.createElement("div");
    e.id = `shot-${i}`;
    e.className = `shot ${shot.layout}` + (i === selected ? " selected" : "") + (/by hand/.test(shot.reason) ? " by-hand" : "");
    e.style.flexGrow = shot.end - shot.start;
    e.title = shot.reason;
    e.dataset.layout = shot.layout;
    e.textContent = `${i} ${shot.layout}`;
    e.onclick = () => selectShot(i, true);
    timeline.insertBefore(e, $("playhead"));
  });
  showShot();
}

function showShot() {
  const shot = view.shots[selected];
  $("shot-title").textContent = `shot ${selected}`;
  $("shot-times").textContent = `${shot.time.toFixed(2)} to ${shot.end_time.toFixed(2)} s (frames ${shot.start} to ${shot.end - 1})`;
  $("shot-subject").textContent = shot.subject;
  $("shot-reason").textContent = shot.reason;
  $("shot-note").textContent = shot.note;
  for (const layout of ["follow", "split", "fit"]) $(`layout-${layout}`).classList.toggle("on", shot.layout === layout);
  $("layout-split").disabled = !shot.split_possible;
  $("zoom").value = shot.zoom;
  $("zoom-value").textContent = Number(shot.zoom).toFixed(2);
}

function selectShot(i, seek) {
  selected = i;
  document.querySelectorAll("#timeline .shot").forEach((e, k) => e.classList.toggle("selected", k === i));
  if (seek) video.currentTime = view.shots[i].time + 0.5 / fps();
  showShot();
}

// -- input -----------------------------------------------------------------------------

const tool = () => ($("tool-pin").checked ? "pin" : "drag");

overlay.addEventListener("mousedown", (event) => {
  if (!view) return;
  const frame = frameAt(video.currentTime), index = shotAt(frame), shot = view.shots[index];
  const [x, y] = toSource(event);
  if (index !== selected) selectShot(index, false);
  if (tool() === "pin") {
    video.pause();
    act("POST", "/api/pin", {frame, x, y}, () => `shot ${index}: follows the subject nearest (${x.toFixed(0)}, ${y.toFixed(0)}) from frame ${frame}`);
    return;
  }
  if (shot.layout !== "follow") { say(`shot ${index} is ${shot.layout}: switch it to follow to move its window`, true); return; }
  const [wx, wy, ww, wh] = view.windows[frame];
  if (x < wx || x > wx + ww || y < wy || y > wy + wh) { say("drag from inside the window to move it"); return; }
  video.pause();
  drag = {frame, dx: x - wx, dy: y - wy, x: wx, y: wy};
});

window.addEventListener("mousemove", (event) => {
  if (!drag) return;
  const [x, y] = toSource(event), [, , w, h] = view.windows[drag.frame];
  const W = source().width, H = source().height;
  const clamp = (v, size, extent) => Math.min(Math.max(v, Math.min(0, extent - size)), Math.max(0, extent - size));
  drag.x = clamp(x - drag.dx, w, W);
  drag.y = clamp(y - drag.dy, h, H);
});

window.addEventListener("mouseup", () => {
  if (!drag) return;
  const d = drag;
  drag = null;
  act("POST", "/api/keyframe", {frame: d.frame, x: d.x, y: d.y}, () => `window keyframe at frame ${d.frame}`);
});

for (const layout of ["follow", "split", "fit"]) {
  $(`layout-${layout}`).onclick = () => act("POST", "/api/shot", {shot: selected, layout}, () => `shot ${selected}: ${layout}`);
}
$("zoom").oninput = () => { $("zoom-value").textContent = Number($("zoom").value).toFixed(2); };
$("zoom").onchange = () => {
  const zoom = Number($("zoom").value);
  act("POST", "/api/shot", {shot: selected, zoom}, () => `shot ${selected}: zoom ${zoom.toFixed(2)}x`);
};
$("tool-pin").onchange = $("tool-drag").onchange = () => overlay.classList.toggle("pin", tool() === "pin");
$("undo").onclick = () => act("POST", "/api/undo", undefined, () => "undone");
$("save").onclick = () => act("POST", "/api/save", undefined, (d) => `saved ${d.saved}`);
$("play").onclick = () => (video.paused ? video.play() : video.pause());
video.onplay = () => { $("play").textContent = "Pause"; };
video.onpause = () => { $("play").textContent = "Play"; };
$("step").onclick = () => { video.pause(); video.currentTime = view.times[Math.min(frameAt(video.currentTime) + 1, view.times.length - 1)] + 0.5 / fps(); };
$("step-back").onclick = () => { video.pause(); video.currentTime = view.times[Math.max(frameAt(video.currentTime) - 1, 0)] + 0.5 / fps(); };
window.addEventListener("keydown", (event) => {
  if (event.target.tagName === "INPUT" && event.target.type !== "radio") return;
  if (event.key === " ") { event.preventDefault(); $("play").onclick(); }
  else if (event.key === ".") $("step").onclick();
  else if (event.key === ",") $("step-back").onclick();
  else if (event.key === "z" && (event.ctrlKey || event.metaKey)) $("undo").onclick();
});
video.addEventListener("timeupdate", () => {
  if (!view || drag) return;
  const index = shotAt(frameAt(video.currentTime));
  if (index !== selected && !video.paused) selectShot(index, false);
});

$("render").onclick = async () => {
  try {
    showRender(await call("POST", "/api/render"));
  } catch (e) { say(e.message, true); return; }
  const poll = setInterval(async () => {
    try {
      const job = await call("GET", "/api/render");
      showRender(job);
      if (job.state !== "running") clearInterval(poll);
    } catch (e) { clearInterval(poll); say(e.message, true); }
  }, 400);
};

function showRender(job) {
  $("render-progress").value = job.fraction;
  $("render-state").textContent = job.state === "running" ? `${Math.round(job.fraction * 100)} %` : job.state;
  document.body.dataset.render = job.state;
  if (job.state === "done") say(`rendered ${job.output}`);
  if (job.state === "failed") say(job.error, true);
  $("render").disabled = job.state === "running";
}

// -- start -----------------------------------------------------------------------------

(async () => {
  try {
    const [data, found] = await Promise.all([call("GET", "/api/path"), call("GET", "/api/detections")]);
    samples = found;
    show(data);
    video.src = `/video?token=${encodeURIComponent(token)}`;
    video.addEventListener("loadeddata", () => { document.body.dataset.ready = "1"; }, {once: true});
    video.addEventListener("error", () => say("this browser cannot play the source video; the corrections still work", true));
    showRender(await call("GET", "/api/render"));
    requestAnimationFrame(tick);
  } catch (e) {
    say(e.message, true);
  }
})();
