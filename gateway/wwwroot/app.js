// Oversight dashboard: one page over the public API (no build step). Labels in Chinese and English.
const $ = (id) => document.getElementById(id);
const kinds = ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"];
const alertNames = {
  quotaTrend: "超发文苗头 Quota trend", quotaExceeded: "超出配额 Quota exceeded", shortDeadline: "时限过短 Short deadline",
  duplicateDataRequest: "多头报表 Duplicate request", unplannedInspection: "计划外检查 Unplanned inspection",
  cascadeAmplification: "层层加码 Cascade amplification", reportOverdue: "逾期未办 Report overdue",
};

const params = new URLSearchParams(location.search);
// A token may come in the fragment (never sent to the server) or from an earlier visit.
$("token").value = new URLSearchParams(location.hash.slice(1)).get("token") || localStorage.getItem("oversight.token") || "";
$("unit").value = params.get("unit") || "";
$("period").value = params.get("period") || new Date().toISOString().slice(0, 7);

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${$("token").value.trim()}` } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${body.detail || body.title || ""}`);
  return body;
}

async function loadTenants() {
  const tenants = await api("/api/v1/tenants");
  $("tenant").replaceChildren(...tenants.map((t) => new Option(`${t.name} (${t.id})`, t.id)));
  const wanted = params.get("tenant");
  if (wanted) $("tenant").value = wanted;
}

function row(label, s, max, total) {
  const tr = document.createElement("tr");
  if (total) tr.className = "total";
  const received = kinds.map((k) => s.received[k]);
  const all = received.reduce((a, b) => a + b, 0);
  const per100 = s.headcount ? (all * 100 / s.headcount).toFixed(1) : "–";
  const cells = [label, ...received, s.meetingMinutes, s.inspectionDays, per100];
  cells.forEach((value, i) => {
    const td = document.createElement("td");
    if (i === 1 && max > 0) {
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.round(60 * received[0] / max)}px`;
      td.append(bar);
    }
    td.append(String(value));
    tr.append(td);
  });
  return tr;
}

async function show(event) {
  event?.preventDefault();
  localStorage.setItem("oversight.token", $("token").value.trim());
  $("status").textContent = "…";
  try {
    if (!$("tenant").options.length) await loadTenants();
    const tenant = $("tenant").value, unit = $("unit").value.trim(), period = $("period").value.trim();
    const load = await api(`/api/v1/tenants/${tenant}/units/${encodeURIComponent(unit)}/load?period=${encodeURIComponent(period)}&children=true`);
    $("title").textContent = `${load.unit} · ${load.period}`;
    const max = Math.max(1, ...load.children.map((c) => c.subtree.received.document));
    $("load").tBodies[0].replaceChildren(
      row(`${load.unit} 合计 subtree (${load.subtree.units} 单位 units)`, load.subtree, 0, true),
      ...load.children.map((c) => row(`${c.name} (${c.unit})`, c.subtree, max, false)));
    const alerts = await api(`/api/v1/tenants/${tenant}/alerts?unit=${encodeURIComponent(unit)}`);
    $("alerts").replaceChildren(...alerts.slice(0, 20).map((a) => {
      const li = document.createElement("li");
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = alertNames[a.type] || a.type;
      li.append(type, a.detail);
      return li;
    }));
    if (!alerts.length) $("alerts").replaceChildren(Object.assign(document.createElement("li"), { textContent: "暂无预警 No alerts" }));
    $("status").textContent = `更新于 as of ${load.asOf}`;
  } catch (error) {
    $("status").textContent = `出错 Error: ${error.message}`;
  }
}

$("query").addEventListener("submit", show);
if ($("token").value) loadTenants().then(() => $("unit").value && show()).catch((e) => ($("status").textContent = `出错 Error: ${e.message}`));
