// 年度考核排名: the annual ranking of a year (`ranking(year)`) — positions, scores, rewards and
// bans of a published ranking, the unranked enterprises with their reasons; before publication a
// draft that only the competent department (住建局, `write:enterprises`) sees and may publish
// with `rankingPublish` after a confirmation step.

import {
  clear, fmtDate, fmtNumber, h, panel, provenanceLine, showEmpty, showError, showLoading, table,
  useStylesheet,
} from "../ui.js";

const SANCTION = `kind year startsOn endsOn amountYuan inForce`;

const RANKING_QUERY = `query Ranking($year: Int!) {
  ranking(year: $year) {
    year published publishedOn
    entries {
      rank score semiAnnualAverage deductions inspections creditScore unrankedReason
      sanctions { ${SANCTION} }
      enterprise { id uscc name }
    }
  }
}`;

const PUBLISH_MUTATION = `mutation RankingPublish($year: Int!) {
  rankingPublish(year: $year) {
    __typename
    ... on RankingPublishSuccess { ranking { year published publishedOn } }
    ... on NotPermitted { message }
    ... on ValidationFailed { message field }
  }
}`;

const YEARS_BACK = 6;

export default {
  id: "ranking",
  title: "年度考核排名",
  async render(root, ctx) {
    useStylesheet(new URL("./ranking.css", import.meta.url).href);
    const thisYear = new Date().getFullYear();
    const asked = Number.parseInt(ctx.params.get("year") || "", 10);
    const year = Number.isFinite(asked) ? asked : thisYear - 1;
    const mayPublish = ctx.can("write:enterprises");
    const head = toolbar(year, thisYear);
    const outcome = h("div", { class: "ranking-outcome", role: "status", "aria-live": "polite" });
    const body = h("div", { class: "ranking-body" });
    root.append(head, outcome, body);

    const load = async () => {
      showLoading(body, `正在加载 ${year} 年度考核排名…`);
      let ranking;
      try {
        ranking = (await ctx.gql(RANKING_QUERY, { year })).ranking;
      } catch (err) {
        showError(body, err, load);
        return;
      }
      clear(body);
      renderRanking(body, { ranking, year, thisYear, mayPublish, publish });
    };

    const publish = async (button) => {
      button.disabled = true;
      clear(outcome).append(h("p", { class: "hint" }, `正在发布 ${year} 年度考核排名…`));
      let result;
      try {
        result = (await ctx.gql(PUBLISH_MUTATION, { year })).rankingPublish;
      } catch (err) {
        button.disabled = false;
        clear(outcome).append(notice("bad", `发布失败：${err.message}（错误代码 ${err.code}${err.requestId ? `，请求编号 ${err.requestId}` : ""}）`));
        return;
      }
      if (result.__typename === "RankingPublishSuccess") {
        const done = notice("good", `${year} 年度考核排名已发布（发布日期 ${fmtDate(result.ranking.publishedOn)}），奖惩已生效。`);
        clear(outcome).append(done);
        await load();
        done.focus(); // the button is gone with the draft: keep the keyboard user's place
      } else {
        button.disabled = false;
        const why = result.__typename === "NotPermitted" ? "无权发布" : "发布被拒绝";
        clear(outcome).append(notice("bad", `${why}：${result.message}`));
      }
    };

    await load();
    return undefined;
  },
};

function notice(tone, text) {
  return h("p", { class: ["ranking-notice", `ranking-notice-${tone}`], role: tone === "bad" ? "alert" : null, tabindex: "-1" }, text);
}

function toolbar(year, thisYear) {
  const years = [];
  for (let y = thisYear; y > thisYear - YEARS_BACK; y -= 1) years.push(y);
  if (!years.includes(year)) years.push(year);
  const select = h("select", { id: "ranking-year" },
    years.map((y) => h("option", { value: String(y), selected: y === year }, `${y} 年度${y === thisYear ? "（进行中）" : ""}`)));
  const go = (e) => {
    e.preventDefault();
    location.hash = `#/ranking?year=${select.value}`;
  };
  return h("form", { class: "toolbar", onsubmit: go },
    h("div", { class: "field" }, h("label", { for: "ranking-year" }, "考核年度"), select),
    h("button", { type: "submit", class: "button primary" }, "查看"));
}

function renderRanking(root, { ranking, year, thisYear, mayPublish, publish }) {
  if (!ranking) {
    showEmpty(root, year >= thisYear
      ? `${year} 年度尚未结束，考核排名在年度结束后由旗住建局发布，届时可在此查看。`
      : `${year} 年度考核排名尚未发布。排名由旗住建局审核后发布，发布后即可在此查看；如有疑问请联系旗住建局。`);
    return;
  }
  const ranked = ranking.entries.filter((e) => e.rank !== null);
  const unranked = ranking.entries.filter((e) => e.rank === null);
  root.append(statusPanel(ranking, { ranked, unranked, thisYear, mayPublish, publish }));
  if (ranking.entries.length === 0) {
    const box = h("div", {});
    showEmpty(box, `${year} 年度还没有任何考核记录。请先录入日常巡查和半年考核（assessmentRecord），再查看排名。`);
    root.append(box);
    return;
  }
  root.append(panel(`${year} 年度排名（${ranked.length} 家企业）`,
    ranking.published ? null : h("p", { class: "hint" }, "草稿：按目前已录入的考核计算，奖惩在发布时确定。"),
    rankedTable(ranked, ranking.published),
    provenanceLine(null, "排名由数据枢纽按考核记录与信用分计算")));
  root.append(panel(`未参与排名的企业（${unranked.length} 家）`,
    table([
      { key: "enterprise", label: "企业", render: enterpriseCell },
      { key: "unrankedReason", label: "未排名原因" },
      { key: "inspections", label: "日常巡查次数", class: "num", render: (e) => fmtNumber(e.inspections) },
    ], unranked, { caption: "未排名企业及原因", empty: "所有企业均参与了排名。" })));
}

function statusPanel(ranking, { ranked, unranked, thisYear, mayPublish, publish }) {
  const sanctions = ranking.entries.flatMap((e) => e.sanctions);
  const count = (kind) => sanctions.filter((s) => s.kind === kind).length;
  const state = ranking.published
    ? h("span", { class: "badge badge-good", "data-testid": "ranking-state" }, "已发布")
    : h("span", { class: "badge badge-warn", "data-testid": "ranking-state" }, "草稿（未发布）");
  const items = [
    ["状态", h("span", {}, state, ranking.published ? ` 发布日期 ${fmtDate(ranking.publishedOn)}` : " 仅主管部门可见")],
    ["参与排名", `${fmtNumber(ranked.length)} 家`],
    ["未排名", `${fmtNumber(unranked.length)} 家`],
  ];
  if (ranking.published) {
    items.push(["奖励", `${count("REWARD")} 家`]);
    items.push(["一年内不得承接新项目", `${count("BANNED_NEW_PROJECTS")} 家`]);
    items.push(["清出本旗市场", `${count("MARKET_EXIT")} 家`]);
  }
  return panel(`${ranking.year} 年度考核排名`,
    h("dl", { class: "kv ranking-status" }, items.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    !ranking.published && mayPublish ? publishControl(ranking.year, thisYear, publish) : null);
}

/** The 发布 button and its confirmation step (nothing is sent before 确认发布). */
function publishControl(year, thisYear, publish) {
  const area = h("div", { class: "ranking-publish" });
  const start = h("button", { type: "button", class: "button primary", id: "ranking-publish" }, `发布 ${year} 年度排名`);
  const idle = () => {
    clear(area).append(start, h("p", { class: "hint" }, year >= thisYear
      ? "年度尚未结束；提前发布会被数据枢纽拒绝。"
      : "发布后排名即为最终结果，前列企业获得奖励，末位企业一年内不得承接新项目（连续两年末位清出本旗市场）。"));
  };
  start.addEventListener("click", () => {
    const confirm = h("button", { type: "button", class: "button danger", id: "ranking-publish-confirm" }, "确认发布");
    const cancel = h("button", { type: "button", class: "button", onclick: () => { idle(); start.focus(); } }, "取消");
    confirm.addEventListener("click", () => publish(confirm));
    clear(area).append(h("div", { class: "ranking-confirm", role: "group", "aria-labelledby": "ranking-confirm-text" },
      h("p", { id: "ranking-confirm-text" }, `确认发布 ${year} 年度考核排名？发布后不可撤销，奖惩立即生效。`),
      confirm, cancel));
    confirm.focus();
  });
  idle();
  return area;
}

function enterpriseCell(entry) {
  const e = entry.enterprise;
  if (!e) return "—";
  return h("span", { class: "ranking-enterprise" },
    h("a", { href: `#/profile?uscc=${encodeURIComponent(e.uscc)}` }, e.name),
    h("span", { class: "ranking-uscc" }, e.uscc));
}

function rankedTable(entries, published) {
  const columns = [
    { key: "rank", label: "名次", class: "num" },
    { key: "enterprise", label: "企业", render: enterpriseCell },
    { key: "score", label: "年度得分", class: "num", render: (e) => fmtNumber(e.score, 2) },
    { key: "semiAnnualAverage", label: "半年考核均分", class: "num", render: (e) => fmtNumber(e.semiAnnualAverage, 2) },
    { key: "deductions", label: "巡查扣分（次数）", class: "num", render: (e) => `${fmtNumber(e.deductions, 1)}（${e.inspections}）` },
    { key: "creditScore", label: "信用分", class: "num", render: (e) => fmtNumber(e.creditScore, 1) },
  ];
  if (published) columns.push({ key: "sanctions", label: "奖惩", render: sanctionsCell });
  return table(columns, entries, { caption: published ? "排名、得分与奖惩" : "排名与得分（草稿）", empty: "没有参与排名的企业。" });
}

function sanctionsCell(entry) {
  if (!entry.sanctions.length) return "—";
  return h("span", { class: "ranking-sanctions" }, entry.sanctions.map(sanctionBadge));
}

function sanctionBadge(s) {
  const ended = s.inForce ? "" : "（已期满）";
  if (s.kind === "REWARD") {
    return h("span", { class: "badge badge-good", "data-sanction": s.kind },
      `奖励${s.amountYuan ? ` ${fmtNumber(s.amountYuan)} 元` : ""}`);
  }
  if (s.kind === "BANNED_NEW_PROJECTS") {
    return h("span", { class: "badge badge-bad", "data-sanction": s.kind, title: `${fmtDate(s.startsOn)} 起，至 ${fmtDate(s.endsOn)} 止` },
      `一年内不得承接新项目（至 ${fmtDate(s.endsOn)}）${ended}`);
  }
  if (s.kind === "MARKET_EXIT") {
    return h("span", { class: "badge badge-bad ranking-exit", "data-sanction": s.kind }, `清出本旗市场（${fmtDate(s.startsOn)} 起）${ended}`);
  }
  return h("span", { class: "badge" }, s.kind);
}
