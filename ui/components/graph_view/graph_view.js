// The roadmap graph as inline SVG, drawn from the positions graph/layout/ computes.
// No library, no network: boxes, curves, a legend, a tooltip, pan and zoom. A click on a
// node, or Enter on a focused one, sends its id back to Python as the "clicked" trigger.
// With controls, a search box and the legend's chips (sections, statuses) dim the nodes
// they leave out, here in the browser, and a target picker sends the "target" trigger.

const SVGNS = "http://www.w3.org/2000/svg";
const STATUSES = ["todo", "learning", "done", "skipped"];
let instances = 0;

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function div(cls, parent, text) {
  const e = document.createElement("div");
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
}

function tint(colour, percent) {
  return `color-mix(in srgb, ${colour} ${percent}%, var(--gv-bg))`;
}

// A curve through the route's points, level at each point (so it leaves and enters
// boxes horizontally and runs level through the columns it passes).
function curve(points) {
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const dx = (x1 - x0) / 2;
    d += ` C${x0 + dx},${y0} ${x1 - dx},${y1} ${x1},${y1}`;
  }
  return d;
}

// The status mark: a shape per status, so that colour is never the only cue.
function badge(status, cx, cy, parent, colour) {
  const g = svg("g", { class: "gv-badge", transform: `translate(${cx},${cy})` }, parent);
  const r = 7;
  const ring = { r, fill: "var(--gv-bg)", stroke: "var(--gv-text)" };
  if (status === "done") {
    svg("circle", { ...ring, fill: "var(--gv-text)" }, g);
    svg("path", { d: "M-3.5,0.2 L-1,2.8 L3.8,-2.6", fill: "none", stroke: "var(--gv-bg)",
                  "stroke-width": 2 }, g);
  } else if (status === "learning") {
    svg("circle", ring, g);
    svg("path", { d: `M0,${-r} A${r},${r} 0 0 0 0,${r} Z`, fill: "var(--gv-text)" }, g);
  } else if (status === "skipped") {
    svg("circle", ring, g);
    svg("path", { d: "M-4.9,4.9 L4.9,-4.9", stroke: "var(--gv-text)" }, g);
  } else {
    svg("circle", { ...ring, stroke: colour || "var(--gv-text)" }, g);
  }
  return g;
}

function star(cx, cy, parent) {
  const pts = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 ? 3.6 : 8.5;
    pts.push(`${(cx + rr * Math.cos(a)).toFixed(2)},${(cy + rr * Math.sin(a)).toFixed(2)}`);
  }
  return svg("polygon", { class: "gv-star", points: pts.join(" ") }, parent);
}

function build(parent) {
  const root = div("gv", parent);
  const controls = div("gv-controls", root);
  controls.hidden = true;
  const bar = div("gv-bar", root);
  const legend = div("gv-legend", bar);
  const tools = div("gv-tools", bar);
  const view = div("gv-view", root);
  view.tabIndex = 0;
  view.setAttribute("role", "group");
  const tip = div("gv-tip", root);
  tip.hidden = true;
  const st = { root, controls, legend, tools, view, tip, s: 1, tx: 0, ty: 0, key: null,
               touched: false, uid: `gv${++instances}`,
               query: "", sections: new Set(), statuses: new Set() };
  root.gv = st;

  const button = (label, title, fn) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", fn);
    tools.appendChild(b);
    return b;
  };
  st.hint = div("gv-hint", tools);
  st.zoomOut = button("−", "", () => zoomBy(st, 1 / 1.25));
  st.zoomIn = button("+", "", () => zoomBy(st, 1.25));
  st.fitBtn = button("⤢", "", () => fit(st, true));

  // pan: drag anywhere; a press that moves is a drag, not a click
  let drag = null;
  view.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, tx: st.tx, ty: st.ty, moved: false, id: ev.pointerId };
  });
  view.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      view.setPointerCapture(drag.id);
      view.classList.add("gv-drag");
      tip.hidden = true;
    }
    st.tx = drag.tx + dx;
    st.ty = drag.ty + dy;
    st.touched = true;
    apply(st);
  });
  const end = () => {
    if (drag && drag.moved) {
      st.justDragged = true;
      setTimeout(() => { st.justDragged = false; }, 0);
    }
    drag = null;
    view.classList.remove("gv-drag");
  };
  view.addEventListener("pointerup", end);
  view.addEventListener("pointercancel", end);
  // zoom: Ctrl/⌘ + wheel or a pinch; a sideways swipe pans; a plain wheel scrolls the page
  view.addEventListener("wheel", (ev) => {
    const r = view.getBoundingClientRect();
    if (ev.ctrlKey || ev.metaKey) {
      ev.preventDefault();
      zoomAt(st, Math.exp(-ev.deltaY / 300), ev.clientX - r.left, ev.clientY - r.top);
    } else if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      ev.preventDefault();
      st.tx -= ev.deltaX;
      st.touched = true;
      apply(st);
    }
  }, { passive: false });
  view.addEventListener("keydown", (ev) => {
    const step = 60;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step],
                    ArrowDown: [0, -step] };
    if (moves[ev.key]) {
      st.tx += moves[ev.key][0];
      st.ty += moves[ev.key][1];
      st.touched = true;
      apply(st);
    } else if (ev.key === "+" || ev.key === "=") {
      zoomBy(st, 1.25);
    } else if (ev.key === "-" || ev.key === "_") {
      zoomBy(st, 1 / 1.25);
    } else if (ev.key === "0") {
      fit(st, true);
    } else if (ev.key === "Escape") {
      tip.hidden = true;
      return;
    } else {
      return;
    }
    ev.preventDefault();
  });
  new ResizeObserver(() => { if (!st.touched) fit(st, false); }).observe(view);
  return st;
}

function apply(st) {
  if (st.world) st.world.setAttribute("transform", `translate(${st.tx},${st.ty}) scale(${st.s})`);
}

function zoomAt(st, factor, px, py) {
  const s = Math.min(3, Math.max(0.2, st.s * factor));
  st.tx = px - ((px - st.tx) * s) / st.s;
  st.ty = py - ((py - st.ty) * s) / st.s;
  st.s = s;
  st.touched = true;
  apply(st);
}

function zoomBy(st, factor) {
  zoomAt(st, factor, st.view.clientWidth / 2, st.view.clientHeight / 2);
}

// The first view: the width of the graph fits (but text stays readable: zoom >= 0.6);
// the box is as tall as the graph (up to three windows). "whole" fits all of it.
function fit(st, whole) {
  const d = st.data;
  if (!d) return;
  const w = st.view.clientWidth || st.root.clientWidth || 800;
  let s = Math.min(1, w / d.width);
  if (!whole) s = Math.max(s, 0.6);
  const maxH = Math.max(480, 3 * window.innerHeight);  // the page scrolls; pan beyond
  st.view.style.height = `${Math.ceil(Math.min(d.height * s, maxH))}px`;
  if (whole) s = Math.min(s, st.view.clientHeight / d.height);
  st.s = s;
  st.tx = Math.max(0, (w - d.width * s) / 2);
  st.ty = 0;
  st.touched = whole;
  apply(st);
}

function show(st, node, box) {
  const d = st.data, L = d.labels, tip = st.tip;
  tip.replaceChildren();
  const b = document.createElement("b");
  b.textContent = node.title;
  tip.appendChild(b);
  const sec = d.sections[node.section];
  const lines = [sec ? sec.title : "",
                 L.status[node.status] + (node.verified ? ` · ★ ${L.verified}` : ""),
                 fmt(L.hours, { n: node.hours }) + " · " + fmt(L.unlocks, { n: node.unlocks })];
  for (const text of lines) div("", tip, text);
  tip.hidden = false;
  const vr = st.view.getBoundingClientRect(), rr = st.root.getBoundingClientRect();
  const x = box.x * st.s + st.tx + (box.w / 2) * st.s + 10;
  const y = (box.y - box.h / 2) * st.s + st.ty;
  const left = Math.min(x, vr.width - tip.offsetWidth - 4);
  tip.style.left = `${Math.max(4, left) + vr.left - rr.left}px`;
  tip.style.top = `${Math.max(4, Math.min(y, vr.height - tip.offsetHeight - 4)) + vr.top - rr.top}px`;
}

// Bring a focused node into view (keyboard users never lose it off-screen).
function reveal(st, box) {
  const vw = st.view.clientWidth, vh = st.view.clientHeight, s = st.s;
  const left = (box.x - box.w / 2) * s + st.tx, right = (box.x + box.w / 2) * s + st.tx;
  const top = (box.y - box.h / 2) * s + st.ty, bottom = (box.y + box.h / 2) * s + st.ty;
  if (left < 8) st.tx += 8 - left;
  else if (right > vw - 8) st.tx -= right - (vw - 8);
  if (top < 8) st.ty += 8 - top;
  else if (bottom > vh - 8) st.ty -= bottom - (vh - 8);
  apply(st);
}

// The legend: a swatch per section and a mark per status. With controls each item is a
// toggle button: pressed ones filter (sections with sections, statuses with statuses).
function legend(st) {
  const d = st.data, L = d.labels;
  st.legend.replaceChildren();
  const item = (kind, value, parts, label) => {
    const on = kind === "section" ? st.sections : st.statuses;
    const el = document.createElement(d.controls ? "button" : "span");
    el.className = "gv-chip";
    el.append(...parts);
    if (d.controls) {
      el.type = "button";
      el.dataset.kind = kind;
      el.dataset.value = value;
      el.title = fmt(L.filter, { name: label });
      el.setAttribute("aria-pressed", String(on.has(value)));
      el.addEventListener("click", () => {
        if (on.has(value)) on.delete(value);
        else on.add(value);
        el.setAttribute("aria-pressed", String(on.has(value)));
        applyFilters(st);
      });
    }
    return el;
  };
  const groups = [];
  for (const [kind, name] of [["section", L.sections], ["status", L.statuses]]) {
    const g = document.createElement("span");
    g.className = "gv-group-items";
    g.setAttribute("role", "group");
    g.setAttribute("aria-label", name);
    groups.push(g);
    st.legend.appendChild(g);
  }
  d.sections.forEach((sec, k) => {
    const sw = document.createElement("i");
    sw.className = "gv-swatch";
    sw.style.background = tint(sec.colour, 25);
    sw.style.borderColor = sec.colour;
    groups[0].appendChild(item("section", String(k), [sw, sec.title], sec.title));
  });
  for (const status of [...STATUSES, "verified"]) {
    const icon = svg("svg", { width: 18, height: 18, viewBox: "-9 -9 18 18",
                              "aria-hidden": "true" });
    if (status === "verified") star(0, 0, icon);
    else badge(status, 0, 0, icon);
    const name = status === "verified" ? L.verified : L.status[status];
    groups[1].appendChild(item("status", status, [icon, name], name));
  }
}

// The search box, the target picker and the count of matches (only with controls).
function controls(st) {
  const d = st.data, L = d.labels, box = st.controls;
  box.hidden = !d.controls;
  if (!d.controls) return;
  if (!st.search) {
    st.search = document.createElement("input");
    st.search.type = "search";
    st.search.className = "gv-search";
    st.search.addEventListener("input", () => {
      st.query = st.search.value;
      applyFilters(st);
    });
    st.search.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {  // to the first match: Enter again opens it
        const first = [...st.view.querySelectorAll(".gv-node:not(.gv-dim)")][0];
        if (first) {
          ev.preventDefault();
          first.focus();
        }
      }
    });
    st.pick = document.createElement("select");
    st.pick.className = "gv-target";
    st.pick.addEventListener("change", () => st.sendTarget(st.pick.value));
    st.count = div("gv-count", null);
    st.count.setAttribute("aria-live", "polite");
    box.append(st.search, st.pick, st.count);
  }
  st.search.placeholder = L.search;
  st.search.setAttribute("aria-label", L.search);
  st.pick.setAttribute("aria-label", L.target);
  st.pick.title = L.target;
  st.pick.hidden = !d.targets;
  const options = [["", L.target_none], ...(d.targets || [])];
  st.pick.replaceChildren(...options.map(([value, text]) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }));
  st.pick.value = d.target || "";
}

// Which nodes the filters keep: the page's matches, the search text, the pressed chips.
function kept(st) {
  const d = st.data;
  const q = st.query.trim().toLowerCase();
  const any = d.match || q || st.sections.size || st.statuses.size;
  if (!any) return null;
  const match = d.match ? new Set(d.match) : null;
  const out = new Set();
  for (const n of d.nodes) {
    if (match && !match.has(n.id)) continue;
    if (q && !(n.keywords || n.title.toLowerCase()).includes(q)) continue;
    if (st.sections.size && !st.sections.has(String(n.section))) continue;
    if (st.statuses.size && !st.statuses.has(n.status)
        && !(n.verified && st.statuses.has("verified"))) continue;
    out.add(n.id);
  }
  return out;
}

// Dim what the filters leave out (nodes, and edges with an end left out); no redraw.
function applyFilters(st) {
  const d = st.data, L = d.labels;
  const keep = kept(st);
  const path = new Set(d.path || []);
  for (const g of st.view.querySelectorAll(".gv-node")) {
    const id = g.dataset.id;
    g.classList.toggle("gv-dim", !!keep && !keep.has(id));
    g.classList.toggle("gv-hit", !!keep && keep.has(id));
  }
  for (const e of st.view.querySelectorAll(".gv-edge")) {
    const on = e.classList.contains("gv-on");
    const out = keep && (!keep.has(e.dataset.s) || !keep.has(e.dataset.t));
    e.classList.toggle("gv-dim", !on && (!!out || path.size > 0));
  }
  if (st.count) {
    st.count.textContent = keep ? fmt(L.matching, { n: keep.size, total: d.nodes.length }) : "";
  }
}

function draw(st) {
  const d = st.data, L = d.labels, id = st.uid;
  st.view.setAttribute("aria-label", L.aria);
  st.hint.textContent = L.hint;
  st.zoomIn.title = L.zoom_in;
  st.zoomOut.title = L.zoom_out;
  st.fitBtn.title = L.fit;
  legend(st);
  controls(st);
  const focused = st.view.querySelector(".gv-node:focus");
  const refocus = focused ? focused.dataset.id : null;
  const root = svg("svg", { width: "100%", height: "100%" });
  const defs = svg("defs", {}, root);
  for (const [name, colour] of [["a", "var(--gv-line)"], ["on", "var(--gv-accent)"]]) {
    const m = svg("marker", { id: `${id}-${name}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
                              markerWidth: 7, markerHeight: 7, orient: "auto",
                              markerUnits: "userSpaceOnUse" }, defs);
    svg("path", { d: "M0,0 L10,5 L0,10 Z", style: `fill: ${colour}` }, m);
  }
  const world = svg("g", {}, root);
  st.world = world;
  const colour = d.sections.map((s) => s.colour);
  for (const lane of d.lanes) {
    const c = colour[lane.section];
    svg("rect", { x: 0, y: lane.y, width: d.width, height: lane.h, rx: 6,
                  style: `fill: ${c}; fill-opacity: 0.07` }, world);
    const t = svg("text", { class: "gv-lane-title", x: 8, y: lane.y + 17 }, world);
    t.textContent = d.sections[lane.section].title;
  }
  for (const g of d.groups) {
    svg("rect", { class: "gv-group", x: g.x, y: g.y, width: g.w, height: g.h, rx: 10,
                  style: `fill: ${colour[g.section]}; fill-opacity: 0.11` }, world);
  }
  const path = new Set(d.path || []);
  const edges = svg("g", { "aria-hidden": "true" }, world);
  for (const e of d.edges) {
    const on = path.has(e.s) && path.has(e.t);
    svg("path", { class: on ? "gv-edge gv-on" : "gv-edge", d: curve(e.p), "data-s": e.s,
                  "data-t": e.t, "marker-end": `url(#${id}-${on ? "on" : "a"})` }, edges);
  }
  const byId = {};
  const order = [...d.nodes].sort((a, b) => a.layer - b.layer || a.y - b.y);
  for (const n of order) {
    byId[n.id] = n;
    const c = colour[n.section];
    const cls = ["gv-node", `st-${n.status}`];
    if (path.has(n.id)) cls.push("gv-on");
    if (n.id === d.target) cls.push("gv-target");
    const g = svg("g", { class: cls.join(" "), tabindex: 0, role: "link", "data-id": n.id,
                         "aria-label": `${n.title}, ${L.status[n.status]}` +
                           (n.verified ? `, ${L.verified}` : "") }, world);
    const x0 = n.x - n.w / 2, y0 = n.y - n.h / 2;
    svg("rect", { class: "gv-ring", x: x0 - 4, y: y0 - 4, width: n.w + 8, height: n.h + 8,
                  rx: 11 }, g);
    svg("rect", { class: "gv-box", x: x0, y: y0, width: n.w, height: n.h, rx: 8,
                  style: `fill: ${tint(c, n.status === "done" ? 34 : 12)}; stroke: ${c}` }, g);
    const text = svg("text", { x: n.x, y: 0 }, g);
    const top = n.y - (n.lines.length * d.line) / 2 + d.line * 0.74;
    n.lines.forEach((line, i) => {
      const ts = svg("tspan", { x: n.x, y: top + i * d.line }, text);
      ts.textContent = line;
    });
    badge(n.status, x0 + 2, y0 + 2, g, c);
    if (n.verified) star(x0 + n.w - 2, y0 + 2, g);
    g.addEventListener("click", () => { if (!st.justDragged) st.send(n.id); });
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        st.send(n.id);
      }
    });
    g.addEventListener("mouseenter", () => show(st, n, n));
    g.addEventListener("mouseleave", () => { st.tip.hidden = true; });
    g.addEventListener("focus", () => { reveal(st, n); show(st, n, n); });
    g.addEventListener("blur", () => { st.tip.hidden = true; });
  }
  st.view.replaceChildren(root);
  applyFilters(st);
  apply(st);
  // a line the width estimate let overflow is shrunk to fit its box
  // (every line measured first, then the sizes set: one layout, not one per title)
  const texts = [...world.querySelectorAll(".gv-node text")];
  const widths = texts.map((text) => Math.max(0, ...[...text.children].map(
    (ts) => ts.getComputedTextLength())));
  texts.forEach((text, k) => {
    const n = byId[text.parentNode.dataset.id];
    if (widths[k] > n.w - 8) text.style.fontSize = `${(13 * (n.w - 8)) / widths[k]}px`;
  });
  if (refocus) {
    const again = st.view.querySelector(`.gv-node[data-id="${CSS.escape(refocus)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const found = parentElement.querySelector(".gv");
  const st = found ? found.gv : build(parentElement);
  st.send = (nodeId) => setTriggerValue("clicked", nodeId);
  st.sendTarget = (nodeId) => setTriggerValue("target", nodeId);
  if (!data) return;
  const fresh = st.key !== data.key;
  st.data = data;
  st.key = data.key;
  draw(st);
  if (fresh && !st.touched) fit(st, false);
}
