// 企业画像: enterprise search and the consolidated profile of one enterprise (#/profile?uscc=…).
import { chart } from "../charts.js";
import {
  clear, fmtDate, fmtDateTime, fmtNumber, fmtPercent, h, panel, provenanceLine, ruleTitle,
  showEmpty, showError, showLoading, table, useStylesheet,
} from "../ui.js";

const PROV = "provenance { source sourceLabel syncedAt stale }";
const STATUS = { ACTIVE: "存续", SUSPENDED: "停业", REVOKED: "吊销", DEREGISTERED: "注销" };
const CATEGORY = { BASIC: "基本信息", GOOD: "良好信息", BAD: "不良信息" };
const LEVEL = { CITY: "市级", BANNER: "旗级", TOWN: "镇级", COMMUNITY: "社区级" };
const SANCTION = { REWARD: "奖励", BANNED_NEW_PROJECTS: "禁止承接新项目", MARKET_EXIT: "清出市场" };
const SEVERITY = { LOW: "一般", MEDIUM: "较重", HIGH: "严重" };

const SEARCH = `query($filter: EnterpriseFilterInput, $first: Int!) {
  enterprises(filter: $filter, first: $first, orderBy: CREDIT_SCORE_DESC) {
    totalCount
    nodes { uscc name status credit { score grade } ${PROV} }
  }
}`;

function profileQuery(can) {
  const detail = can("read:enterprise-detail");
  const tenders = can("read:tenders");
  const tender = tenders ? "tender { code title }" : "";
  return `query($uscc: String!) {
  enterprise(uscc: $uscc) {
    uscc name legalRepresentative registeredAddress areaCode registeredCapital foundedOn status
    generated ${PROV}
    credit {
      score grade evaluatedOn
      history { evaluatedOn score grade ${PROV} }
      records { category title points level recordedOn validFrom validUntil validToday ${PROV} }
    }
    ${detail ? `compoundsServed { code name households community { name } town { name } ${PROV} }
    assessmentYears { year semiAnnualScores semiAnnualAverage dailyInspections deductions }
    bids { price submittedOn won ${tender} ${PROV} }
    awards { awardedOn contractSignedOn ${tender} ${PROV} }` : ""}
    ${can("read:ledger") ? "ledgerStatistics { total open overdue resolved resolutionRate medianHandlingHours satisfaction }" : ""}
    ${can("read:rankings") ? "sanctions { kind year startsOn endsOn amountYuan inForce }" : ""}
  }
  ${can("read:findings") ? `findings(filter: {enterpriseUscc: $uscc}, first: 50) {
    totalCount nodes { id rule title severity openedAt closedAt detail responsibleUnit compound { name } }
  }` : ""}
}`;
}

const RANKINGS = (years) => `query {
  ${years.map((y) => `y${y}: ranking(year: ${y}) { year published publishedOn entries { rank score enterprise { uscc } } }`).join("\n  ")}
}`;

/** One line for several synced records: the oldest sync, stale if any is stale. */
function combined(provenances) {
  const synced = provenances.filter((p) => p && p.source !== "local" && p.syncedAt);
  if (synced.length === 0) return { source: "local" };
  const oldest = synced.reduce((a, b) => (a.syncedAt < b.syncedAt ? a : b));
  return { ...oldest, stale: synced.some((p) => p.stale) };
}

export default {
  id: "profile",
  title: "企业画像",
  async render(root, ctx) {
    useStylesheet("/console/static/pages/profile.css");
    const uscc = ctx.params.get("uscc");
    if (uscc) return renderProfile(root, ctx, uscc);
    return renderSearch(root, ctx, ctx.params.get("q") || "");
  },
};

function renderSearch(root, ctx, initial) {
  const input = h("input", { id: "enterprise-q", type: "search", value: initial, placeholder: "如：泰瑞物业 或 91150627…", autocomplete: "off" });
  const results = h("div", { id: "enterprise-results", "aria-live": "polite" });
  const form = h("form", { class: "toolbar", role: "search", onsubmit: (e) => { e.preventDefault(); search(); } },
    h("div", { class: "field" }, h("label", { for: "enterprise-q" }, "企业名称或统一社会信用代码"), input),
    h("button", { type: "submit", class: "button primary" }, "搜索"));
  clear(root, form, results);

  async function search() {
    const q = input.value.trim();
    history.replaceState(null, "", q ? `#/profile?q=${encodeURIComponent(q)}` : "#/profile");
    const filter = /^[0-9A-Z]{18}$/i.test(q) ? { uscc: q.toUpperCase() } : q ? { nameContains: q } : null;
    showLoading(results, "正在搜索…");
    try {
      const data = await ctx.gql(SEARCH, { filter, first: 30 });
      const list = data.enterprises;
      if (list.nodes.length === 0) {
        showEmpty(results, `没有名称包含“${q}”的企业。请检查输入，或只输入名称中的几个字。`);
        return;
      }
      clear(results, table([
        { key: "name", label: "企业名称", render: (e) => h("a", { href: `#/profile?uscc=${encodeURIComponent(e.uscc)}`, class: "enterprise-link" }, e.name) },
        { key: "uscc", label: "统一社会信用代码" },
        { key: "grade", label: "信用等级", render: (e) => gradeBadge(e.credit.grade) },
        { key: "score", label: "信用评分", class: "num", render: (e) => fmtNumber(e.credit.score, 1) },
        { key: "status", label: "登记状态", render: (e) => STATUS[e.status] || e.status },
      ], list.nodes, { caption: q ? `搜索“${q}”：共 ${list.totalCount} 家` : `全部企业（按信用评分排序，共 ${list.totalCount} 家，显示前 ${list.nodes.length} 家）` }),
      provenanceLine(combined(list.nodes.map((e) => e.provenance)), "企业登记与信用"));
    } catch (err) {
      showError(results, err, search);
    }
  }
  search();
  input.focus();
}

function gradeBadge(grade) {
  if (!grade) return "—";
  const cls = grade.startsWith("A") ? "badge-good" : grade === "B" ? "badge" : "badge-bad";
  return h("span", { class: `badge grade ${cls}` }, grade);
}

async function renderProfile(root, ctx, uscc) {
  showLoading(root, "正在加载企业画像…");
  let data;
  try {
    data = await ctx.gql(profileQuery(ctx.can), { uscc });
  } catch (err) {
    showError(root, err, () => renderProfile(root, ctx, uscc));
    return null;
  }
  const e = data.enterprise;
  const charts = [];
  const back = h("a", { href: "#/profile", class: "back-link" }, "← 返回企业搜索");
  const header = h("div", { class: "profile-head" },
    back,
    h("h2", { class: "profile-name", id: "profile-name" }, e.name),
    h("div", { class: "profile-tags" }, gradeBadge(e.credit.grade),
      h("span", { class: "badge" }, STATUS[e.status] || e.status),
      e.generated ? h("span", { class: "badge", title: "演示数据中虚构的企业" }, "演示数据") : null));
  const grid = h("div", { class: "panel-grid" });
  const limited = ctx.can("read:enterprise-detail") ? null
    : h("p", { class: "hint" }, "您所在单位的角色可查看企业登记与信用；服务小区、考核、招投标等明细仅对主管部门、各镇、社区和督查室开放。");
  clear(root, header, limited, grid);

  grid.append(registrationPanel(e));
  if (e.ledgerStatistics) grid.append(ledgerPanel(e));
  grid.append(creditPanel(e, charts));
  if (e.compoundsServed) grid.append(compoundsPanel(e));
  if (e.assessmentYears) grid.append(assessmentsPanel(e));
  const rankingSlot = h("div", { class: "panel-slot" });
  grid.append(rankingSlot);
  if (e.sanctions) grid.append(sanctionsPanel(e));
  if (e.bids) grid.append(tendersPanel(e));
  if (data.findings) grid.append(findingsPanel(data.findings));
  loadRankings(rankingSlot, ctx, e);
  return () => charts.forEach((c) => c.dispose());
}

function registrationPanel(e) {
  return panel("登记信息",
    h("dl", { class: "kv" },
      h("dt", {}, "统一社会信用代码"), h("dd", {}, e.uscc),
      h("dt", {}, "法定代表人"), h("dd", {}, e.legalRepresentative),
      h("dt", {}, "注册地址"), h("dd", {}, e.registeredAddress),
      h("dt", {}, "注册资本"), h("dd", {}, `${fmtNumber(e.registeredCapital)} 万元`),
      h("dt", {}, "成立日期"), h("dd", {}, fmtDate(e.foundedOn)),
      h("dt", {}, "行政区划代码"), h("dd", {}, e.areaCode),
      h("dt", {}, "登记状态"), h("dd", {}, STATUS[e.status] || e.status)),
    provenanceLine(e.provenance));
}

function creditPanel(e, charts) {
  const c = e.credit;
  const chartBox = h("div", { class: "chart", id: "credit-chart", role: "img", "aria-label": `信用评分走势：${c.history.map((x) => `${x.evaluatedOn} ${x.score} 分 ${x.grade}`).join("；")}` });
  const section = panel("信用评分与等级",
    h("p", { class: "credit-now" },
      "当前评分 ", h("strong", { class: "credit-score" }, fmtNumber(c.score, 1)), " 分，等级 ", gradeBadge(c.grade),
      c.evaluatedOn ? ` （评定于 ${fmtDate(c.evaluatedOn)}）` : ""),
    c.history.length ? chartBox : h("p", { class: "hint" }, "暂无历次评定记录。"),
    provenanceLine(combined(c.history.map((x) => x.provenance)), "历次评定"),
    h("h3", {}, "评分依据（信用记录）"),
    table([
      { key: "category", label: "类别", render: (r) => CATEGORY[r.category] || r.category },
      { key: "title", label: "事项" },
      { key: "points", label: "分值", class: "num", render: (r) => `${r.category === "BAD" ? "−" : r.category === "GOOD" ? "+" : ""}${fmtNumber(r.points, 1)}` },
      { key: "level", label: "记录层级", render: (r) => LEVEL[r.level] || r.level },
      { key: "valid", label: "有效期", render: (r) => `${fmtDate(r.validFrom)} 至 ${r.validUntil ? fmtDate(r.validUntil) : "长期"}` },
      { key: "validToday", label: "今日计分", render: (r) => (r.validToday ? "是" : h("span", { class: "muted" }, "否（已过期）")) },
    ], c.records, { caption: `共 ${c.records.length} 条`, empty: "平台未登记信用记录。" }),
    provenanceLine(combined(c.records.map((r) => r.provenance)), "信用记录"));
  section.classList.add("wide");
  if (c.history.length) {
    requestAnimationFrame(() => {
      const grades = c.history.map((x) => x.grade);
      charts.push(chart(chartBox, {
        grid: { left: 48, right: 24, top: 28, bottom: 32 },
        tooltip: { trigger: "axis", formatter: (p) => `${p[0].axisValue}<br>评分 ${p[0].data} · 等级 ${grades[p[0].dataIndex]}` },
        xAxis: { type: "category", data: c.history.map((x) => x.evaluatedOn), boundaryGap: false },
        yAxis: { type: "value", name: "评分", min: (v) => Math.max(0, Math.floor(v.min - 5)), max: (v) => Math.min(100, Math.ceil(v.max + 3)) },
        series: [{ type: "line", name: "信用评分", data: c.history.map((x) => x.score), symbolSize: 7,
          label: { show: true, formatter: (p) => grades[p.dataIndex], position: "top", fontSize: 11 } }],
      }));
    });
  }
  return section;
}

function compoundsPanel(e) {
  return panel(`服务小区（${e.compoundsServed.length}）`,
    table([
      { key: "name", label: "小区" },
      { key: "community", label: "社区", render: (x) => x.community.name },
      { key: "town", label: "镇", render: (x) => x.town.name },
      { key: "households", label: "户数", class: "num", render: (x) => fmtNumber(x.households) },
    ], e.compoundsServed, { empty: "目前未在服务任何小区。" }),
    provenanceLine(combined(e.compoundsServed.map((x) => x.provenance)), "小区信息"));
}

function ledgerPanel(e) {
  const f = e.ledgerStatistics;
  return panel("台账统计（服务期间）",
    h("dl", { class: "kv figures" },
      h("dt", {}, "受理总数"), h("dd", {}, fmtNumber(f.total)),
      h("dt", {}, "未办结"), h("dd", {}, fmtNumber(f.open)),
      h("dt", {}, "已超期"), h("dd", { class: f.overdue ? "bad" : "" }, fmtNumber(f.overdue)),
      h("dt", {}, "办结率"), h("dd", {}, fmtPercent(f.resolutionRate)),
      h("dt", {}, "办理时长中位数"), h("dd", {}, f.medianHandlingHours == null ? "—" : `${fmtNumber(f.medianHandlingHours, 1)} 小时`),
      h("dt", {}, "满意度"), h("dd", {}, f.satisfaction == null ? "—" : `${fmtNumber(f.satisfaction, 2)} / 5`)),
    provenanceLine({ source: "local" }, "台账"));
}

function assessmentsPanel(e) {
  return panel("年度考核",
    table([
      { key: "year", label: "年度" },
      { key: "semi", label: "半年考核", render: (y) => (y.semiAnnualScores.length ? y.semiAnnualScores.map((s) => fmtNumber(s, 1)).join("、") : "—") },
      { key: "avg", label: "半年平均", class: "num", render: (y) => fmtNumber(y.semiAnnualAverage, 2) },
      { key: "n", label: "日常巡查次数", class: "num", render: (y) => fmtNumber(y.dailyInspections) },
      { key: "d", label: "巡查扣分", class: "num", render: (y) => fmtNumber(y.deductions, 1) },
    ], e.assessmentYears, { empty: "暂无考核记录。" }),
    provenanceLine({ source: "local" }, "考核记录"));
}

async function loadRankings(slot, ctx, e) {
  const years = (e.assessmentYears || []).map((y) => y.year).slice(0, 4);
  if (!ctx.can("read:rankings") || years.length === 0) return;
  const body = h("div", {});
  const section = panel("考核排名", body);
  slot.replaceWith(section);
  showLoading(body);
  try {
    const data = await ctx.gql(RANKINGS(years));
    const rows = years.map((y) => {
      const r = data[`y${y}`];
      if (!r) return { year: y, state: "未公布" };
      const ranked = r.entries.filter((x) => x.rank != null);
      const mine = r.entries.find((x) => x.enterprise && x.enterprise.uscc === e.uscc);
      return {
        year: y,
        state: r.published ? `已公布（${fmtDate(r.publishedOn)}）` : "草稿预览",
        rank: mine && mine.rank != null ? `${mine.rank} / ${ranked.length}` : "未参与排名",
        score: mine ? mine.score : null,
      };
    });
    clear(body, table([
      { key: "year", label: "年度" },
      { key: "rank", label: "名次" },
      { key: "score", label: "年度得分", class: "num", render: (r) => fmtNumber(r.score, 2) },
      { key: "state", label: "状态" },
    ], rows), provenanceLine({ source: "local" }, "排名"));
  } catch (err) {
    showError(body, err, () => loadRankings(section, ctx, e));
  }
}

function sanctionsPanel(e) {
  return panel("奖惩",
    table([
      { key: "year", label: "排名年度" },
      { key: "kind", label: "措施", render: (s) => SANCTION[s.kind] || s.kind },
      { key: "period", label: "期间", render: (s) => `${fmtDate(s.startsOn)} 至 ${s.endsOn ? fmtDate(s.endsOn) : "长期"}` },
      { key: "amount", label: "金额（元）", class: "num", render: (s) => (s.amountYuan == null ? "—" : fmtNumber(s.amountYuan)) },
      { key: "inForce", label: "执行中", render: (s) => (s.inForce ? h("span", { class: "badge badge-warn" }, "执行中") : "已结束") },
    ], e.sanctions, { empty: "没有奖惩记录。" }),
    provenanceLine({ source: "local" }, "奖惩"));
}

function tendersPanel(e) {
  const name = (x) => (x.tender ? `${x.tender.title}（${x.tender.code}）` : "—");
  const section = panel(`招投标（投标 ${e.bids.length} 次，中标 ${e.awards.length} 次）`,
    table([
      { key: "tender", label: "项目", render: name },
      { key: "submittedOn", label: "投标日期", render: (b) => fmtDate(b.submittedOn) },
      { key: "price", label: "报价（元/㎡·月）", class: "num", render: (b) => fmtNumber(b.price, 2) },
      { key: "won", label: "结果", render: (b) => (b.won ? h("span", { class: "badge badge-good" }, "中标") : "未中标") },
    ], e.bids, { caption: "投标", empty: "没有投标记录。" }),
    table([
      { key: "tender", label: "项目", render: name },
      { key: "awardedOn", label: "中标日期", render: (a) => fmtDate(a.awardedOn) },
      { key: "contractSignedOn", label: "合同签订", render: (a) => (a.contractSignedOn ? fmtDate(a.contractSignedOn) : h("span", { class: "badge badge-warn" }, "未签订")) },
    ], e.awards, { caption: "中标", empty: "没有中标记录。" }),
    provenanceLine(combined([...e.bids, ...e.awards].map((x) => x.provenance)), "招投标"));
  section.classList.add("wide");
  return section;
}

function findingsPanel(findings) {
  const section = panel(`督办事项（${findings.totalCount}）`,
    table([
      { key: "title", label: "事项", render: (f) => ruleTitle(f.title, f.rule) },
      { key: "compound", label: "小区", render: (f) => (f.compound ? f.compound.name : "—") },
      { key: "severity", label: "程度", render: (f) => SEVERITY[f.severity] || f.severity },
      { key: "openedAt", label: "发现时间", render: (f) => fmtDateTime(f.openedAt) },
      { key: "state", label: "状态", render: (f) => (f.closedAt ? `已消除（${fmtDate(f.closedAt)}）` : h("span", { class: "badge badge-bad" }, "未消除")) },
    ], findings.nodes, { empty: "没有与该企业相关的督办事项。" }),
    provenanceLine({ source: "local" }, "督办事项"));
  section.classList.add("wide");
  return section;
}
