// Charts with Apache ECharts, vendored from the npm package `echarts` (never a CDN: the banner's
// networks have no internet). index.html loads ./vendor/echarts/echarts.min.js as a classic
// script, which defines the global `echarts`.

const BASE = {
  textStyle: { fontFamily: "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif" },
  color: ["#1f5fa8", "#d9822b", "#2e8b57", "#b23b3b", "#6b4fa3", "#4a90a4", "#8c6d1f"],
  animation: false,
  aria: { enabled: true },
};

const live = new Set();
window.addEventListener("resize", () => {
  for (const instance of live) if (!instance.isDisposed()) instance.resize();
});

/** Draw `option` into `container`; the instance resizes with the window. Dispose it in the
 * page's cleanup (or call disposeAll() on navigation, which the shell does). */
export function chart(container, option) {
  if (!window.echarts) throw new Error("ECharts is not loaded");
  const existing = window.echarts.getInstanceByDom(container);
  if (existing) existing.dispose();
  const instance = window.echarts.init(container, null, { renderer: "canvas", locale: "ZH" });
  instance.setOption({ ...BASE, ...option });
  live.add(instance);
  const dispose = instance.dispose.bind(instance);
  instance.dispose = () => {
    live.delete(instance);
    dispose();
  };
  return instance;
}

/** Disposes every chart still alive (the shell calls it when the page changes). */
export function disposeAll() {
  for (const instance of [...live]) if (!instance.isDisposed()) instance.dispose();
  live.clear();
}
