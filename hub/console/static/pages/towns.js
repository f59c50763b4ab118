// 各镇概况 (placeholder until the page is written).
import { showEmpty } from "../ui.js";

export default {
  id: "towns",
  title: "各镇概况",
  async render(root) {
    showEmpty(root, "此页面正在建设中，请先使用左侧的其他页面。");
  },
};
