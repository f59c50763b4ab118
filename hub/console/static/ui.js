// Small DOM helpers shared by the shell and the pages: element builder, loading / error /
// empty states, the provenance line of synced data, formatting, accessible tables.

/** h("button", {class: "primary", onclick: fn, "aria-label": "…"}, "text", child, …) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (name === "text") el.textContent = value;
    else if (name === "html") throw new Error("h(): no raw HTML");
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "value" || name === "checked" || name === "selected") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Empty ``root``, then append ``children`` (null, false and undefined are skipped). */
export function clear(root, ...children) {
  root.replaceChildren();
  append(root, children);
  return root;
}

export function showLoading(root, text = "正在加载…") {
  clear(root).append(h("div", { class: "state state-loading", role: "status", "aria-live": "polite" },
    h("span", { class: "spinner", "aria-hidden": "true" }), text));
}

export function showError(root, err, retry) {
  const code = err && err.code ? err.code : "ERROR";
  const box = h("div", { class: "state state-error", role: "alert" },
    h("p", { class: "state-title" }, "加载失败：", messageOf(err)),
    h("p", { class: "state-detail" }, `错误代码 ${code}`,
      err && err.requestId ? ` · 请求编号 ${err.requestId}（联系运维时请提供）` : ""),
    retry ? h("button", { type: "button", class: "button", onclick: () => retry() }, "重试") : null);
  clear(root).append(box);
  return box;
}

const CODE_TEXT = {
  FORBIDDEN: "您所在单位的角色无权查看此内容",
  UNAUTHENTICATED: "登录已失效，请重新登录",
  NOT_FOUND: "未找到该记录，或不在您的管辖范围内",
  NETWORK: "无法连接数据枢纽，请检查网络后重试",
};

export function messageOf(err) {
  if (!err) return "未知错误";
  return CODE_TEXT[err.code] ? `${CODE_TEXT[err.code]}（${err.message}）` : err.message || String(err);
}

export function showEmpty(root, text) {
  clear(root).append(h("div", { class: "state state-empty" }, text));
}

/** "来自鄂尔多斯物业管理服务平台 · 同步于 2026-11-20 08:00", 数据已过期 when stale; 本地记录. */
export function provenanceLine(provenance, label) {
  if (!provenance || provenance.isLocal || provenance.source === "local" || !provenance.syncedAt) {
    return h("p", { class: "provenance" }, label ? `${label} · ` : "", "本地记录");
  }
  const source = provenance.sourceLabel || provenance.source || "外部平台";
  return h("p", { class: ["provenance", provenance.stale && "stale"] },
    label ? `${label} · ` : "",
    `来自${source} · 同步于 ${fmtDateTime(provenance.syncedAt)}`,
    provenance.stale ? h("span", { class: "badge badge-warn", title: "超过允许的同步间隔，数据可能不是最新" }, "数据已过期") : null);
}

const pad = (n) => String(n).padStart(2, "0");

export function fmtDate(iso) {
  if (!iso) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function fmtDateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${fmtDate(iso)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fmtPercent(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return "—";
  return `${(Number(x) * 100).toFixed(digits)}%`;
}

export function fmtNumber(x, digits = null) {
  if (x === null || x === undefined || x === "" || Number.isNaN(Number(x))) return "—";
  const n = Number(x);
  return digits === null ? n.toLocaleString("zh-CN") : n.toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** columns: [{key, label, render?(row), class?}]; an accessible table with a caption. */
export function table(columns, rows, { caption = null, empty = "暂无数据" } = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label))));
  const body = h("tbody", {});
  if (!rows || rows.length === 0) {
    body.append(h("tr", {}, h("td", { colspan: columns.length, class: "empty-cell" }, empty)));
  } else {
    for (const row of rows) {
      body.append(h("tr", {}, columns.map((c) => {
        const value = c.render ? c.render(row) : row[c.key];
        return h("td", { class: c.class }, value === null || value === undefined || value === "" ? "—" : value);
      })));
    }
  }
  return h("div", { class: "table-wrap" },
    h("table", { class: "data" }, caption ? h("caption", {}, caption) : null, head, body));
}

/** A labelled panel (section with heading) for pages. */
export function panel(title, ...children) {
  const id = `panel-${Math.random().toString(36).slice(2, 9)}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** Links a page's own stylesheet once (pages/<id>.css). */
export function useStylesheet(href) {
  if (document.querySelector(`link[data-page-css="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href, "data-page-css": href }));
}

const RULE_NAMES = {
  "ranking.banned_award": "被禁止承接新项目的企业中标",
  "ranking.exited_still_serving": "已清出市场的企业仍在服务小区",
  "committees.unqualified_without_election": "业委会考核不合格未重新选举",
};

/** The Chinese name of a finding's rule: the one in the title's parentheses ("An owners'
 * committee … (业委会任期届满未换届)"), else a known rule's, else the title as it is. */
export function ruleTitle(title, rule = null) {
  const match = /[（(]([^（）()]*[\u4e00-\u9fff][^（）()]*)[)）]\s*$/.exec(title || "");
  if (match) return match[1];
  return (rule && RULE_NAMES[rule]) || title;
}
