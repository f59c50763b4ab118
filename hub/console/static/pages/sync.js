// 数据同步: every upstream source with its streams and health (`syncSources`), the recent runs
// (`syncRuns`), the quarantine (`quarantine`) and the open reconciliation queue
// (`reconciliation`); a 立即同步 button (`syncTrigger`) for roles with `operate:sync`. While a
// sync runs the page refreshes itself every few seconds.

import {
  clear, fmtDateTime, fmtNumber, h, panel, showEmpty, showError, showLoading, table,
  useStylesheet,
} from "../ui.js";

const RUN = `id source status full trigger startedAt finishedAt durationSeconds fetched inserted
  updated unchanged quarantined deleted reconciliation retries rateLimited error`;

const SYNC_QUERY = `query SyncPage($runs: Int!, $queue: Int!) {
  syncSources {
    name kind label enabled schedule maxAgeHours lastSuccessAt lagSeconds stale running
    breaker { state consecutiveFailures openedAt retryAt }
    streams { name watermark lastSuccessAt lastError records inProgress }
    lastRun { id status error finishedAt }
  }
  syncRuns(first: $runs) { totalCount nodes { ${RUN} } }
  quarantine(first: $queue) { totalCount nodes { id source stream sourceId reason createdAt } }
  reconciliation(status: OPEN, first: $queue) {
    totalCount nodes { id source stream entity sourceId townCode compoundName createdAt }
  }
}`;

const TRIGGER_MUTATION = `mutation SyncTrigger($source: String!, $full: Boolean!) {
  syncTrigger(source: $source, full: $full) {
    __typename
    ... on SyncTriggerAccepted { source full }
    ... on SyncAlreadyRunning { source message }
    ... on NotPermitted { message }
    ... on ValidationFailed { message field }
  }
}`;

const REFRESH_MS = 4000;

const RUN_STATUS = {
  RUNNING: ["进行中", "badge-warn"],
  SUCCEEDED: ["成功", "badge-good"],
  PARTIAL: ["部分完成", "badge-warn"],
  FAILED: ["失败", "badge-bad"],
};

const BREAKER = {
  closed: ["正常", "badge-good"],
  open: ["已熔断", "badge-bad"],
  half_open: ["试探恢复中", "badge-warn"],
};

export default {
  id: "sync",
  title: "数据同步",
  async render(root, ctx) {
    useStylesheet(new URL("./sync.css", import.meta.url).href);
    if (!ctx.can("read:sync")) {
      showEmpty(root, "您所在单位的角色无权查看数据同步状态。同步由旗住建局负责运维，如发现数据未及时更新，请联系旗住建局。");
      return undefined;
    }
    const mayOperate = ctx.can("operate:sync");
    const outcome = h("div", { class: "sync-outcome", role: "status", "aria-live": "polite" });
    const refreshed = h("span", { class: "hint sync-refreshed" });
    const body = h("div", { class: "sync-page" });
    let timer = null;
    let alive = true;

    const load = async ({ quiet = false } = {}) => {
      if (!quiet) showLoading(body, "正在加载同步状态…");
      let data;
      try {
        data = await ctx.gql(SYNC_QUERY, { runs: 20, queue: 20 });
      } catch (err) {
        if (!quiet || !body.childElementCount) showError(body, err, () => load());
        return;
      }
      if (!alive) return;
      clear(body);
      renderAll(body, data, { mayOperate, trigger });
      refreshed.textContent = `更新于 ${fmtDateTime(new Date().toISOString())}`;
      clearTimeout(timer);
      if (data.syncSources.some((s) => s.running)) timer = setTimeout(() => load({ quiet: true }), REFRESH_MS);
    };

    const trigger = async (source, label, button) => {
      button.disabled = true;
      clear(outcome).append(h("p", { class: "hint" }, `正在请求同步 ${label}…`));
      try {
        const result = (await ctx.gql(TRIGGER_MUTATION, { source, full: false })).syncTrigger;
        const text = {
          SyncTriggerAccepted: () => [`已开始同步 ${label}，页面会自动刷新显示结果。`, "good"],
          SyncAlreadyRunning: () => [`${label} 正在同步中，请稍候：${result.message}`, "warn"],
          NotPermitted: () => [`无权发起同步：${result.message}`, "bad"],
          ValidationFailed: () => [`同步请求被拒绝：${result.message}`, "bad"],
        }[result.__typename]();
        clear(outcome).append(h("p", { class: ["sync-notice", `sync-notice-${text[1]}`], tabindex: "-1" }, text[0]));
      } catch (err) {
        clear(outcome).append(h("p", { class: "sync-notice sync-notice-bad", role: "alert", tabindex: "-1" },
          `同步请求失败：${err.message}（错误代码 ${err.code}）`));
      }
      await load({ quiet: true });
      // The table was redrawn without the pressed button: keep the keyboard user's place.
      const shown = outcome.querySelector(".sync-notice");
      if (shown) shown.focus();
    };

    root.append(h("div", { class: "toolbar sync-toolbar" },
      h("button", { type: "button", class: "button", id: "sync-refresh", onclick: () => load({ quiet: true }) }, "刷新"),
      refreshed), outcome, body);
    await load();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  },
};

function renderAll(root, data, { mayOperate, trigger }) {
  const sources = data.syncSources;
  if (sources.length === 0) {
    const box = h("div", {});
    showEmpty(box, "没有配置任何数据源。请在数据枢纽的配置（HUB_SOURCES）中添加鄂尔多斯物业管理服务平台、招投标平台和公用事业单位的接口。");
    root.append(box);
  } else {
    root.append(panel(`数据源（${sources.length} 个）`,
      sourcesTable(sources, { mayOperate, trigger }),
      mayOperate ? null : h("p", { class: "hint" }, "立即同步仅限旗住建局操作。")));
    root.append(panel("各数据流状态", streamsTable(sources)));
  }
  root.append(panel(`最近同步记录（共 ${fmtNumber(data.syncRuns.totalCount)} 次，显示最近 ${data.syncRuns.nodes.length} 次）`, runsTable(data.syncRuns.nodes)));
  root.append(h("div", { class: "panel-grid" },
    panel(`隔离区（${fmtNumber(data.quarantine.totalCount)} 条）`,
      h("p", { class: "hint" }, "上游记录未通过校验时放入隔离区，原始内容保留在数据枢纽中，请通知数据源单位更正后重新同步。"),
      quarantineTable(data.quarantine.nodes)),
    panel(`待对账（${fmtNumber(data.reconciliation.totalCount)} 条）`,
      h("p", { class: "hint" }, "上游记录中的小区在数据枢纽中找不到对应小区。由旗住建局通过 reconciliationResolve 关联已有小区或新建小区后，记录即被写入。"),
      reconciliationTable(data.reconciliation.nodes))));
}

function badge([text, cls]) {
  return h("span", { class: ["badge", cls] }, text);
}

function sourceState(s) {
  if (s.running) return badge(["同步中", "badge-warn"]);
  if (!s.enabled) return badge(["已停用", ""]);
  if (!s.lastSuccessAt) return badge(["从未成功同步", "badge-bad"]);
  if (s.stale) return badge(["数据已过期", "badge-warn"]);
  return badge(["正常", "badge-good"]);
}

function fmtLag(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return "不到 1 分钟";
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} 小时 ${minutes % 60} 分`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

function sourceName(s) {
  return h("span", { class: "sync-source" }, h("span", {}, s.label), h("code", {}, s.name));
}

function sourcesTable(sources, { mayOperate, trigger }) {
  const columns = [
    { key: "name", label: "数据源", render: sourceName },
    { key: "state", label: "状态", render: sourceState },
    { key: "lastSuccessAt", label: "上次成功", render: (s) => fmtDateTime(s.lastSuccessAt) },
    { key: "lag", label: "延迟", render: (s) => h("span", { class: "sync-source" }, fmtLag(s.lagSeconds), h("span", { class: "sync-small" }, `上限 ${fmtNumber(s.maxAgeHours)} 小时`)) },
    { key: "breaker", label: "熔断器", render: breakerCell },
    { key: "records", label: "记录数", class: "num", render: (s) => fmtNumber(s.streams.reduce((n, st) => n + st.records, 0)) },
    { key: "lastRun", label: "最近一次运行", render: lastRunCell },
    { key: "schedule", label: "计划（UTC）", render: (s) => h("code", {}, s.schedule) },
  ];
  if (mayOperate) {
    columns.push({
      key: "action", label: "操作",
      render: (s) => {
        const button = h("button", {
          type: "button", class: "button sync-trigger", "data-source": s.name, disabled: s.running,
          "aria-label": `立即同步${s.label}（${s.name}）`,
        }, s.running ? "同步中…" : "立即同步");
        button.addEventListener("click", () => trigger(s.name, s.label, button));
        return button;
      },
    });
  }
  return table(columns, sources, { caption: "各数据源的同步状态" });
}

function breakerCell(s) {
  const b = s.breaker;
  const state = BREAKER[b.state] || [b.state, ""];
  return h("span", {}, badge(state),
    b.consecutiveFailures ? h("span", { class: "sync-small" }, ` 连续失败 ${b.consecutiveFailures} 次`) : null,
    b.state !== "closed" && b.retryAt ? h("span", { class: "sync-small" }, ` · ${fmtDateTime(b.retryAt)} 后重试`) : null);
}

function lastRunCell(s) {
  if (!s.lastRun) return "尚未运行";
  const run = s.lastRun;
  return h("span", { class: "sync-lastrun" }, badge(RUN_STATUS[run.status] || [run.status, ""]),
    run.finishedAt ? h("span", { class: "sync-small" }, ` ${fmtDateTime(run.finishedAt)}`) : null,
    run.error ? h("span", { class: "sync-error" }, run.error) : null);
}

function streamsTable(sources) {
  const rows = sources.flatMap((s) => s.streams.map((st) => ({ ...st, source: s })));
  return table([
    { key: "source", label: "数据源", render: (r) => r.source.name },
    { key: "name", label: "数据流" },
    { key: "records", label: "记录数", class: "num", render: (r) => fmtNumber(r.records) },
    { key: "lastSuccessAt", label: "上次成功", render: (r) => fmtDateTime(r.lastSuccessAt) },
    { key: "watermark", label: "同步水位", render: (r) => fmtDateTime(r.watermark) },
    { key: "inProgress", label: "进行中", render: (r) => (r.inProgress ? badge(["是", "badge-warn"]) : "否") },
    { key: "lastError", label: "最近错误", render: (r) => (r.lastError ? h("span", { class: "sync-error" }, r.lastError) : "—") },
  ], rows, { caption: "每个数据流的水位与错误", empty: "还没有任何数据流同步过。请对数据源点击“立即同步”，或等待计划同步。" });
}

function runsTable(runs) {
  const counts = (r) => h("span", { class: "sync-counts" },
    `获取 ${r.fetched} · 新增 ${r.inserted} · 更新 ${r.updated} · 未变 ${r.unchanged}`,
    r.quarantined ? ` · 隔离 ${r.quarantined}` : "", r.deleted ? ` · 删除 ${r.deleted}` : "",
    r.reconciliation ? ` · 待对账 ${r.reconciliation}` : "");
  return table([
    { key: "startedAt", label: "开始时间", render: (r) => fmtDateTime(r.startedAt) },
    { key: "source", label: "数据源" },
    { key: "status", label: "结果", render: (r) => badge(RUN_STATUS[r.status] || [r.status, ""]) },
    { key: "kind", label: "方式", render: (r) => `${r.full ? "全量" : "增量"} · ${triggerText(r.trigger)}` },
    { key: "duration", label: "耗时", class: "num", render: (r) => `${fmtNumber(r.durationSeconds, 1)} 秒` },
    { key: "counts", label: "记录", render: counts },
    { key: "retries", label: "重试 / 限流", class: "num", render: (r) => `${r.retries} / ${r.rateLimited}` },
    { key: "error", label: "错误", render: (r) => (r.error ? h("span", { class: "sync-error" }, r.error) : "—") },
  ], runs, { caption: "最近的同步运行", empty: "还没有同步记录。点击数据源的“立即同步”，或等待计划同步。" });
}

function triggerText(trigger) {
  if (trigger === "schedule") return "计划";
  if (trigger === "cli") return "命令行";
  if (trigger.startsWith("graphql")) return `手动（${trigger.split(":")[1] || "接口"}）`;
  return trigger;
}

function quarantineTable(rows) {
  return table([
    { key: "createdAt", label: "时间", render: (r) => fmtDateTime(r.createdAt) },
    { key: "source", label: "数据源", render: (r) => `${r.source} / ${r.stream}` },
    { key: "sourceId", label: "上游编号" },
    { key: "reason", label: "原因", render: (r) => h("span", { class: "sync-error" }, r.reason) },
  ], rows, { caption: "最近隔离的记录", empty: "隔离区为空：所有同步的记录都通过了校验。" });
}

function reconciliationTable(rows) {
  return table([
    { key: "createdAt", label: "时间", render: (r) => fmtDateTime(r.createdAt) },
    { key: "compoundName", label: "上游小区名称" },
    { key: "townCode", label: "镇编码" },
    { key: "entity", label: "记录类型", render: (r) => `${r.entity}（${r.source}）` },
    { key: "sourceId", label: "上游编号" },
  ], rows, { caption: "待处理的对账事项", empty: "没有待对账的记录。" });
}
