// The console's shell: sign-in screen, top bar (unit, role, sign-out), side navigation and the
// hash router (#/profile, #/towns, #/ledger, #/ranking, #/findings, #/sync). Each page is a
// module pages/<id>.js exporting { id, title, async render(root, ctx) } (see the contract).

import {
  clearSession, getToken, gql, setSession, setUnauthorizedHandler, subscribe,
} from "./api.js";
import { disposeAll } from "./charts.js";
import { clear, h, messageOf, showError, showLoading } from "./ui.js";

export const PAGES = [
  { id: "profile", title: "企业画像" },
  { id: "towns", title: "各镇概况" },
  { id: "ledger", title: "台账" },
  { id: "ranking", title: "年度考核排名" },
  { id: "findings", title: "督办事项" },
  { id: "sync", title: "数据同步" },
];

export const ROLE_LABELS = {
  competent_department: "主管部门",
  inspection_office: "督查室",
  town: "镇（街道）",
  community: "社区",
  department: "行业部门",
  party_publicity: "组织宣传部门",
  utility: "公用事业单位",
  public: "公众",
};

const SCOPE_LABELS = { banner: "全旗", town: "本镇", community: "本社区", unit: "本单位" };

const VIEWER_QUERY = `{ viewer { authenticated role unitCode unitName scope townCode communityCode permissions } }`;

const app = document.getElementById("app");
let viewer = null;
let cleanup = null;
let renderSeq = 0;

setUnauthorizedHandler(() => {
  clearSession();
  viewer = null;
  showSignIn("登录已失效或凭证无效，请重新登录。");
});

// Sign-in ----------------------------------------------------------------------------------

async function showSignIn(notice = null) {
  runCleanup();
  document.title = "登录 · 物业服务监管工作台";
  const status = h("div", { class: "signin-status", role: "status", "aria-live": "polite" });
  const devArea = h("div", { class: "signin-dev" });
  const tokenInput = h("input", { id: "token-input", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const tokenForm = h("form", { class: "signin-token", onsubmit: (e) => { e.preventDefault(); signInWithToken(tokenInput.value.trim(), null, status); } },
    h("label", { for: "token-input" }, "工作人员令牌"),
    h("p", { class: "hint", id: "token-hint" }, "由旗统一身份认证平台签发，或由运维人员用 hub tokens issue 生成。"),
    tokenInput,
    h("button", { type: "submit", class: "button primary" }, "使用令牌登录"));
  tokenInput.setAttribute("aria-describedby", "token-hint");
  clear(app, h("main", { class: "signin", id: "main" },
    h("div", { class: "signin-card" },
      h("h1", {}, "物业服务监管 · 联席会议工作台"),
      h("p", { class: "subtitle" }, "伊金霍洛旗住宅小区物业服务监管数据枢纽"),
      notice ? h("p", { class: "notice", role: "alert" }, notice) : null,
      status, devArea, tokenForm)));
  try {
    const response = await fetch("/console/dev/units");
    if (!response.ok) return; // production: only the token form
    const { units } = await response.json();
    renderDevUnits(devArea, units, status);
  } catch {
    // no development sign-in: the token form stays
  }
}

function renderDevUnits(root, units, status) {
  const demo = units.filter((u) => u.demo);
  const select = h("select", { id: "unit-select" });
  const groups = new Map();
  for (const unit of units) {
    if (!groups.has(unit.role)) groups.set(unit.role, h("optgroup", { label: ROLE_LABELS[unit.role] || unit.role }));
    groups.get(unit.role).append(h("option", { value: unit.code }, `${unit.name}（${unit.code}）`));
  }
  select.append(...groups.values());
  const byCode = new Map(units.map((u) => [u.code, u]));
  clear(root, 
    h("h2", { id: "dev-units-title" }, "开发环境：选择单位登录"),
    h("p", { class: "hint" }, "仅在开发环境提供。选择一个成员单位，即以该单位工作人员的身份登录（令牌 2 小时内有效）。"),
    h("ul", { class: "unit-list", "aria-labelledby": "dev-units-title" }, demo.map((unit) =>
      h("li", {}, h("button", {
        type: "button", class: "unit-button", "data-unit": unit.code,
        onclick: () => signInAsUnit(unit, status),
      }, h("span", { class: "unit-role" }, ROLE_LABELS[unit.role] || unit.role),
        h("span", { class: "unit-name" }, unit.name),
        h("span", { class: "unit-code" }, unit.code))))),
    h("form", { class: "unit-other", onsubmit: (e) => { e.preventDefault(); signInAsUnit(byCode.get(select.value), status); } },
      h("label", { for: "unit-select" }, "其他成员单位"),
      select,
      h("button", { type: "submit", class: "button" }, "以所选单位登录")),
    h("h2", { class: "or" }, "或使用令牌登录"));
}

async function signInAsUnit(unit, status) {
  status.textContent = `正在以 ${unit.name} 的身份登录…`;
  try {
    const response = await fetch("/console/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ unit: unit.code }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { token } = await response.json();
    await signInWithToken(token, { code: unit.code, name: unit.name }, status);
  } catch (err) {
    status.textContent = `登录失败：${err.message}`;
  }
}

async function signInWithToken(token, unit, status) {
  if (!token) {
    status.textContent = "请填写令牌。";
    return;
  }
  setSession(token, unit);
  try {
    const data = await gql(VIEWER_QUERY);
    if (!data.viewer.authenticated) throw new Error("该令牌未对应任何成员单位");
    viewer = data.viewer;
    if (!location.hash || location.hash === "#" || location.hash === "#/") location.hash = "#/profile";
    renderShell();
    route();
  } catch (err) {
    clearSession();
    status.textContent = `登录失败：${messageOf(err)}`;
  }
}

function signOut() {
  clearSession();
  viewer = null;
  history.replaceState(null, "", location.pathname);
  showSignIn("您已退出登录。");
}

// Shell ------------------------------------------------------------------------------------

function renderShell() {
  const unitText = viewer.unitName || viewer.unitCode;
  const where = [SCOPE_LABELS[viewer.scope] || viewer.scope, viewer.communityCode || viewer.townCode].filter(Boolean).join(" ");
  clear(app, 
    h("a", { class: "skip-link", href: "#main", onclick: (e) => { e.preventDefault(); document.getElementById("main").focus(); } }, "跳到主要内容"),
    h("header", { class: "topbar" },
      h("div", { class: "brand" }, "物业服务监管 · 联席会议工作台"),
      h("div", { class: "viewer", "aria-label": "当前登录" },
        h("span", { class: "viewer-unit", "data-testid": "viewer-unit" }, unitText),
        h("span", { class: "viewer-role" }, ROLE_LABELS[viewer.role] || viewer.role),
        h("span", { class: "viewer-scope" }, where),
        h("button", { type: "button", class: "button subtle", id: "sign-out", onclick: signOut }, "退出登录"))),
    h("div", { class: "layout" },
      h("nav", { class: "sidenav", "aria-label": "主导航" },
        h("ul", {}, PAGES.map((p) => h("li", {}, h("a", { href: `#/${p.id}`, "data-page": p.id }, p.title))))),
      h("main", { id: "main", tabindex: "-1" },
        h("h1", { id: "page-title" }, ""),
        h("div", { id: "page" }))));
}

function runCleanup() {
  if (typeof cleanup === "function") {
    try {
      cleanup();
    } catch (err) {
      console.error(err);
    }
  }
  cleanup = null;
  disposeAll();
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const id = PAGES.some((p) => p.id === path) ? path : "profile";
  return { id, params: new URLSearchParams(query) };
}

async function route({ focus = false } = {}) {
  if (!viewer) return;
  runCleanup();
  const seq = ++renderSeq;
  const { id, params } = parseHash();
  const meta = PAGES.find((p) => p.id === id);
  for (const link of document.querySelectorAll(".sidenav a")) {
    if (link.dataset.page === id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const title = document.getElementById("page-title");
  const root = document.getElementById("page");
  title.textContent = meta.title;
  document.title = `${meta.title} · 物业服务监管工作台`;
  showLoading(root);
  const ctx = {
    viewer, params, gql, subscribe,
    can: (permission) => viewer.permissions.includes(permission),
  };
  try {
    const page = (await import(`./pages/${id}.js`)).default;
    if (seq !== renderSeq) return;
    clear(root);
    const result = await page.render(root, ctx);
    if (seq !== renderSeq) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = result;
  } catch (err) {
    if (seq !== renderSeq || !viewer) return;
    showError(root, err, () => route());
  }
  if (focus) {
    window.scrollTo(0, 0);
    document.getElementById("main").focus({ preventScroll: true });
  }
}

window.addEventListener("hashchange", () => route({ focus: true }));

// Start: a token of this browser tab's session, or the sign-in screen.
(async function start() {
  if (!getToken()) return showSignIn();
  try {
    const data = await gql(VIEWER_QUERY);
    if (!data.viewer.authenticated) return showSignIn();
    viewer = data.viewer;
    renderShell();
    route();
  } catch (err) {
    // A refused token has already brought the sign-in screen back (the 401 handler).
    if (!viewer && err.code !== "UNAUTHENTICATED") showSignIn(`无法连接数据枢纽：${messageOf(err)}`);
  }
})();
