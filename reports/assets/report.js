/* topictrends report: draws the interactive parts from the JSON payload.
 * Every string from the data is untrusted (it comes from scraped dumps): DOM text is set with
 * textContent only, and text handed to Plotly (which renders some HTML tags) is escaped first. */
(function () {
  "use strict";

  // performance marks let benchmarks see where opening time goes (bench/bench_report.py).
  performance.mark("report:start");
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  performance.mark("report:parsed");
  var P = DATA.papers;
  var N_PAPERS = P.title.length;
  var PLOT_CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
  };
  var topicsById = new Map();
  DATA.topics.forEach(function (t) { topicsById.set(t.id, t); });
  var pending = [];

  // ------------------------------------------------------------------------------------------------
  // Helpers

  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === undefined || value === null) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "className") node.className = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function plotlyEscape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Escaped text wrapped at word boundaries with <br> so hover boxes stay narrow.
  function plotlyWrap(text, width) {
    var words = String(text).split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return lines.slice(0, 4).map(plotlyEscape).join("<br>") + (lines.length > 4 ? " …" : "");
  }

  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  function topicLabel(id) {
    var t = topicsById.get(id);
    return t ? t.label : "Topic " + id;
  }

  function sources(i) {
    var encoded = P.src[i];
    if (!encoded) return [];
    return encoded.split(";").map(function (ref) {
      var cut = ref.indexOf(":");
      var name = DATA.files[Number(ref.slice(0, cut))];
      var index = ref.slice(cut + 1);
      return index === "" ? name : name + ":" + index;
    });
  }

  function clone(obj) { return JSON.parse(JSON.stringify(obj)); }

  function plot(div, fig) {
    var done = Plotly.newPlot(div, fig.data, fig.layout, PLOT_CONFIG);
    pending.push(done);
    return done;
  }

  function section(id, render) {
    try {
      render();
      performance.mark("report:" + id);
    } catch (err) {
      console.error("report section " + id + " failed:", err);
      var host = document.getElementById(id);
      if (host) host.appendChild(el("p", { className: "muted", text: "This section could not be drawn: " + err.message }));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Simple figures

  function staticFigure(id, fig) {
    return function () {
      var div = document.getElementById(id);
      if (!div) return;
      if (fig) plot(div, fig);
      else div.appendChild(el("p", { className: "muted", text: "No dated papers to draw." }));
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Topic map: hover text comes from the papers table (customdata holds paper row positions).

  function renderMap() {
    var div = document.getElementById("fig-map");
    var fig = DATA.figures.map;
    if (!div || !fig) return;
    fig.data.forEach(function (trace) {
      var rows = trace.customdata || [];
      trace.hovertext = rows.map(function (i) {
        var date = P.date[i] ? P.date[i] + (P.inferred[i] ? " (inferred)" : "") : "no date";
        return "<b>" + plotlyWrap(P.title[i], 70) + "</b><br>" + plotlyEscape(date) + " · " +
          plotlyWrap(topicLabel(P.topic[i]), 70);
      });
      trace.hoverinfo = "text";
    });
    plot(div, fig).then(function () {
      div.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && point.customdata !== undefined) location.hash = "#topic-" + P.topic[point.customdata];
      });
    });
  }

  // ------------------------------------------------------------------------------------------------
  // Topics over time: four precomputed variants (share/count x with/without inferred dates).

  function renderTrends() {
    var div = document.getElementById("fig-trends");
    if (!div) return;
    var state = { value: "share", inferred: DATA.meta.include_inferred };
    var valueToggle = document.getElementById("toggle-value");
    var inferredToggle = document.getElementById("toggle-inferred");
    function draw(first) {
      var key = state.value + "|" + (state.inferred ? "all" : "stated");
      var fig = DATA.figures.trends[key];
      if (!fig) return;
      fig = clone(fig);
      if (first) plot(div, fig);
      else Plotly.react(div, fig.data, fig.layout, PLOT_CONFIG);
      div.setAttribute("data-variant", key);
    }
    valueToggle.querySelectorAll("button").forEach(function (button) {
      button.addEventListener("click", function () {
        state.value = button.getAttribute("data-value");
        valueToggle.querySelectorAll("button").forEach(function (b) { b.classList.toggle("on", b === button); });
        draw(false);
      });
    });
    inferredToggle.addEventListener("change", function () { state.inferred = inferredToggle.checked; draw(false); });
    draw(true);
  }

  // ------------------------------------------------------------------------------------------------
  // Papers table: search, sort, pages. Plain DOM; rows are paper positions.

  var lowerTitles = null;
  function searchText(i) {
    if (!lowerTitles) lowerTitles = P.title.map(function (t) { return t.toLowerCase(); });
    return lowerTitles[i] + "\u0000" + P.date[i] + "\u0000" + sources(i).join(" ").toLowerCase();
  }

  function PapersTable(host, rows, options) {
    var pageSize = 25;
    var state = { query: "", key: "date", dir: -1, page: 0 };
    var columns = [
      { key: "title", label: "Title" },
      { key: "date", label: "Date" },
      { key: "source", label: "Source" },
    ];
    if (options.showTopic) columns.push({ key: "topic", label: "Topic" });
    var input = el("input", { type: "search", placeholder: "Search titles, dates, sources", "aria-label": "Search papers" });
    var counter = el("span", { className: "muted" });
    var table = el("table", { className: "data papers-table" });
    var thead = el("thead"), tbody = el("tbody");
    var headerRow = el("tr");
    var headers = {};
    columns.forEach(function (column) {
      var th = el("th", {
        className: "sortable", scope: "col", text: column.label, tabindex: 0,
        onclick: function () { sortBy(column.key); },
        onkeydown: function (e) { if (e.key === "Enter") sortBy(column.key); },
      });
      headers[column.key] = th;
      headerRow.appendChild(th);
    });
    thead.appendChild(headerRow);
    table.appendChild(thead);
    table.appendChild(tbody);
    var prev = el("button", { text: "‹ Previous", onclick: function () { state.page--; draw(); } });
    var next = el("button", { text: "Next ›", onclick: function () { state.page++; draw(); } });
    var pageInfo = el("span", { className: "muted" });
    host.appendChild(el("div", { className: "table-tools" }, input, counter));
    host.appendChild(el("div", { className: "table-wrap" }, table));
    host.appendChild(el("div", { className: "pager" }, prev, pageInfo, next));

    var filtered = rows.slice();
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = input.value.trim().toLowerCase(); state.page = 0; refilter(); }, 120);
    });

    function sortValue(i, key) {
      if (key === "title") return (lowerTitles ? lowerTitles[i] : P.title[i].toLowerCase());
      if (key === "date") return P.date[i];
      if (key === "source") return P.src[i] ? sources(i)[0] : "";
      return topicLabel(P.topic[i]).toLowerCase();
    }
    function sortBy(key) {
      state.dir = state.key === key ? -state.dir : (key === "date" ? -1 : 1);
      state.key = key;
      state.page = 0;
      resort();
      draw();
    }
    function resort() {
      var key = state.key, dir = state.dir;
      var values = new Map();
      filtered.forEach(function (i) { values.set(i, sortValue(i, key)); });
      filtered.sort(function (a, b) {
        var va = values.get(a), vb = values.get(b);
        if (!va && vb) return 1;  // empty values last in both directions
        if (va && !vb) return -1;
        return va < vb ? -dir : va > vb ? dir : a - b;
      });
    }
    function refilter() {
      var q = state.query;
      filtered = q ? rows.filter(function (i) { return searchText(i).indexOf(q) !== -1; }) : rows.slice();
      resort();
      draw();
    }
    function draw() {
      var pages = Math.max(1, Math.ceil(filtered.length / pageSize));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var start = state.page * pageSize;
      var slice = filtered.slice(start, start + pageSize);
      tbody.textContent = "";
      slice.forEach(function (i) {
        var titleCell = el("td", { className: "title" });
        if (P.arxiv[i]) {
          titleCell.appendChild(el("a", {
            href: "https://arxiv.org/abs/" + encodeURIComponent(P.arxiv[i]).replace(/%2F/g, "/"),
            target: "_blank", rel: "noopener noreferrer", text: P.title[i] || "(no title)",
          }));
        } else {
          titleCell.textContent = P.title[i] || "(no title)";
        }
        var dateCell = el("td", { className: "num", text: P.date[i] || "–" });
        if (P.inferred[i]) dateCell.appendChild(el("span", { className: "inferred-tag", title: "date inferred (" + (P.date_source_names[P.date_source[i]] || "") + ")", text: "inferred" }));
        var refs = sources(i);
        var srcCell = el("td", { className: "src mono", title: refs.join("\n"), text: refs.length ? refs[0] + (refs.length > 1 ? "  +" + (refs.length - 1) + " more" : "") : "–" });
        var tr = el("tr", null, titleCell, dateCell, srcCell);
        if (options.showTopic) {
          tr.appendChild(el("td", null, el("a", { href: "#topic-" + P.topic[i], text: topicLabel(P.topic[i]) })));
        }
        tbody.appendChild(tr);
      });
      if (!slice.length) tbody.appendChild(el("tr", null, el("td", { colspan: columns.length, className: "muted", text: "No papers match." })));
      columns.forEach(function (column) {
        headers[column.key].setAttribute("aria-sort", column.key === state.key ? (state.dir > 0 ? "ascending" : "descending") : "none");
      });
      counter.textContent = filtered.length === rows.length
        ? fmt(rows.length) + " papers"
        : fmt(filtered.length) + " of " + fmt(rows.length) + " papers match";
      pageInfo.textContent = filtered.length
        ? fmt(start + 1) + "–" + fmt(start + slice.length) + " (page " + (state.page + 1) + " of " + pages + ")"
        : "";
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    resort();
    draw();
  }

  // ------------------------------------------------------------------------------------------------
  // Topic pages

  var papersByTopic = new Map();
  for (var i = 0; i < N_PAPERS; i++) {
    var t = P.topic[i];
    if (!papersByTopic.has(t)) papersByTopic.set(t, []);
    papersByTopic.get(t).push(i);
  }

  var currentTimeline = null;
  var listItems = new Map();

  function timelineFigure(topic) {
    var tl = DATA.timeline.topics[String(topic.id)];
    if (!tl) return null;
    var x = DATA.timeline.periods;
    var color = topic.color || "#2f6fb3";
    var hover = x.map(function (period, k) {
      var share = tl.share[k];
      return share === null
        ? "no dated papers in " + period
        : (100 * share).toFixed(1) + "% (95% CI " + (100 * tl.low[k]).toFixed(1) + "–" + (100 * tl.high[k]).toFixed(1) +
          "%)<br>" + fmt(tl.count[k]) + " of " + fmt(DATA.timeline.totals[k]) + " dated papers";
    });
    return {
      data: [
        { x: x, y: tl.count, type: "bar", name: "papers", yaxis: "y2", marker: { color: color, opacity: 0.22 }, hoverinfo: "skip" },
        { x: x, y: tl.low, type: "scatter", mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false, connectgaps: false },
        { x: x, y: tl.high, type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(47,111,179,0.13)", hoverinfo: "skip", name: "95% interval" },
        { x: x, y: tl.share, type: "scatter", mode: "lines+markers", name: "share", line: { color: color, width: 2.5 }, marker: { size: 6 }, text: hover, hovertemplate: "%{x}: %{text}<extra></extra>" },
      ],
      layout: {
        height: 300, margin: { l: 60, r: 60, t: 10, b: 50 }, showlegend: true,
        legend: { orientation: "h", x: 0, y: 1.12 },
        font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size: 12 },
        xaxis: { type: "category", tickangle: x.length > 8 ? -45 : 0 },
        yaxis: { title: { text: "share of dated papers" }, tickformat: ".1%", rangemode: "tozero", gridcolor: "#eceff2", tickmode: "auto" },
        // Paper counts are whole numbers: whole-number ticks for small counts, 1.2k style for large ones.
        yaxis2: { title: { text: "papers" }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, tickmode: "auto",
          tickformat: Math.max.apply(null, tl.count) < 10 ? "d" : "~s", dtick: Math.max.apply(null, tl.count) < 10 ? 1 : undefined },
        hovermode: "closest", plot_bgcolor: "white", paper_bgcolor: "white",
      },
    };
  }

  // "Why it rises / fades": the evidence analytics/growth_evidence.py computed (terms, papers, sub-theme, upvotes).
  var RISING_CLASSES = ["emerging", "growing"], FADING_CLASSES = ["declining", "fading"];

  function pct(share) {
    var value = 100 * share;
    return (value > 0 && value < 10 ? value.toFixed(1) : value.toFixed(0)) + "%";
  }

  function termList(terms) {
    var list = el("ul", { className: "evidence-terms" });
    terms.forEach(function (t) {
      var elsewhere = t.elsewhere_earlier_share === null || t.elsewhere_earlier_share === undefined ? ""
        : "; elsewhere " + pct(t.elsewhere_earlier_share) + " → " + pct(t.elsewhere_recent_share);
      list.appendChild(el("li", null,
        el("b", { text: t.term }),
        " " + pct(t.earlier_share) + " → " + pct(t.recent_share) + " of its papers ",
        el("span", { className: "muted", text: "(" + fmt(t.earlier_count) + " of " + fmt(t.earlier_papers) + " earlier, " +
          fmt(t.recent_count) + " of " + fmt(t.recent_papers) + " recent" + elsewhere + ")" })));
    });
    return list;
  }

  function subThemeTermList(terms) {
    var list = el("ul", { className: "evidence-terms" });
    terms.forEach(function (t) {
      list.appendChild(el("li", null,
        el("b", { text: t.term }),
        " in " + pct(t.share) + " of its papers ",
        el("span", { className: "muted", text: "(" + fmt(t.count) + " of " + fmt(t.papers) + "; " + pct(t.other_share) +
          " of the topic's other recent papers)" })));
    });
    return list;
  }

  function paperList(papers) {
    var list = el("ul", { className: "rep" });
    papers.forEach(function (paper) {
      list.appendChild(el("li", null, paper.title || "(no title)",
        paper.date ? el("span", { className: "muted", text: " · " + paper.date }) : null));
    });
    return list;
  }

  function evidenceBox(topic) {
    var ev = topic.evidence;
    var rising = RISING_CLASSES.indexOf(topic.cls) !== -1, fading = FADING_CLASSES.indexOf(topic.cls) !== -1;
    if (!ev || !(rising || fading)) return null;
    var periods = DATA.meta.evidence_periods || [];
    var windowText = periods.length ? (periods.length > 1 ? periods[0] + "–" + periods[periods.length - 1] : periods[0]) : "the recent periods";
    var box = el("div", { className: "evidence", id: "evidence" },
      el("h4", { text: rising ? "Why it rises" : "Why it fades" }),
      el("p", { className: "muted", text: "Its " + fmt(ev.recent_papers) + " papers of " + windowText + " compared with its " +
        fmt(ev.earlier_papers) + " earlier dated papers." }));
    if (ev.error) {
      box.appendChild(el("p", { className: "muted", text: "The evidence could not be computed for this topic: " + ev.error }));
      return box;
    }
    var more = ev.rising_terms || [], fewer = ev.falling_terms || [];
    var termBlocks = [
      [more, "Words in more of its recent papers"],
      [fewer, "Words in fewer of its recent papers"],
    ];
    if (fading) termBlocks.reverse();
    termBlocks.forEach(function (block) {
      if (!block[0].length) return;
      box.appendChild(el("h5", { text: block[1] }));
      box.appendChild(termList(block[0]));
    });
    if (!more.length && !fewer.length && !(ev.notes || []).length) {
      box.appendChild(el("p", { className: "muted", text: "No word's share of its papers changed clearly beyond its change in the other topics." }));
    }
    if (ev.closest_recent && ev.closest_recent.length) {
      box.appendChild(el("h5", { text: "Recent papers closest to its centre now" }));
      box.appendChild(paperList(ev.closest_recent));
    }
    var sub = ev.sub_theme;
    if (sub) {
      box.appendChild(el("h5", { text: "New sub-theme: " + sub.terms.slice(0, 4).map(function (t) { return t.term; }).join(", ") }));
      box.appendChild(el("p", { className: "muted", text: "A group of " + fmt(sub.recent_papers) + " recent and " +
        fmt(sub.earlier_papers) + " earlier papers, away from where the topic's earlier papers lie." }));
      box.appendChild(subThemeTermList(sub.terms.slice(0, 4)));
      box.appendChild(paperList(sub.closest || []));
    }
    var votes = ev.upvotes;
    if (votes) {
      var median = function (value, n) { return value === null ? "none" : "median " + fmt(value) + " (" + fmt(n) + " papers)"; };
      box.appendChild(el("p", null, el("b", { text: "Upvotes: " }),
        "recent " + median(votes.median_recent, votes.recent_with_upvotes) + ", earlier " +
        median(votes.median_earlier, votes.earlier_with_upvotes) + "."));
    }
    (ev.notes || []).forEach(function (note) { box.appendChild(el("p", { className: "muted", text: note })); });
    return box;
  }

  function fact(label, value) {
    return el("div", null, el("span", { text: label }), document.createTextNode(value));
  }

  function showTopic(id, scroll) {
    var detail = document.getElementById("topic-detail");
    if (!detail) return;
    if (currentTimeline) { Plotly.purge(currentTimeline); currentTimeline = null; }
    detail.textContent = "";
    listItems.forEach(function (li, key) { li.classList.toggle("active", key === id); });
    if (id === "all") {
      detail.appendChild(el("h3", { className: "topic-title", text: "All papers" }));
      detail.appendChild(el("p", { className: "muted", text: "Every paper of the run, across all topics." }));
      var all = [];
      for (var k = 0; k < N_PAPERS; k++) all.push(k);
      PapersTable(detail, all, { showTopic: true });
    } else {
      var topic = topicsById.get(id);
      if (!topic) {
        detail.appendChild(el("p", { className: "muted", text: "No topic " + id + " in this run." }));
        return;
      }
      var slug = String(topic.cls).toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
      detail.setAttribute("data-topic", String(id));
      detail.appendChild(el("h3", { className: "topic-title" },
        el("span", { className: "dot-lg", style: "display:inline-block;width:14px;height:14px;border-radius:50%;background:" + (topic.color || "#999") }),
        el("span", { className: "topic-name", text: topic.label }),
        el("span", { className: "badge cls-" + slug, text: topic.cls }),
        topic.weak ? el("span", { className: "flag weak", title: topic.weak, text: "mixed topic" }) : null,
        topic.vague_label ? el("span", { className: "flag vague", title: topic.vague_label, text: "vague label" }) : null,
        topic.words ? el("span", { className: "flag words", title: topic.words_reason, text: topic.words }) : null,
        topic.burst_now ? el("span", { className: "flag burst", text: "burst now" }) : null,
        topic.signal ? el("span", { className: "flag signal", text: topic.signal }) : null));
      if (topic.keywords) {
        var chips = el("div", { className: "keywords" });
        topic.keywords.split(",").map(function (k) { return k.trim(); }).filter(Boolean).slice(0, 15)
          .forEach(function (k) { chips.appendChild(el("span", { text: k })); });
        detail.appendChild(chips);
      }
      detail.appendChild(el("div", { className: "facts" },
        fact("Size", fmt(topic.size) + " papers"),
        fact("Dated", topic.dated === null ? "0" : fmt(topic.dated)),
        fact("Change over span", topic.change),
        fact("Growth", topic.rate),
        topic.bursts ? fact("Bursts", topic.bursts) : null));
      if (topic.weak) detail.appendChild(el("p", { className: "muted", text: "Mixed topic: " + topic.weak + "." }));
      if (topic.vague_label) detail.appendChild(el("p", { className: "muted", text: "Vague label: " + topic.vague_label + "." }));
      detail.appendChild(el("p", { className: "reason", text: "Why “" + topic.cls + "”: " + topic.reason }));
      if (topic.words_reason) detail.appendChild(el("p", { className: "reason", text: "Checked against its words: " + topic.words_reason + "." }));
      var fig = timelineFigure(topic);
      if (fig) {
        currentTimeline = el("div", { className: "fig topic-timeline" });
        detail.appendChild(currentTimeline);
        plot(currentTimeline, fig);
      }
      var evidence = evidenceBox(topic);
      if (evidence) detail.appendChild(evidence);
      if (topic.rep && topic.rep.length) {
        var list = el("ul", { className: "rep" });
        topic.rep.forEach(function (row) { list.appendChild(el("li", { text: P.title[row] })); });
        detail.appendChild(el("h4", { text: "Representative papers" }));
        detail.appendChild(list);
      } else if (topic.rep_text) {
        detail.appendChild(el("h4", { text: "Representative papers" }));
        detail.appendChild(el("p", { text: topic.rep_text }));
      }
      detail.appendChild(el("h4", { text: "Papers" }));
      PapersTable(detail, papersByTopic.get(id) || [], { showTopic: false });
    }
    if (scroll) document.getElementById("topics").scrollIntoView();
  }

  function renderTopicList() {
    var list = document.getElementById("topic-list");
    var search = document.getElementById("topic-search");
    if (!list) return;
    var allItem = el("li", { "data-topic": "all", onclick: function () { location.hash = "#topic-all"; } },
      el("span", { className: "dot", style: "background:#1f2d3d" }),
      el("span", { className: "name", text: "All papers" }),
      el("span", { className: "size", text: fmt(N_PAPERS) }));
    list.appendChild(allItem);
    listItems.set("all", allItem);
    DATA.topics.forEach(function (topic) {
      var slug = String(topic.cls).toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
      var li = el("li", { "data-topic": topic.id, title: topic.label + " (" + topic.cls + ")", onclick: function () { location.hash = "#topic-" + topic.id; } },
        el("span", { className: "dot", style: "background:" + (topic.color || "#999") }),
        el("span", { className: "name", text: topic.label }),
        topic.weak ? el("span", { className: "flag weak", title: topic.weak, text: "mixed" }) : null,
        el("span", { className: "mini cls-" + slug, title: topic.cls }),
        el("span", { className: "size", text: fmt(topic.papers) }));
      li._haystack = (topic.label + " " + topic.keywords).toLowerCase();
      list.appendChild(li);
      listItems.set(topic.id, li);
    });
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      listItems.forEach(function (li, key) {
        li.style.display = key === "all" || !q || li._haystack.indexOf(q) !== -1 ? "" : "none";
      });
    });
  }

  function route(scroll) {
    var match = /^#topic-(all|-?\d+)$/.exec(location.hash);
    if (match) {
      showTopic(match[1] === "all" ? "all" : Number(match[1]), scroll);
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------------

  // Draw section by section, yielding between them so the browser paints the page (overview first)
  // instead of showing nothing until every figure is drawn.
  var steps = [
    ["topics", renderTopicList],
    ["overview", staticFigure("fig-dated", DATA.figures.dated)],
    ["map", renderMap],
    ["trends", renderTrends],
    ["trends", staticFigure("fig-heatmap", DATA.figures.heatmap)],
    ["growth", staticFigure("fig-leaderboard", DATA.figures.leaderboard)],
    ["topics", function () {
      if (!route(true)) {
        var first = DATA.topics.filter(function (t) { return t.id !== -1; })[0] || DATA.topics[0];
        showTopic(first ? first.id : "all", false);
      }
      window.addEventListener("hashchange", function () { route(true); });
    }],
  ];
  function next(k) {
    if (k < steps.length) {
      section(steps[k][0], steps[k][1]);
      setTimeout(function () { next(k + 1); }, 0);
      return;
    }
    Promise.all(pending).then(
      function () { performance.mark("report:ready"); document.body.setAttribute("data-ready", "1"); },
      function (err) { console.error("a figure failed to draw:", err); }
    );
  }
  next(0);
})();
