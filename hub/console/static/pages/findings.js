// 督办事项: compliance findings in the unit's jurisdiction, updated live through the
// `findingOpened` subscription (graphql-transport-ws).
import {
  clear, fmtDateTime, h, provenanceLine, ruleTitle, showEmpty, showError, showLoading, table,
  useStylesheet,
} from "../ui.js";

const SEVERITY = { LOW: "一般", MEDIUM: "较重", HIGH: "严重" };
const SEVERITY_CLASS = { LOW: "badge", MEDIUM: "badge-warn", HIGH: "badge-bad" };
const FIELDS = "id rule title severity responsibleUnit detail openedAt closedAt compound { name }";

const LIST = `query($filter: FindingFilterInput, $after: String) {
  findings(filter: $filter, first: 30, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${FIELDS} }
  }
}`;
const TOWNS = "{ towns { code name } }";
const LIVE = `subscription { findingOpened { ${FIELDS} } }`;

export default {
  id: "findings",
  title: "督办事项",
  async render(root, ctx) {
    useStylesheet("/console/static/pages/findings.css");
    if (!ctx.can("read:findings")) {
      showEmpty(root, "您所在单位的角色不查看督办事项：督办事项由主管部门、各镇、社区、行业部门和督查室跟进。");
      return null;
    }
    const p = ctx.params;
    const state = h("select", { id: "f-open" },
      h("option", { value: "open", selected: (p.get("open") || "open") === "open" }, "未消除"),
      h("option", { value: "closed", selected: p.get("open") === "closed" }, "已消除"),
      h("option", { value: "", selected: p.get("open") === "all" }, "全部"));
    const severity = h("select", { id: "f-severity" }, h("option", { value: "" }, "全部"),
      Object.entries(SEVERITY).map(([k, v]) => h("option", { value: k, selected: p.get("severity") === k }, v)));
    const town = h("select", { id: "f-town" }, h("option", { value: "" }, "全部"));
    const live = h("p", { class: "live", id: "findings-live", "data-live": "connecting" }, "实时更新：正在连接…");
    const announce = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
    const list = h("div", { id: "findings-list" });
    clear(root,
      h("form", { class: "toolbar", "aria-label": "筛选督办事项", onsubmit: (e) => { e.preventDefault(); load(false); } },
        h("div", { class: "field" }, h("label", { for: "f-open" }, "状态"), state),
        h("div", { class: "field" }, h("label", { for: "f-severity" }, "严重程度"), severity),
        ctx.viewer.scope === "banner" ? h("div", { class: "field" }, h("label", { for: "f-town" }, "镇"), town) : null,
        h("button", { type: "submit", class: "button primary" }, "查询")),
      live, announce, list);

    if (ctx.viewer.scope === "banner") {
      ctx.gql(TOWNS).then((d) => town.append(...d.towns.map((t) => h("option", { value: t.code, selected: p.get("town") === t.code }, t.name)))).catch(() => {});
    }

    let rows = [];
    let total = 0;
    let pageInfo = null;
    const fresh = new Set();

    function filter() {
      const f = {};
      if (state.value === "open") f.open = true;
      if (state.value === "closed") f.open = false;
      if (severity.value) f.severity = severity.value;
      if (town.value) f.townCode = town.value;
      return f;
    }

    async function load(more) {
      const f = filter();
      const q = new URLSearchParams({ open: state.value || "all" });
      if (f.severity) q.set("severity", f.severity);
      if (f.townCode) q.set("town", f.townCode);
      history.replaceState(null, "", `#/findings?${q}`);
      if (!more) showLoading(list);
      try {
        const data = await ctx.gql(LIST, { filter: f, after: more && pageInfo ? pageInfo.endCursor : null });
        rows = more ? rows.concat(data.findings.nodes) : data.findings.nodes;
        total = data.findings.totalCount;
        pageInfo = data.findings.pageInfo;
        if (!more) fresh.clear();
        draw();
      } catch (err) {
        showError(list, err, () => load(more));
      }
    }

    function draw() {
      if (rows.length === 0) {
        showEmpty(list, state.value === "open"
          ? "目前没有未消除的督办事项。新发现的事项会自动出现在这里。"
          : "没有符合条件的督办事项。可以把状态选为“全部”后重新查询。");
        return;
      }
      clear(list,
        table([
          { key: "title", label: "事项", render: (f) => h("div", {}, fresh.has(f.id) ? h("span", { class: "badge badge-new" }, "新") : null, h("span", { title: f.title }, ruleTitle(f.title, f.rule)), f.detail ? h("div", { class: "item-sub" }, f.detail) : null) },
          { key: "compound", label: "小区", render: (f) => (f.compound ? f.compound.name : "—") },
          { key: "severity", label: "严重程度", render: (f) => h("span", { class: `badge ${SEVERITY_CLASS[f.severity] || ""}` }, SEVERITY[f.severity] || f.severity) },
          { key: "responsibleUnit", label: "责任单位" },
          { key: "openedAt", label: "发现时间", render: (f) => fmtDateTime(f.openedAt) },
          { key: "state", label: "状态", render: (f) => (f.closedAt ? `已消除（${fmtDateTime(f.closedAt)}）` : "未消除") },
        ], rows, { caption: `督办事项：共 ${total} 条，已显示 ${rows.length} 条` }),
        pageInfo && pageInfo.hasNextPage ? h("button", { type: "button", class: "button more", onclick: () => load(true) }, "加载更多") : null,
        provenanceLine({ source: "local" }, "督办事项（由数据枢纽按规则自动发现与消除）"));
    }

    function matches(f) {
      const want = filter();
      return want.open !== false && (!want.severity || want.severity === f.severity);
    }

    let unsubscribe = null;
    function connect() {
      live.dataset.live = "connecting";
      live.replaceChildren("实时更新：正在连接…");
      unsubscribe = ctx.subscribe(LIVE, {}, {
        connected: () => {
          live.dataset.live = "connected";
          live.replaceChildren(h("span", { class: "dot", "aria-hidden": "true" }), "实时更新：已连接，新发现的督办事项会自动出现");
        },
        next: (data) => {
          const f = data.findingOpened;
          if (!matches(f) || rows.some((r) => r.id === f.id)) return;
          fresh.add(f.id);
          rows = [f, ...rows];
          total += 1;
          draw();
          announce.textContent = `新的督办事项：${ruleTitle(f.title, f.rule)}${f.compound ? `（${f.compound.name}）` : ""}`;
        },
        error: (err) => {
          live.dataset.live = "failed";
          live.replaceChildren(`实时更新已中断：${err.message}（${err.code}） `,
            h("button", { type: "button", class: "button", onclick: () => { unsubscribe?.(); connect(); } }, "重新连接"));
        },
      });
    }
    connect();
    await load(false);
    return () => unsubscribe?.();
  },
};
