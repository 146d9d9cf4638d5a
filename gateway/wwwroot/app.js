// Oversight dashboard: one page over the public API (no build step). Labels in Chinese and English.
// Everything from the API is inserted as text, never as markup.
const $ = (id) => document.getElementById(id);
const kinds = ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"];
const alertNames = {
  quotaTrend: "超发文苗头 Quota trend", quotaExceeded: "超出配额 Quota exceeded", shortDeadline: "时限过短 Short deadline",
  duplicateDataRequest: "多头报表 Duplicate request", unplannedInspection: "计划外检查 Unplanned inspection",
  cascadeAmplification: "层层加码 Cascade amplification", reportOverdue: "逾期未办 Report overdue",
};
const statusNames = { open: "待受理 Open", acknowledged: "已受理 Acknowledged", resolved: "已办结 Resolved" };

const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
// A token may come in the fragment (never sent to the server) or from an earlier visit.
$("token").value = fragment.get("token") || localStorage.getItem("oversight.token") || "";
$("unit").value = fragment.get("unit") || params.get("unit") || "";
$("period").value = fragment.get("period") || params.get("period") || new Date().toISOString().slice(0, 7);
$("compareYear").value = new Date().getFullYear();
if (fragment.get("live") === "0") $("live").checked = false;
let stream = null;

const token = () => $("token").value.trim();
const el = (tag, text, className) => Object.assign(document.createElement(tag), { textContent: text ?? "", className: className ?? "" });
const current = () => ({ tenant: $("tenant").value, unit: $("unit").value.trim(), period: $("period").value.trim() });

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${token()}`, ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers, body: options.body ? JSON.stringify(options.body) : undefined });
  if (options.raw && response.ok) return response;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${body.detail || body.title || ""}`);
  return body;
}

async function loadTenants() {
  const tenants = await api("/api/v1/tenants");
  $("tenant").replaceChildren(...tenants.map((t) => new Option(`${t.name} (${t.id})`, t.id)));
  const wanted = fragment.get("tenant") || params.get("tenant");
  if (wanted) $("tenant").value = wanted;
}

function row(label, s, max, total) {
  const tr = el("tr", "", total ? "total" : "");
  const received = kinds.map((k) => s.received[k]);
  const all = received.reduce((a, b) => a + b, 0);
  const per100 = s.headcount ? (all * 100 / s.headcount).toFixed(1) : "–";
  [label, ...received, s.meetingMinutes, s.inspectionDays, per100].forEach((value, i) => {
    const td = el("td");
    if (i === 1 && max > 0) {
      const bar = el("span", "", "bar");
      bar.style.width = `${Math.round(60 * received[0] / max)}px`;
      td.append(bar);
    }
    td.append(String(value));
    tr.append(td);
  });
  return tr;
}

function renderLoad(load) {
  $("title").textContent = `${load.unit} · ${load.period}`;
  const max = Math.max(1, ...load.children.map((c) => c.subtree.received.document));
  $("load").tBodies[0].replaceChildren(
    row(`${load.unit} 合计 subtree (${load.subtree.units} 单位 units)`, load.subtree, 0, true),
    ...load.children.map((c) => row(`${c.name} (${c.unit})`, c.subtree, max, false)));
  $("status").textContent = `更新于 as of ${load.asOf}`;
}

// The month the trend ends at: the period's month, December of a year, else this month.
function trendEnd(period) {
  if (/^\d{4}-\d{2}/.test(period)) return period.slice(0, 7);
  if (/^\d{4}$/.test(period)) return `${period}-12`;
  return new Date().toISOString().slice(0, 7);
}

function monthsBack(month, n) {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 - n, 1));
  return d.toISOString().slice(0, 7);
}

async function showTrend() {
  const { tenant, unit, period } = current();
  const to = trendEnd(period), from = monthsBack(to, 11);
  const trend = await api(`/api/v1/tenants/${tenant}/units/${encodeURIComponent(unit)}/trend?from=${from}&to=${to}&yoy=true`);
  const total = (s) => sum(s.received);
  const points = trend.points.map((p) => ({ period: p.period, now: total(p.subtree), before: p.previousYear ? total(p.previousYear) : 0 }));
  const svg = $("trend"), ns = "http://www.w3.org/2000/svg";
  const width = svg.clientWidth || 1000, height = 170, base = 140, slot = width / points.length;
  const max = Math.max(1, ...points.map((p) => Math.max(p.now, p.before)));
  const shape = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  svg.replaceChildren(...points.flatMap((p, i) => {
    const x = i * slot + slot * 0.15, w = slot * 0.33, hNow = (base - 12) * p.now / max, hBefore = (base - 12) * p.before / max;
    return [
      shape("rect", { x, y: base - hBefore, width: w, height: hBefore, class: "before" }),
      shape("rect", { x: x + w, y: base - hNow, width: w, height: hNow, class: "now" }),
      shape("text", { x: x + w, y: base - hNow - 3, "text-anchor": "middle", class: "value" }, String(p.now)),
      shape("text", { x: x + w, y: base + 16, "text-anchor": "middle", class: "label" }, p.period),
    ];
  }));
  svg.setAttribute("height", height);
}

function alertItem(a) {
  const li = el("li");
  li.append(el("span", alertNames[a.type] || a.type, "type"), a.detail);
  return li;
}

function renderAlerts(alerts) {
  $("alerts").replaceChildren(...alerts.slice(0, 20).map(alertItem));
  if (!alerts.length) $("alerts").replaceChildren(el("li", "暂无预警 No alerts", "none"));
}

function addAlert(a) {
  $("alerts").querySelector("li.none")?.remove();
  $("alerts").prepend(alertItem(a));
  while ($("alerts").children.length > 20) $("alerts").lastElementChild.remove();
}

function startLive() {
  stream?.close();
  stream = null;
  $("liveBadge").hidden = true;
  if (!$("live").checked) return;
  const { tenant, unit, period } = current();
  // EventSource cannot send headers: the live endpoint takes the token in the query.
  stream = new EventSource(`/api/v1/tenants/${tenant}/units/${encodeURIComponent(unit)}/live?period=${encodeURIComponent(period)}&access_token=${encodeURIComponent(token())}`);
  stream.addEventListener("open", () => ($("liveBadge").hidden = false));
  stream.addEventListener("load", (e) => renderLoad(JSON.parse(e.data)));
  stream.addEventListener("alert", (e) => addAlert(JSON.parse(e.data)));
  stream.addEventListener("error", () => ($("liveBadge").hidden = true));
}

function action(label, handler) {
  const button = el("button", label, "small");
  button.type = "button";
  button.addEventListener("click", async () => {
    try { await handler(); await showReports(); } catch (error) { $("status").textContent = `出错 Error: ${error.message}`; }
  });
  return button;
}

async function showReports() {
  const { tenant, unit } = current();
  const base = `/api/v1/tenants/${tenant}/reports`;
  const reports = await api(`${base}?unit=${encodeURIComponent(unit)}`);
  $("reports").tBodies[0].replaceChildren(...reports.map((r) => {
    const tr = el("tr", "", r.overdue ? "overdue" : "");
    const actions = el("td");
    if (r.status === "open") actions.append(action("受理 Acknowledge", () => api(`${base}/${r.id}/acknowledge`, { method: "POST", body: {} })));
    if (r.status !== "resolved") actions.append(action("办结 Resolve", async () => {
      const resolution = prompt("办理结果 Resolution");
      if (resolution) await api(`${base}/${r.id}/resolve`, { method: "POST", body: { resolution } });
    }));
    if (r.status === "resolved" && r.fromUnit) actions.append(action("评价 Rate", async () => {
      const score = Number(prompt("评分 Score 1–5"));
      if (score) await api(`${base}/${r.id}/rate`, { method: "POST", body: { score } });
    }));
    tr.append(el("td", r.id), el("td", r.category), el("td", r.fromUnit ?? "匿名 anonymous"), el("td", r.aboutUnit), el("td", r.text, "text"),
      el("td", (statusNames[r.status] || r.status) + (r.overdue ? " · 逾期 overdue" : "")), el("td", r.dueAt.slice(0, 16).replace("T", " ")),
      el("td", r.score ?? "–"), actions);
    return tr;
  }));
  if (!reports.length) {
    const empty = el("td", "暂无反映 No reports", "none");
    empty.colSpan = 9;
    const tr = el("tr");
    tr.append(empty);
    $("reports").tBodies[0].replaceChildren(tr);
  }
  const path = await api(`/api/v1/tenants/${tenant}/units/${encodeURIComponent(unit)}`).then((u) => u.path).catch(() => []);
  $("reportAbout").replaceChildren(...path.slice(0, -1).reverse().map((id) => new Option(id, id)));
  $("fileReport").hidden = path.length < 2;
}

async function show(event) {
  event?.preventDefault();
  localStorage.setItem("oversight.token", token());
  $("status").textContent = "…";
  try {
    if (!$("tenant").options.length) await loadTenants();
    const { tenant, unit, period } = current();
    renderLoad(await api(`/api/v1/tenants/${tenant}/units/${encodeURIComponent(unit)}/load?period=${encodeURIComponent(period)}&children=true`));
    renderAlerts(await api(`/api/v1/tenants/${tenant}/alerts?unit=${encodeURIComponent(unit)}`));
    await showTrend();
    await showReports();
    startLive();
  } catch (error) {
    $("status").textContent = `出错 Error: ${error.message}`;
  }
}

async function fileReport(event) {
  event.preventDefault();
  const { tenant, unit } = current();
  try {
    await api(`/api/v1/tenants/${tenant}/reports`, { method: "POST", body: {
      fromUnit: unit, aboutUnit: $("reportAbout").value, category: $("reportCategory").value,
      text: $("reportText").value, anonymous: $("reportAnonymous").checked } });
    $("reportText").value = "";
    await showReports();
  } catch (error) {
    $("status").textContent = `出错 Error: ${error.message}`;
  }
}

const sum = (counts) => kinds.reduce((a, k) => a + (counts[k] ?? 0), 0);
const percent = (value) => (value === null || value === undefined ? "–" : `${value > 0 ? "+" : ""}${value}%`);
// A change cell: the percent, marked against the target when one is set; a rise is a rebound (反弹).
function changeCell(row, kind) {
  const met = row.targetMet ? row.targetMet[kind] : null;
  const mark = met === true ? " ✓ 达标 met" : met === false ? " ✗ 未达标 missed" : "";
  return el("td", percent(row.change[kind]) + mark, row.change[kind] > 0 ? "rebound" : "");
}
function compareQuery() {
  const target = $("compareTarget").value.trim();
  return `/api/v1/compare?period=${encodeURIComponent($("compareYear").value.trim())}${target ? `&target=${encodeURIComponent(target)}` : ""}`;
}

async function compare(event) {
  event?.preventDefault();
  try {
    const rows = await api(compareQuery());
    $("compare").tBodies[0].replaceChildren(...rows.map((r) => {
      const tr = el("tr");
      const received = sum(r.received);
      tr.append(el("td", `${r.name} (${r.tenant})`), el("td", r.units), el("td", r.headcount), el("td", received),
        el("td", r.headcount ? (received * 100 / r.headcount).toFixed(1) : "–"), changeCell(r, "document"),
        changeCell(r, "meeting"), el("td", Object.values(r.alerts).reduce((a, b) => a + b, 0)),
        el("td", `${r.reports.open} / ${r.reports.overdue}`));
      return tr;
    }));
  } catch (error) {
    $("status").textContent = `出错 Error: ${error.message}`;
  }
}

async function compareCsv() {
  try {
    const response = await api(compareQuery(), { headers: { Accept: "text/csv" }, raw: true });
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await response.blob()), download: `oversight-compare-${$("compareYear").value}.csv` });
    link.click();
  } catch (error) {
    $("status").textContent = `出错 Error: ${error.message}`;
  }
}

$("query").addEventListener("submit", show);
$("fileReport").addEventListener("submit", fileReport);
$("compareForm").addEventListener("submit", compare);
$("compareCsv").addEventListener("click", compareCsv);
$("live").addEventListener("change", startLive);
if (token()) loadTenants().then(() => { if ($("unit").value) show(); compare(); }).catch((e) => ($("status").textContent = `出错 Error: ${e.message}`));
