/**
 * The dashboard page's browser script (plain ES2017, no libraries): polls /_local/metrics
 * every 2 s and draws each widget as an inline SVG line chart with its latest values, and
 * the alarms with their states. Kept as a string: the page must work offline, from one file.
 */
export const DASHBOARD_SCRIPT = String.raw`
"use strict";
var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
var W = 440, H = 150, PAD_L = 44, PAD_B = 18, PAD_T = 6;
var SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  var node = tag.indexOf("svg:") === 0 ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

function timeLabel(ms) {
  var d = new Date(ms);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

function chart(widget, since, now) {
  var svg = el("svg:svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img" });
  var max = 0;
  widget.metrics.forEach(function (m) { m.datapoints.forEach(function (p) { if (p.value > max) max = p.value; }); });
  if (max === 0) max = 1;
  var x = function (t) { return PAD_L + ((t - since) / Math.max(1, now - since)) * (W - PAD_L - 4); };
  var y = function (v) { return PAD_T + (1 - v / max) * (H - PAD_T - PAD_B); };
  [0, 0.5, 1].forEach(function (f) {
    svg.appendChild(el("svg:line", { x1: PAD_L, x2: W - 4, y1: y(max * f), y2: y(max * f), stroke: "#eaeded" }));
    svg.appendChild(el("svg:text", { x: PAD_L - 4, y: y(max * f) + 3, "text-anchor": "end" }, fmt(max * f)));
  });
  svg.appendChild(el("svg:text", { x: PAD_L, y: H - 4 }, timeLabel(since)));
  svg.appendChild(el("svg:text", { x: W - 4, y: H - 4, "text-anchor": "end" }, timeLabel(now)));
  widget.metrics.forEach(function (m, i) {
    var color = COLORS[i % COLORS.length];
    var pts = m.datapoints.map(function (p) { return x(p.timestamp).toFixed(1) + "," + y(p.value).toFixed(1); });
    if (pts.length > 1) svg.appendChild(el("svg:polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
    m.datapoints.forEach(function (p) { svg.appendChild(el("svg:circle", { cx: x(p.timestamp), cy: y(p.value), r: 3, fill: color })); });
  });
  return svg;
}

function render(data) {
  var widgets = document.getElementById("widgets");
  widgets.textContent = "";
  data.widgets.forEach(function (w) {
    var box = el("div", { class: "widget", "data-widget": w.title });
    box.appendChild(el("h2", {}, w.title));
    box.appendChild(chart(w, data.since, data.now));
    var legend = el("div", { class: "legend" });
    w.metrics.forEach(function (m, i) {
      var last = m.datapoints.length ? m.datapoints[m.datapoints.length - 1].value : null;
      var item = el("span", { class: "item" });
      item.appendChild(el("span", { class: "swatch", style: "background:" + COLORS[i % COLORS.length] }));
      item.appendChild(document.createTextNode(m.label + " (" + m.stat + "): "));
      item.appendChild(el("span", { class: "latest", "data-label": m.label }, fmt(last)));
      legend.appendChild(item);
    });
    box.appendChild(legend);
    widgets.appendChild(box);
  });
  var list = document.getElementById("alarm-list");
  list.textContent = "";
  if (!data.alarms.length) list.appendChild(el("span", {}, "no alarms defined"));
  data.alarms.forEach(function (a) {
    var item = el("span", { class: "alarm", "data-alarm": a.name, title: a.reason });
    item.appendChild(el("span", { class: "state " + a.state }, a.state));
    item.appendChild(document.createTextNode(" " + a.name + " (" + fmt(a.value) + " / " + a.threshold + ")"));
    list.appendChild(item);
  });
  document.getElementById("status").textContent =
    "updated " + new Date(data.now).toLocaleTimeString() + " · period " + data.periodSeconds + " s · every 2 s";
}

function refresh() {
  fetch("/_local/metrics", { cache: "no-store" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(render)
    .catch(function (err) { document.getElementById("status").textContent = "metrics unavailable: " + err.message; })
    .then(function () { setTimeout(refresh, 2000); });
}
refresh();
`;
