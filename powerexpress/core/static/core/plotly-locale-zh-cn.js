// Simplified Chinese for plotly's own texts (tool bar, hints, dates), shared by the grid and command
// charts. The plotly Python package ships no locale files, so the locale is registered here (no CDN).
(function () {
  function register() {
    if (!window.Plotly) return;
    window.Plotly.register({
      moduleType: "locale",
      name: "zh-CN",
      dictionary: {
        "Autoscale": "自动缩放",
        "Box Select": "框选",
        "Lasso Select": "套索选择",
        "Compare data on hover": "悬停时比较数据",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Double-click to zoom back out": "双击恢复",
        "Double-click on legend to isolate one trace": "双击图例只显示这一条",
        "Download plot as a png": "下载为 PNG 图片",
        "Download plot": "下载图表",
        "Pan": "平移",
        "Produced with Plotly.js": "由 Plotly.js 绘制",
        "Reset": "重置",
        "Reset axes": "重置坐标轴",
        "Reset view": "重置视图",
        "Reset views": "重置视图",
        "Snapshot succeeded": "图片已生成",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
        "Toggle Spike Lines": "显示/隐藏辅助线",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "trace": "序列"
      },
      format: {
        days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        months: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
        shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
        date: "%Y-%m-%d",
        decimal: ".",
        thousands: ","
      }
    });
  }
  if (window.Plotly) register(); else document.addEventListener("DOMContentLoaded", register);
})();
