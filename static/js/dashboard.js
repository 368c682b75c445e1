/* The dashboard's charts (Apache ECharts, vendored). The page puts its figures in a json_script block
   (#dashboard-data); every element with data-chart="<name>" gets that chart. A bar, point or funnel stage
   that carries a URL in the data opens it: the next area down, or the records behind the figure.
   No inline script: the CSP allows scripts from this site only. */
(function () {
  "use strict";
  // The period form shows and sends only the inputs of the chosen kind (month, year, or a range of months);
  // without this script every input shows and is sent, and the server reads only the chosen kind's.
  var periodKind = document.getElementById("id_period");
  function showPeriodParts() {
    document.querySelectorAll("[data-period-part]").forEach(function (part) {
      var other = part.getAttribute("data-period-part") !== periodKind.value;
      part.hidden = other;
      part.querySelectorAll("input").forEach(function (input) { input.disabled = other; });
    });
  }
  if (periodKind) {
    periodKind.addEventListener("change", showPeriodParts);
    // Back/forward restores the select's value without a change event: show that value's inputs again.
    window.addEventListener("pageshow", showPeriodParts);
    showPeriodParts();
  }

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var dark = document.body.classList.contains("wall");
  var theme = dark ? "dark" : null;
  var text = dark ? "#e6ecf5" : "#333";
  var base = {
    backgroundColor: "transparent",
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", color: text },
    // Rendered in the canvas, not as HTML: the CSP forbids the inline styles an HTML tooltip would carry.
    tooltip: { renderMode: "richText", trigger: "axis" },
    // Room above the plot for the legend and, below it, the axes' unit names.
    grid: { left: 48, right: 48, top: 64, bottom: 40, containLabel: true }
  };

  function merge(target, extra) {
    Object.keys(extra).forEach(function (key) { target[key] = extra[key]; });
    return target;
  }

  function open(url) {
    if (!url) { return; }
    if (url.charAt(0) === "#") {
      var target = document.querySelector(url);
      if (target) { target.scrollIntoView(); }
      return;
    }
    window.location.href = url;
  }

  function navigateOn(chart, urls, byColumn) {
    if (!urls) { return; }
    if (!byColumn) {
      chart.on("click", function (params) { open(urls[params.dataIndex]); });
      return;
    }
    // A column chart: a click anywhere in a category's column opens it, not only on a bar (the bars of one
    // category stand side by side with gaps, and a thin bar is hard to hit).
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) { return; }
      var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      open(urls[index]);
    });
    chart.getZr().on("mousemove", function (event) {
      var inside = chart.containPixel("grid", [event.offsetX, event.offsetY]);
      chart.getZr().setCursorStyle(inside ? "pointer" : "default");
    });
  }

  function twoLines(name) {
    return name.length > 2 ? name.slice(0, 2) + "\n" + name.slice(2) : name;
  }

  function emptyText(element, message) {
    element.classList.add("chart-empty");
    element.textContent = message;
  }

  var builders = {
    trend: function (d) {
      var hasSecurity = d.security.some(function (value) { return value !== null; });
      return {
        legend: { top: 0, data: ["走访户次", "走访户数", "满意率(%)"].concat(hasSecurity ? ["安全感指数"] : []) },
        xAxis: { type: "category", data: d.months },
        yAxis: [{ type: "value", name: "户" }, { type: "value", name: "%", min: 0, max: 100 }],
        series: [
          { name: "走访户次", type: "line", smooth: true, data: d.visits },
          { name: "走访户数", type: "line", smooth: true, data: d.households },
          { name: "满意率(%)", type: "line", yAxisIndex: 1, connectNulls: true, data: d.satisfaction }
        ].concat(hasSecurity ? [{ name: "安全感指数", type: "line", yAxisIndex: 1, connectNulls: true, data: d.security }] : []),
        urls: d.urls
      };
    },
    areas: function (d, element) {
      if (!d) { return null; }
      // Every name is shown (interval 0); slanted when they would not fit side by side: more than six, or on a
      // phone five village names of five characters each (a character is about 12px, the axes take ~140px).
      var longest = Math.max.apply(null, d.names.map(function (name) { return name.length; }));
      var column = (element.clientWidth - 140) / d.names.length;
      var slanted = d.names.length > 6 || longest * 12 > column;
      return {
        legend: { top: 0, data: ["走访户次", "走访户数", "覆盖率(%)"] },
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: slanted ? 30 : 0 } },
        yAxis: [{ type: "value", name: "户" }, { type: "value", name: "%", min: 0, max: 100 }],
        series: [
          { name: "走访户次", type: "bar", data: d.visits, cursor: "pointer" },
          { name: "走访户数", type: "bar", data: d.households, cursor: "pointer" },
          { name: "覆盖率(%)", type: "line", yAxisIndex: 1, data: d.coverage }
        ],
        urls: d.urls
      };
    },
    funnel: function (d) {
      return {
        tooltip: { renderMode: "richText", trigger: "item" },
        series: [{
          type: "funnel", sort: "none", left: "10%", width: "80%", top: 10, bottom: 10, minSize: "20%",
          label: { show: true, position: "inside", formatter: "{b}  {c}", color: "#fff" },
          data: d.names.map(function (name, i) { return { name: name, value: d.values[i] }; })
        }],
        urls: d.urls
      };
    },
    topics: function (d) {
      return {
        // Four-character category names side by side overlap: two characters a line.
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, formatter: twoLines } },
        yAxis: { type: "value", name: "件" },
        series: [{ type: "bar", data: d.values, cursor: "pointer", label: { show: true, position: "top" } }],
        urls: d.urls
      };
    },
    callbacks: function (d) {
      var total = d.values.reduce(function (a, b) { return a + b; }, 0);
      if (!total) { return "这段时间还没有回访结果"; }
      return {
        tooltip: { renderMode: "richText", trigger: "item" },
        legend: { bottom: 0 },
        color: ["#2e7d32", "#f9a825", "#c62828"],
        series: [{
          type: "pie", radius: ["28%", "52%"], center: ["50%", "45%"],
          label: { formatter: "{b}\n{c}({d}%)", color: text },
          data: d.names.map(function (name, i) { return { name: name, value: d.values[i] }; })
        }]
      };
    }
  };

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var build = builders[element.getAttribute("data-chart")];
    if (!build) { return; }
    var option = build(data[element.getAttribute("data-chart")], element);
    if (!option) { return; }
    if (typeof option === "string") { emptyText(element, option); return; }
    var urls = option.urls;
    delete option.urls;
    // On a phone a top legend wraps onto a second line: the plot starts lower, below it and the axes' names.
    if (option.legend && option.legend.top === 0 && element.clientWidth < 480) {
      option.grid = merge(merge({}, base.grid), { top: 92 });
    }
    var chart = echarts.init(element, theme);
    chart.setOption(merge(merge({}, base), option));
    navigateOn(chart, urls, option.xAxis && option.xAxis.type === "category");
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
}());
