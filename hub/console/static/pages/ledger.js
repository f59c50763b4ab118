// 台账: the ledger board — filters, deadlines, escalation state, and the workflow steps the
// signed-in unit may take as buttons (ledgerItemTransition / ledgerItemEscalate).
import {
  clear, fmtDateTime, h, messageOf, provenanceLine, showEmpty, showError, showLoading, table,
  useStylesheet,
} from "../ui.js";

export const STATUS = { REPORTED: "待受理", ACCEPTED: "已受理", IN_PROGRESS: "办理中", RESOLVED: "已办结", VERIFIED: "已验收", REOPENED: "重新办理" };
const ACTION = { ACCEPT: "受理", START: "开始办理", RESOLVE: "办结", VERIFY: "验收", REOPEN: "退回重办" };
const LEVEL = { COMMUNITY: "社区", TOWN: "镇", DEPARTMENT: "部门" };
const CATEGORY = { FACILITIES: "设施设备", FIRE_SAFETY: "消防安全", SANITATION: "环境卫生", FEES: "物业收费", NOISE: "噪音扰民", ILLEGAL_CONSTRUCTION: "违法建设", GREENERY: "绿化养护", SECURITY: "治安秩序", OTHER: "其他" };
const CHANNEL = { COMPLAINT: "接诉即办", PROACTIVE: "未诉先办", SMALL_PROBLEM: "小问题小隐患", SWEEP: "大排查大整治" };
const SEVERITY = { LOW: "一般", MEDIUM: "较急", HIGH: "紧急", URGENT: "特急" };
const STATUS_CLASS = { REPORTED: "badge-warn", REOPENED: "badge-warn", RESOLVED: "badge-good", VERIFIED: "badge-good" };

const ITEM = `id title channel category severity status level assignedUnit reportedBy reportedLevel
  reportedAt deadline overdue resolvedAt allowedActions canEscalate compound { name }
  history { action occurredAt }`;

const LIST = `query($filter: LedgerFilterInput, $after: String) {
  ledgerItems(filter: $filter, first: 25, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${ITEM} }
  }
}`;

const RESULT = `__typename
  ... on LedgerItemSuccess { item { ${ITEM} } }
  ... on NotPermitted { message }
  ... on ValidationFailed { message field }`;

const TRANSITION = `mutation($id: ID!, $action: LedgerAction!, $note: String, $satisfaction: Int) {
  ledgerItemTransition(id: $id, action: $action, note: $note, satisfaction: $satisfaction) { ${RESULT} }
}`;

const ESCALATE = `mutation($id: ID!, $reason: String!) {
  ledgerItemEscalate(id: $id, reason: $reason) { ${RESULT} }
}`;

function select(id, label, options, value = "") {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id },
      h("option", { value: "" }, "全部"),
      Object.entries(options).map(([k, v]) => h("option", { value: k, selected: k === value }, v))));
}

export default {
  id: "ledger",
  title: "台账",
  async render(root, ctx) {
    useStylesheet("/console/static/pages/ledger.css");
    if (!ctx.can("read:ledger")) {
      showEmpty(root, "您所在单位的角色不查看台账：台账由主管部门、各镇、社区、行业部门和督查室办理或查看。");
      return null;
    }
    const p = ctx.params;
    const filters = h("form", { class: "toolbar", "aria-label": "筛选台账", onsubmit: (e) => { e.preventDefault(); apply(); } },
      select("f-status", "状态", STATUS, p.get("status") || ""),
      select("f-level", "当前层级", LEVEL, p.get("level") || ""),
      select("f-category", "类别", CATEGORY, p.get("category") || ""),
      select("f-channel", "来源渠道", CHANNEL, p.get("channel") || ""),
      h("div", { class: "field checkbox" },
        h("input", { type: "checkbox", id: "f-overdue", checked: p.get("overdue") === "1" }),
        h("label", { for: "f-overdue" }, "仅看已超期")),
      h("button", { type: "submit", class: "button primary" }, "查询"));
    const status = h("p", { class: "action-status", role: "status", "aria-live": "polite" });
    const list = h("div", { id: "ledger-list" });
    const dialog = h("dialog", { class: "step-dialog", "aria-labelledby": "step-title" });
    clear(root, 
      ctx.can("work:ledger") ? null : h("p", { class: "hint" }, "您所在单位的角色可以查看台账，但不办理台账事项。"),
      filters, status, list, dialog);

    const value = (id) => root.querySelector(`#${id}`).value;
    let rows = [];
    let pageInfo = null;
    let total = 0;

    function currentFilter() {
      const f = {};
      if (value("f-status")) f.status = [value("f-status")];
      if (value("f-level")) f.level = value("f-level");
      if (value("f-category")) f.category = value("f-category");
      if (value("f-channel")) f.channel = value("f-channel");
      if (root.querySelector("#f-overdue").checked) f.overdue = true;
      return f;
    }

    function apply() {
      const f = currentFilter();
      const q = new URLSearchParams();
      if (f.status) q.set("status", f.status[0]);
      for (const k of ["level", "category", "channel"]) if (f[k]) q.set(k, f[k]);
      if (f.overdue) q.set("overdue", "1");
      history.replaceState(null, "", `#/ledger${q.toString() ? `?${q}` : ""}`);
      load(false);
    }

    async function load(more) {
      if (!more) showLoading(list);
      try {
        const data = await ctx.gql(LIST, { filter: currentFilter(), after: more && pageInfo ? pageInfo.endCursor : null });
        const page = data.ledgerItems;
        rows = more ? rows.concat(page.nodes) : page.nodes;
        pageInfo = page.pageInfo;
        total = page.totalCount;
        draw();
      } catch (err) {
        showError(list, err, () => load(more));
      }
    }

    function draw() {
      if (rows.length === 0) {
        showEmpty(list, "没有符合条件的台账事项。可以放宽筛选条件（例如状态选“全部”）后重新查询。");
        return;
      }
      clear(list, 
        table([
          { key: "title", label: "事项", render: (r) => h("div", {}, h("div", { class: "item-title" }, r.title), h("div", { class: "item-sub" }, r.compound ? r.compound.name : "—", " · ", CHANNEL[r.channel] || r.channel)) },
          { key: "category", label: "类别", render: (r) => CATEGORY[r.category] || r.category },
          { key: "severity", label: "紧急程度", render: (r) => SEVERITY[r.severity] || r.severity },
          { key: "status", label: "状态", render: (r) => h("span", { class: `badge status ${STATUS_CLASS[r.status] || ""}`, "data-status": r.status }, STATUS[r.status] || r.status) },
          { key: "level", label: "承办", render: (r) => h("div", {}, LEVEL[r.level] || r.level, h("div", { class: "item-sub" }, r.assignedUnit)) },
          { key: "escalation", label: "上报情况", render: escalation },
          { key: "deadline", label: "办理期限", render: deadline },
          { key: "actions", label: "操作", render: (r) => actions(r) },
        ], rows, { caption: `台账事项：共 ${total} 条，已显示 ${rows.length} 条` }),
        pageInfo && pageInfo.hasNextPage ? h("button", { type: "button", class: "button more", onclick: () => load(true) }, "加载更多") : null,
        provenanceLine({ source: "local" }, "台账"));
    }

    function escalation(r) {
      const times = r.history.filter((e) => e.action === "ESCALATE").length;
      if (times === 0) return "未上报";
      return h("span", { class: "badge badge-warn" }, `已上报 ${times} 次（${LEVEL[r.reportedLevel]} → ${LEVEL[r.level]}）`);
    }

    function deadline(r) {
      const done = r.status === "RESOLVED" || r.status === "VERIFIED";
      return h("div", {}, fmtDateTime(r.deadline),
        r.overdue ? h("span", { class: "badge badge-bad" }, "已超期") : null,
        done ? h("div", { class: "item-sub" }, `办结于 ${fmtDateTime(r.resolvedAt)}`) : null);
    }

    function actions(r) {
      const buttons = r.allowedActions.map((a) => h("button", {
        type: "button", class: "button step", "data-action": a, "data-item": r.id,
        "aria-label": `${ACTION[a]}：${r.title}`, onclick: () => step(r, a),
      }, ACTION[a] || a));
      if (r.canEscalate) {
        buttons.push(h("button", { type: "button", class: "button step", "data-action": "ESCALATE", "data-item": r.id, "aria-label": `上报上级：${r.title}`, onclick: () => step(r, "ESCALATE") }, "上报上级"));
      }
      return buttons.length ? h("div", { class: "steps" }, buttons) : h("span", { class: "item-sub" }, "—");
    }

    /** A step: ACCEPT and START at once; RESOLVE, REOPEN, VERIFY of a complaint and ESCALATE
     * ask for their note, satisfaction or reason first. */
    async function step(item, action) {
      const needsNote = action === "RESOLVE" || action === "REOPEN" || action === "ESCALATE";
      const needsScore = action === "VERIFY" && item.channel === "COMPLAINT";
      let input = {};
      if (needsNote || needsScore) {
        input = await ask(item, action, { needsNote, needsScore });
        if (!input) return;
      }
      status.textContent = `正在${ACTION[action] || "上报"}：${item.title}…`;
      try {
        const data = action === "ESCALATE"
          ? (await ctx.gql(ESCALATE, { id: item.id, reason: input.note })).ledgerItemEscalate
          : (await ctx.gql(TRANSITION, { id: item.id, action, note: input.note || null, satisfaction: input.satisfaction || null })).ledgerItemTransition;
        if (data.__typename !== "LedgerItemSuccess") {
          status.textContent = `未能${ACTION[action] || "上报"}：${data.message}`;
          status.classList.add("error");
          return;
        }
        status.classList.remove("error");
        rows = rows.map((r) => (r.id === item.id ? data.item : r));
        draw();
        status.textContent = `已${ACTION[action] || "上报上级"}：${item.title}（现为“${STATUS[data.item.status]}”）`;
        const again = list.querySelector(`[data-item="${CSS.escape(item.id)}"]`);
        (again || list.querySelector("caption") || list).focus?.();
      } catch (err) {
        status.textContent = `操作失败：${messageOf(err)}`;
        status.classList.add("error");
      }
    }

    function ask(item, action, { needsNote, needsScore }) {
      const label = action === "ESCALATE" ? "上报理由" : action === "REOPEN" ? "退回原因" : "办结说明";
      const note = h("textarea", { id: "step-note", rows: 3, required: true });
      const score = h("select", { id: "step-score", required: true },
        h("option", { value: "" }, "请选择"),
        [5, 4, 3, 2, 1].map((n) => h("option", { value: String(n) }, `${n} 分`)));
      return new Promise((resolve) => {
        const finish = (value) => { dialog.close(); resolve(value); };
        const form = h("form", { method: "dialog", onsubmit: (e) => {
          e.preventDefault();
          if (needsNote && !note.value.trim()) { note.focus(); return; }
          if (needsScore && !score.value) { score.focus(); return; }
          finish({ note: needsNote ? note.value.trim() : null, satisfaction: needsScore ? Number(score.value) : null });
        } },
          h("h2", { id: "step-title" }, `${ACTION[action] || "上报上级"}：${item.title}`),
          needsNote ? h("div", { class: "field" }, h("label", { for: "step-note" }, label), note) : null,
          needsScore ? h("div", { class: "field" }, h("label", { for: "step-score" }, "群众满意度（1–5 分）"), score) : null,
          h("div", { class: "dialog-buttons" },
            h("button", { type: "submit", class: "button primary" }, "确定"),
            h("button", { type: "button", class: "button", onclick: () => finish(null) }, "取消")));
        dialog.replaceChildren(form);
        dialog.addEventListener("cancel", () => resolve(null), { once: true });
        dialog.showModal();
        (needsNote ? note : score).focus();
      });
    }

    load(false);
    return () => { if (dialog.open) dialog.close(); };
  },
};
