// 各镇概况: per town (and, for a selected town, per community) the coverage rate 覆盖率, the
// committee formation rate 组建率, the ledger's open and overdue items and the utilities' backlog,
// as bar charts and a table. Data: `statistics(townCode)` (scoped by the API: a town or community
// sees its own town only), `ledgerStatistics(groupBy)` and `towns`.

import { chart } from "../charts.js";
import {
  clear, fmtNumber, fmtPercent, h, messageOf, panel, provenanceLine, showEmpty, showError,
  showLoading, table, useStylesheet,
} from "../ui.js";

const FIGURES = `fragment Figures on Figures {
  compounds households coverageRate formationRate compoundsWithEnterprise compoundsWithCommittee
  openConnectionTasks overdueConnectionTasks openOutages
}`;

const STATISTICS_QUERY = `query TownsOverview($town: String, $withCommunities: Boolean!) {
  statistics(townCode: $town) {
    scopeCode scopeName
    total { ...Figures }
    towns { code name figures { ...Figures } }
    communities @include(if: $withCommunities) { code name parentCode figures { ...Figures } }
    provenance { source sourceLabel syncedAt stale }
  }
}
${FIGURES}`;

const LEDGER_QUERY = `query TownsLedger($groupBy: LedgerGroupBy!) {
  ledgerStatistics(groupBy: $groupBy) { code name figures { total open overdue resolved } }
}`;

const TOWN_LIST_QUERY = `{ towns { code name } }`;

const SCOPED_ROLES = new Set(["town", "community"]);

export default {
  id: "towns",
  title: "各镇概况",
  async render(root, ctx) {
    useStylesheet(new URL("./towns.css", import.meta.url).href);
    if (!ctx.can("read:statistics")) {
      showEmpty(root, "您所在单位的角色无权查看各镇统计数据。如需查看，请联系旗住建局开通相应权限。");
      return undefined;
    }
    // A town or community sees its own town only: start from its communities.
    const own = SCOPED_ROLES.has(ctx.viewer.role) ? ctx.viewer.townCode : null;
    const town = ctx.params.get("town") || own || null;
    const charts = [];
    const load = async () => {
      showLoading(root, town ? "正在加载该镇各社区的数据…" : "正在加载各镇数据…");
      let stats;
      let ledger;
      let townList = null;
      try {
        [stats, ledger, townList] = await Promise.all([
          ctx.gql(STATISTICS_QUERY, { town, withCommunities: Boolean(town) }).then((d) => d.statistics),
          loadLedger(ctx, town ? "COMMUNITY" : "TOWN"),
          town ? ctx.gql(TOWN_LIST_QUERY).then((d) => d.towns).catch(() => null) : null,
        ]);
      } catch (err) {
        if (err.code === "FORBIDDEN" && town) {
          showForbiddenTown(root, ctx, town);
        } else if (err.code === "BAD_USER_INPUT" && town) {
          showEmpty(root, `没有编码为 ${town} 的镇。请返回全旗概况，从表格中选择一个镇。`);
          root.append(backLink());
        } else {
          showError(root, err, load);
        }
        return;
      }
      clear(root);
      renderPage(root, ctx, { town, stats, ledger, townList, charts });
    };
    await load();
    return () => charts.forEach((c) => c.dispose());
  },
};

/** The ledger figures by code, or an object saying why they are missing. */
async function loadLedger(ctx, groupBy) {
  if (!ctx.can("read:ledger")) return { unavailable: "您所在单位的角色无权查看台账，台账各列显示为“—”。" };
  try {
    const data = await ctx.gql(LEDGER_QUERY, { groupBy });
    return { byCode: new Map(data.ledgerStatistics.map((g) => [g.code, g.figures])) };
  } catch (err) {
    return { unavailable: `台账统计暂时无法加载：${messageOf(err)}` };
  }
}

function renderPage(root, ctx, { town, stats, ledger, townList, charts }) {
  const scoped = SCOPED_ROLES.has(ctx.viewer.role);
  const rows = (town ? stats.communities : stats.towns).map((r) => ({
    ...r, ledger: ledger.byCode ? ledger.byCode.get(r.code) || null : null,
  }));
  const level = town ? "社区" : "镇";
  if (!scoped) root.append(toolbar(ctx, { town, stats, townList, scoped }));
  if (scoped) {
    root.append(h("p", { class: "hint" }, ctx.viewer.role === "community"
      ? "您所在单位为社区，数据枢纽只提供本社区及所属镇的数据。"
      : "您所在单位为镇（街道），数据枢纽只提供本镇的数据；其他镇的数据请向旗住建局查询。"));
  }
  root.append(summary(stats, town, ledger, rows));
  if (rows.length === 0) {
    const box = h("div", {});
    showEmpty(box, town
      ? "该镇暂无社区数据。请确认社区已在数据枢纽中登记，或先运行一次同步（数据同步页面）。"
      : "暂无可显示的镇。若刚部署，请先载入演示数据或运行同步；若您只应看到本镇，请联系管理员核对单位的辖区。");
    root.append(box);
    return;
  }
  const rateChart = h("div", { class: "chart towns-chart", role: "img", "aria-label": `各${level}覆盖率与组建率柱状图，数据同下表` });
  const backlogChart = h("div", { class: "chart towns-chart", role: "img", "aria-label": `各${level}台账与公用事业待办柱状图，数据同下表` });
  root.append(h("div", { class: "panel-grid towns-charts" },
    panel(`各${level}覆盖率与组建率`, rateChart, provenanceLines(stats.provenance, "coverage")),
    panel(`各${level}台账在办、逾期与公用事业待办`, backlogChart,
      ledger.unavailable ? h("p", { class: "hint" }, ledger.unavailable) : null,
      provenanceLines(stats.provenance, "utility"))));
  root.append(panel(`各${level}明细`, detailTable(rows, { town, ledger, level, scoped }),
    provenanceLines(stats.provenance, "all")));
  const names = rows.map((r) => r.name);
  charts.push(chart(rateChart, rateOption(names, rows)));
  charts.push(chart(backlogChart, backlogOption(names, rows, Boolean(ledger.byCode))));
}

function toolbar(ctx, { town, stats, townList, scoped }) {
  const options = town && !scoped && townList ? townList : stats.towns;
  const select = h("select", { id: "towns-select", "aria-describedby": "towns-select-hint" },
    scoped ? null : h("option", { value: "" }, "全旗（各镇对比）"),
    options.map((t) => h("option", { value: t.code, selected: t.code === town }, t.name)));
  const go = (e) => {
    e.preventDefault();
    location.hash = select.value ? `#/towns?town=${encodeURIComponent(select.value)}` : "#/towns";
  };
  return h("form", { class: "toolbar towns-toolbar", onsubmit: go },
    h("div", { class: "field" }, h("label", { for: "towns-select" }, "查看范围"), select),
    h("button", { type: "submit", class: "button primary" }, "查看"),
    h("span", { class: "hint", id: "towns-select-hint" }, "选择一个镇，查看其各社区的数据"),
    town && !scoped ? backLink() : null);
}

function backLink() {
  return h("a", { href: "#/towns", class: "towns-back" }, "← 返回全旗各镇对比");
}

function showForbiddenTown(root, ctx, town) {
  const own = ctx.viewer.townCode;
  showEmpty(root, `您所在单位只能查看本镇的数据，无权查看编码为 ${town} 的镇。`);
  root.append(h("p", {}, h("a", { href: own ? `#/towns?town=${own}` : "#/towns" }, "查看本镇各社区的数据")));
}

function summary(stats, town, ledger, rows) {
  const t = stats.total;
  const ledgerTotals = ledger.byCode ? sumLedger(rows.map((r) => r.ledger).filter(Boolean)) : null;
  const card = (label, value, note = null, tone = null) => h("div", { class: ["towns-kpi", tone && `towns-kpi-${tone}`] },
    h("dt", {}, label), h("dd", {}, h("span", { class: "towns-kpi-value" }, value), note ? h("span", { class: "towns-kpi-note" }, note) : null));
  return panel(`${stats.scopeName}${town ? "（各社区）" : ""}总体情况`,
    h("dl", { class: "towns-kpis", "data-testid": "towns-summary" },
      card("住宅小区", fmtNumber(t.compounds), `${fmtNumber(t.households)} 户`),
      card("覆盖率", fmtPercent(t.coverageRate), `${fmtNumber(t.compoundsWithEnterprise)} 个小区有物业服务企业`),
      card("组建率", fmtPercent(t.formationRate), `${fmtNumber(t.compoundsWithCommittee)} 个小区成立业主委员会`),
      ledgerTotals
        ? card("台账在办", fmtNumber(ledgerTotals.open), `其中逾期 ${fmtNumber(ledgerTotals.overdue)} 件`, ledgerTotals.overdue ? "bad" : null)
        : card("台账在办", "—", "无权查看台账"),
      card("管网入户、入表待办", fmtNumber(t.openConnectionTasks), `其中逾期 ${fmtNumber(t.overdueConnectionTasks)} 项`, t.overdueConnectionTasks ? "bad" : null),
      card("停水停电等（进行中）", fmtNumber(t.openOutages), null, t.openOutages ? "warn" : null)));
}

function sumLedger(figures) {
  return figures.reduce((acc, f) => ({ open: acc.open + f.open, overdue: acc.overdue + f.overdue }), { open: 0, overdue: 0 });
}

function detailTable(rows, { town, ledger, level, scoped }) {
  const num = (get) => (row) => fmtNumber(get(row));
  const ledgerCol = (key) => (row) => (ledger.byCode ? fmtNumber(row.ledger ? row.ledger[key] : 0) : "—");
  const columns = [
    { key: "name", label: level },
    { key: "compounds", label: "小区数", class: "num", render: num((r) => r.figures.compounds) },
    { key: "coverage", label: "覆盖率", class: "num", render: (r) => fmtPercent(r.figures.coverageRate) },
    { key: "formation", label: "组建率", class: "num", render: (r) => fmtPercent(r.figures.formationRate) },
    { key: "ledgerOpen", label: "台账在办", class: "num", render: ledgerCol("open") },
    { key: "ledgerOverdue", label: "台账逾期", class: "num", render: (row) => overdueCell(ledger.byCode ? (row.ledger ? row.ledger.overdue : 0) : null) },
    { key: "tasks", label: "入户、入表待办", class: "num", render: num((r) => r.figures.openConnectionTasks) },
    { key: "tasksOverdue", label: "待办逾期", class: "num", render: (r) => overdueCell(r.figures.overdueConnectionTasks) },
    { key: "outages", label: "停水停电（进行中）", class: "num", render: num((r) => r.figures.openOutages) },
  ];
  if (!town) {
    columns.push({
      key: "action", label: "操作",
      render: (r) => h("a", { href: `#/towns?town=${encodeURIComponent(r.code)}`, class: "button towns-drill", "aria-label": `查看${r.name}各社区` }, "查看社区"),
    });
  }
  const caption = town ? `各社区明细（共 ${rows.length} 个社区）` : `各镇明细（共 ${rows.length} 个镇${scoped ? "，仅本镇" : ""}）`;
  return table(columns, rows, { caption, empty: "暂无数据" });
}

function overdueCell(n) {
  if (n === null || n === undefined) return "—";
  return n > 0 ? h("span", { class: "badge badge-bad" }, fmtNumber(n)) : fmtNumber(n);
}

/** Provenance of the synced parts: coverage (contracts), utilities, or both; local parts named. */
function provenanceLines(provenance, which) {
  const lines = [];
  const contracts = provenance.filter((p) => !p.source.startsWith("utility:"));
  const utilities = provenance.filter((p) => p.source.startsWith("utility:"));
  if (which !== "utility") {
    if (contracts.length) contracts.forEach((p) => lines.push(provenanceLine(p, "覆盖率（物业服务合同）")));
    else lines.push(h("p", { class: "provenance" }, "覆盖率（物业服务合同） · 尚未从外部平台同步"));
    lines.push(provenanceLine(null, "组建率（业主委员会）"));
  }
  if (which !== "coverage") {
    if (utilities.length) utilities.forEach((p) => lines.push(provenanceLine(p, `公用事业数据（${p.source.slice(8)}）`)));
    else lines.push(h("p", { class: "provenance" }, "管网入户、入表与停水停电 · 尚无公用事业单位同步的数据"));
    lines.push(provenanceLine(null, "台账"));
  }
  return h("div", { class: "towns-provenance" }, lines);
}

function percent(x) {
  return x === null || x === undefined ? null : Math.round(x * 1000) / 10;
}

/** Too many characters for horizontal labels in a half-width chart. */
function crowded(names) {
  return names.join("").length > 36;
}

function categoryAxis(names) {
  return {
    type: "category", data: names,
    axisLabel: { interval: 0, rotate: crowded(names) ? 35 : 0, fontSize: 11 },
  };
}

function rateOption(names, rows) {
  return {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 48, right: 12, top: 32, bottom: crowded(names) ? 72 : 32 },
    xAxis: categoryAxis(names),
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "覆盖率", type: "bar", data: rows.map((r) => percent(r.figures.coverageRate)) },
      { name: "组建率", type: "bar", data: rows.map((r) => percent(r.figures.formationRate)) },
    ],
  };
}

function backlogOption(names, rows, withLedger) {
  const series = [];
  if (withLedger) {
    series.push({ name: "台账在办", type: "bar", data: rows.map((r) => (r.ledger ? r.ledger.open : 0)) });
    series.push({ name: "台账逾期", type: "bar", data: rows.map((r) => (r.ledger ? r.ledger.overdue : 0)), itemStyle: { color: "#b23b3b" } });
  }
  series.push({ name: "入户、入表待办", type: "bar", data: rows.map((r) => r.figures.openConnectionTasks), itemStyle: { color: "#d9822b" } });
  series.push({ name: "停水停电", type: "bar", data: rows.map((r) => r.figures.openOutages), itemStyle: { color: "#6b4fa3" } });
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 12, top: 32, bottom: crowded(names) ? 72 : 32 },
    xAxis: categoryAxis(names),
    yAxis: { type: "value", minInterval: 1 },
    series,
  };
}
