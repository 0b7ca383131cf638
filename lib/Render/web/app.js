// mav-render's HTML front end: draws the widget spec (docs/Widget.md) of the
// page with plotly.js and keeps its panels in step, without a kernel:
//   - clicking a node (main graph) or a table row selects the node: it is
//     centred, outlined, and its row highlighted and scrolled into view;
//   - panning/zooming the main graph moves the overview window and the
//     slider, and scrolls the table to the first visible node;
//   - clicking the overview or moving the slider moves the main view;
//   - the dropdown restyles the main graph's nodes and redraws the overview;
//   - the search box selects nodes whose name or operation matches.
// Text from the model reaches the page only through textContent and Plotly's
// escaped labels; nothing is assigned to innerHTML. The spec has no hover
// text or table cells: they are composed here from the node columns, by the
// rules of docs/Widget.md (RenderModel::getHoverLines/getTableRow in C++).
(function () {
  'use strict';

  // Marks for utils/bench-page.js (time to interactive, by phase).
  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }
  mark('mav-start');
  var app = document.getElementById('mav-app');

  function fail(message) {
    var box = document.createElement('div');
    box.className = 'mav-error';
    box.textContent = message;
    app.textContent = '';
    app.appendChild(box);
  }

  if (typeof Plotly === 'undefined') {
    fail('plotly.js could not be loaded. This page loads it from a CDN; ' +
         'render it with `mav-render --html --offline` to view it without ' +
         'a network connection.');
    return;
  }
  var spec = JSON.parse(document.getElementById('mav-spec').textContent);
  mark('mav-spec-parsed');
  if (spec.version !== 2) {
    fail('Unsupported widget spec version ' + spec.version + '.');
    return;
  }

  var nodes = spec.nodes;  // columns: nodes.name[i], nodes.x[i]...
  var count = nodes.name.length;
  var levelAxis = spec.levelAxis; // 'y' (levels run down/up) or 'x'
  var NODE_TRACE = 1;     // main graph: [edges, nodes, outline]
  var OUTLINE_TRACE = 2;
  var state = { selected: -1, menu: spec.menu.active, programmatic: 0,
                searchQuery: '', searchMatches: [], searchPos: -1 };

  // ----------------------------------------------------------------- text --
  /// `3 628 899 328`: thousands separated by spaces.
  function formatThousands(value) {
    var digits = String(value), start = digits.charAt(0) === '-' ? 1 : 0;
    var out = digits.slice(0, start);
    for (var i = start; i < digits.length; i++) {
      if (i > start && (digits.length - i) % 3 === 0) out += ' ';
      out += digits.charAt(i);
    }
    return out;
  }

  /// formatThousands(value).length, without building the string.
  function thousandsLength(value) {
    var digits = String(value), n = digits.length - (value < 0 ? 1 : 0);
    return digits.length + Math.floor((n - 1) / 3);
  }

  /// `&`, `<`, `>` as entities for Plotly's pseudo-HTML labels.
  function escapePlotlyText(text) {
    return text.replace(/[&<>]/g, function (c) {
      return c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;';
    });
  }

  // Node i's args lines are nodes.args[argStart[i] .. argStart[i + 1]).
  var argStart = new Array(count + 1);
  argStart[0] = 0;
  for (var a = 0; a < count; a++) argStart[a + 1] = argStart[a] + nodes.argCount[a];

  /// Hover lines of node i as plain text.
  function hoverLines(i) {
    var lines = ['Name: ' + nodes.name[i], 'Operation: ' + nodes.op[i],
                 'Activations: ' + nodes.activations[i],
                 'Parameters: ' + formatThousands(nodes.params[i]),
                 'FLOPS: ' + formatThousands(nodes.flops[i])];
    if (nodes.status[i] === 'failed')
      lines.push('Error: ' + (nodes.error[i] || 'failed'));
    else if (nodes.status[i] === 'not-run')
      lines.push('Status: not run');
    for (var k = argStart[i]; k < argStart[i + 1]; k++) lines.push(nodes.args[k]);
    return lines;
  }

  /// Hover text of node i: Plotly label markup.
  function hoverText(i) {
    return hoverLines(i).map(escapePlotlyText).join('<br>');
  }

  /// Table cells of node i as plain text (set with textContent).
  function tableCells(i) {
    return [nodes.name[i], nodes.op[i], nodes.activations[i],
            formatThousands(nodes.params[i]), formatThousands(nodes.flops[i])];
  }

  // ---------------------------------------------------------------- DOM --
  function element(tag, className, parent) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (parent) parent.appendChild(e);
    return e;
  }

  var toolbar = element('header', 'mav-toolbar', app);
  var title = element('span', 'mav-title', toolbar);
  title.textContent = spec.title;
  var menu = element('select', 'mav-menu', toolbar);
  menu.id = 'mav-menu';
  spec.menu.states.forEach(function (entry, i) {
    var option = element('option', null, menu);
    option.value = String(i);
    option.textContent = entry.label;
  });
  menu.value = String(state.menu);
  var search = element('input', 'mav-search', toolbar);
  search.id = 'mav-search';
  search.type = 'search';
  search.placeholder = 'Search name or operation (Enter)';
  var searchStatus = element('span', 'mav-search-status', toolbar);
  searchStatus.id = 'mav-search-status';

  var panels = element('div', 'mav-panels', app);
  var slider = null;
  if (spec.slider.enabled) {
    var sliderPanel = element('div', 'mav-slider-panel', panels);
    slider = element('input', 'mav-slider', sliderPanel);
    slider.id = 'mav-slider';
    slider.type = 'range';
    slider.min = String(spec.slider.min);
    slider.max = String(Math.max(spec.slider.min,
                                 spec.slider.max - spec.slider.window));
    slider.step = 'any';
    slider.title = 'Scroll through the levels';
    slider.disabled = spec.slider.max - spec.slider.window <= spec.slider.min;
  }
  // The overview is drawn on a canvas, under a div for the view window. It
  // does not pan or zoom, so it needs none of Plotly's machinery, and a
  // second WebGL graph cost seconds at 10,000 nodes (WebGL contexts and
  // line drawing are slow when the browser renders in software).
  var overviewPanel = null, overviewCanvas = null, overviewWindow = null;
  if (spec.overview.enabled) {
    overviewPanel = element('div', 'mav-overview', panels);
    overviewPanel.id = 'mav-overview';
    overviewCanvas = element('canvas', 'mav-overview-canvas', overviewPanel);
    overviewWindow = element('div', 'mav-overview-window', overviewPanel);
  }
  var mainDiv = element('div', 'mav-main', panels);
  mainDiv.id = 'mav-main';
  var tableDiv = null, table = null;
  if (spec.table.enabled) {
    tableDiv = element('div', 'mav-table', panels);
    tableDiv.id = 'mav-table';
    table = buildTable();
  }
  mark('mav-table-built');

  // The table is virtual: only the rows in view (and a few either side)
  // exist in the DOM, between two spacer rows that give the scroll area the
  // height of every row. A full table of 10,000 rows cost seconds of layout
  // before the graphs could draw. Rows have one fixed height and the
  // columns fixed widths, measured once on the widest cells, so rows can
  // come and go without anything moving.
  function buildTable() {
    var columns = spec.table.columns, overscan = 20;
    var tableEl = element('table', null, tableDiv);
    var colgroup = element('colgroup', null, tableEl);
    var cols = columns.map(function () { return element('col', null, colgroup); });
    var head = element('thead', null, tableEl);
    var headRow = element('tr', null, head);
    columns.forEach(function (text) {
      element('th', null, headRow).textContent = text;
    });
    var body = element('tbody', null, tableEl);
    var t = { first: 0, last: 0, rowHeight: 0, headerHeight: 0,
              body: body, count: count };

    function spacer(height) {
      var row = document.createElement('tr');
      row.className = 'mav-spacer';
      var cell = element('td', null, row);
      cell.colSpan = columns.length;
      row.style.height = height + 'px';
      return row;
    }

    function renderRow(i) {
      var row = document.createElement('tr');
      row.dataset.node = String(i);
      var className = '';
      if (nodes.status[i] === 'failed') className += ' mav-failed';
      if (nodes.status[i] === 'not-run') className += ' mav-not-run';
      if (nodes.parent[i] !== null) className += ' mav-sub-node';
      if (i === state.selected) className += ' mav-selected';
      if (className) row.className = className.slice(1);
      tableCells(i).forEach(function (text, c) {
        var cell = element('td', c >= 3 ? 'mav-number' : null, row);
        if (c === 0) {
          var swatch = element('span', 'mav-swatch', cell);
          swatch.style.backgroundColor = nodes.color[i];
        }
        cell.appendChild(document.createTextNode(text));
      });
      return row;
    }

    /// Shows rows [first, last) between the spacers.
    function show(first, last) {
      t.first = first;
      t.last = last;
      var fragment = document.createDocumentFragment();
      fragment.appendChild(spacer(first * t.rowHeight));
      for (var i = first; i < last; i++) fragment.appendChild(renderRow(i));
      fragment.appendChild(spacer((count - last) * t.rowHeight));
      body.textContent = '';
      body.appendChild(fragment);
    }

    // Column widths: lay out the rows with the longest text of each column
    // (and the header), then fix them.
    var candidates = {};
    var cellLength = [
      function (i) { return nodes.name[i].length + (nodes.parent[i] !== null ? 3 : 0); },
      function (i) { return nodes.op[i].length; },
      function (i) { return nodes.activations[i].length; },
      function (i) { return thousandsLength(nodes.params[i]); },
      function (i) { return thousandsLength(nodes.flops[i]); }
    ];
    columns.forEach(function (_, c) {
      var longest = [];
      for (var i = 0; i < count; i++) {
        var length = cellLength[c](i);
        if (longest.length < 8 || length > longest[longest.length - 1][0]) {
          longest.push([length, i]);
          longest.sort(function (a, b) { return b[0] - a[0]; });
          if (longest.length > 8) longest.pop();
        }
      }
      longest.forEach(function (entry) { candidates[entry[1]] = true; });
    });
    var measured = Object.keys(candidates).map(Number).sort(function (a, b) {
      return a - b;
    });
    measured.forEach(function (i) { body.appendChild(renderRow(i)); });
    var widths = Array.prototype.map.call(headRow.cells, function (th) {
      return th.getBoundingClientRect().width;
    });
    if (measured.length) {
      var rowsEls = body.rows;
      t.rowHeight = (rowsEls[rowsEls.length - 1].getBoundingClientRect().bottom -
                     rowsEls[0].getBoundingClientRect().top) / rowsEls.length;
    }
    t.headerHeight = head.getBoundingClientRect().height;
    var total = 0;
    cols.forEach(function (col, c) {
      var width = Math.ceil(widths[c]) + 2;
      col.style.width = width + 'px';
      total += width;
    });
    tableEl.style.width = total + 'px';
    tableEl.style.tableLayout = 'fixed';
    // Whole pixels (a row's height is a minimum in tables: round up), so
    // that row i starts exactly at header + i * rowHeight.
    t.rowHeight = Math.max(1, Math.ceil(t.rowHeight - 0.01) || 20);
    body.style.setProperty('--mav-row-height', t.rowHeight + 'px');
    show(0, Math.min(count, overscan * 2));

    /// Renders the rows around the scroll position (call after scrolling).
    t.update = function () {
      var top = Math.max(0, tableDiv.scrollTop - t.headerHeight);
      var visible = Math.ceil(tableDiv.clientHeight / t.rowHeight) + 1;
      var first = Math.max(0, Math.floor(top / t.rowHeight) - overscan);
      var last = Math.min(count, first + visible + 2 * overscan);
      if (first !== t.first || last !== t.last) {
        // Only re-render when the view leaves the rendered band.
        var shownTop = Math.floor(top / t.rowHeight);
        if (shownTop < t.first || shownTop + visible > t.last ||
            t.last === t.first)
          show(first, last);
      }
    };
    /// The row element of node i, or null when it is not rendered.
    t.rowElement = function (i) {
      if (i < t.first || i >= t.last) return null;
      return body.rows[i - t.first + 1] || null;
    };
    /// Where row i starts, in the table's scroll coordinates.
    t.rowTop = function (i) { return t.headerHeight + i * t.rowHeight; };
    t.redraw = function () { show(t.first, t.last); };

    tableDiv.addEventListener('scroll', t.update, { passive: true });
    window.addEventListener('resize', t.update);
    body.addEventListener('click', function (event) {
      var row = event.target.closest('tr');
      if (row && row.dataset.node !== undefined)
        selectNode(Number(row.dataset.node), { scrollRow: false });
    });
    return t;
  }

  // -------------------------------------------------------------- traces --
  /// Calls point(x, y, k) for the k-th point of each edge's polyline (from
  /// its source node through its bends to its target node), then end().
  function forEachEdgePoint(point, end) {
    var e = spec.edges, bend = 0;
    for (var j = 0; j < e.source.length; j++) {
      var s = e.source[j], t = e.target[j], n = e.bends[j];
      point(nodes.x[s], nodes.y[s], 0);
      for (var k = 0; k < n; k++, bend++) point(e.bendX[bend], e.bendY[bend], k + 1);
      point(nodes.x[t], nodes.y[t], n + 1);
      if (end) end();
    }
  }

  function edgeArrays() {
    var xs = [], ys = [];
    forEachEdgePoint(function (x, y) { xs.push(x); ys.push(y); },
                     function () { xs.push(null); ys.push(null); });
    return { x: xs, y: ys };
  }

  var xs = nodes.x, ys = nodes.y;
  var opacity = nodes.status.map(function (status) {
    return status === 'not-run' ? spec.style.notRunOpacity : 1;
  });
  var lineColors = nodes.status.map(function (status) {
    if (status === 'failed') return spec.style.failedColor;
    if (status === 'not-run') return spec.style.notRunOutlineColor;
    return '#FFFFFF';
  });
  var lineWidths = nodes.status.map(function (status) {
    return status === 'failed' ? 2 : status === 'not-run' ? 1 : 0.5;
  });
  // Small graphs draw their edges as an SVG line trace. Plotly gives each
  // null-separated piece of a line trace its own SVG path, and styling and
  // laying out 10,000 paths cost over a second at 10,000 nodes; WebGL lines
  // cost seconds when the browser renders in software. So graphs whose
  // nodes use WebGL draw their edges on a canvas of their own under the
  // plot instead (drawEdgeCanvas), and the edge trace stays empty.
  var canvasEdges = spec.traceType === 'scattergl';
  var edges = canvasEdges ? { x: [], y: [] } : edgeArrays();

  function edgeTrace() {
    return { type: 'scatter', mode: 'lines', x: edges.x, y: edges.y,
             line: { color: spec.style.edgeColor, width: 1 },
             hoverinfo: 'skip', showlegend: false };
  }

  function nodeTrace(panel) {
    var markers = spec.menu.states[state.menu][panel];
    var trace = {
      type: spec.traceType, mode: 'markers', x: xs, y: ys,
      marker: { size: markers.size, color: markers.color,
                colorscale: spec.menu.colorscale, cmin: 0, cmax: 1,
                opacity: opacity,
                line: { color: lineColors, width: lineWidths } },
      showlegend: false
    };
    if (panel === 'main') {
      var text = new Array(count);
      for (var i = 0; i < count; i++) text[i] = hoverText(i);
      trace.text = text;
      trace.hoverinfo = 'text';
    } else {
      trace.hoverinfo = 'skip';
    }
    return trace;
  }

  function axis(range, reversed) {
    return { range: reversed ? [range[1], range[0]] : range.slice(),
             showgrid: false, zeroline: false, showticklabels: false,
             showline: false };
  }

  // The y axis is reversed: layout y grows downward on screen.
  var mainLayout = {
    margin: { l: 10, r: 10, t: 10, b: 10 }, showlegend: false,
    hovermode: 'closest', dragmode: 'pan',
    xaxis: axis(spec.view.x, false), yaxis: axis(spec.view.y, true),
    plot_bgcolor: '#FFFFFF', paper_bgcolor: '#FFFFFF'
  };
  var outline = {
    type: spec.traceType, mode: 'markers', x: [], y: [], hoverinfo: 'skip',
    marker: { symbol: 'circle-open', size: 28, color: '#000000',
              line: { width: 3, color: '#000000' } },
    showlegend: false
  };
  // WebGL canvases at the screen's resolution: Plotly's default draws them
  // at twice it (plotGlPixelRatio 2), four times the pixels on an ordinary
  // screen to create, fill and composite; at 10,000 nodes in a browser
  // rendering in software that was most of the time spent drawing.
  var config = { scrollZoom: true, displaylogo: false, responsive: true,
                 plotGlPixelRatio: Math.max(1, window.devicePixelRatio || 1) };
  var edgeCanvas = null;
  if (canvasEdges) {
    // The canvas sits under Plotly's layers, whose backgrounds are made
    // transparent (the panel is white). Plotly's image export would leave
    // the canvas out, so the page offers no export at this size.
    edgeCanvas = element('canvas', 'mav-edge-canvas', mainDiv);
    mainLayout.plot_bgcolor = mainLayout.paper_bgcolor = 'rgba(0,0,0,0)';
    config.modeBarButtonsToRemove = ['toImage'];
  }
  mark('mav-traces-built');
  var ready = [Plotly.newPlot(mainDiv, [edgeTrace(), nodeTrace('main'),
                                        outline], mainLayout, config)];
  mark('mav-main-plotted');

  /// Draws the edges on the main graph's canvas for the current axis
  /// ranges, clipped to the plot area. Called whenever Plotly redraws and
  /// on every step of a pan or zoom (plotly_relayouting), when the axes
  /// already hold the new ranges. One move of the view raises several of
  /// those events, and a restyle (the dropdown) raises one without moving
  /// anything: a view already drawn is not drawn again.
  var drawnEdgeView = '';
  function drawEdgeCanvas() {
    var layout = mainDiv._fullLayout;
    if (!layout || !layout.xaxis || !layout.xaxis._length) return;
    var xa = layout.xaxis, ya = layout.yaxis;
    var ratio = window.devicePixelRatio || 1;
    var width = mainDiv.clientWidth, height = mainDiv.clientHeight;
    var pixelWidth = Math.round(width * ratio), pixelHeight = Math.round(height * ratio);
    var view = [xa.range, ya.range, xa._offset, ya._offset, xa._length,
                ya._length, pixelWidth, pixelHeight].join();
    if (view === drawnEdgeView) return;
    drawnEdgeView = view;
    if (edgeCanvas.width !== pixelWidth || edgeCanvas.height !== pixelHeight) {
      edgeCanvas.width = pixelWidth;
      edgeCanvas.height = pixelHeight;
    }
    var context = edgeCanvas.getContext('2d');
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, pixelWidth, pixelHeight);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.save();
    context.beginPath();
    context.rect(xa._offset, ya._offset, xa._length, ya._length);
    context.clip();
    // Pixel = offset + (value - start) * scale, with y measured from the
    // top: range[1] is at the top whichever way the axis runs.
    var x0 = xa.range[0], sx = xa._length / (xa.range[1] - xa.range[0]);
    var y1 = ya.range[1], sy = ya._length / (ya.range[1] - ya.range[0]);
    var ox = xa._offset, oy = ya._offset;
    context.strokeStyle = spec.style.edgeColor;
    context.lineWidth = 1;
    context.beginPath();
    forEachEdgePoint(function (x, y, k) {
      var px = ox + (x - x0) * sx, py = oy + (y1 - y) * sy;
      if (k === 0) context.moveTo(px, py);
      else context.lineTo(px, py);
    });
    context.stroke();
    context.restore();
    state.edgeCanvas = { x: xa.range.slice(), y: ya.range.slice(),
                         edges: spec.edges.source.length,
                         draws: (state.edgeCanvas ? state.edgeCanvas.draws : 0) + 1 };
  }
  if (edgeCanvas) {
    ready[0] = ready[0].then(function () {
      drawEdgeCanvas();
      mainDiv.on('plotly_afterplot', drawEdgeCanvas);
      mainDiv.on('plotly_relayouting', drawEdgeCanvas);
      mainDiv.on('plotly_relayout', drawEdgeCanvas);
    });
  }

  // ------------------------------------------------------------- overview --
  var OVERVIEW_MARGIN = 4;  // px around the graph, as the main graph's 10
  var overviewColorscale = null;
  // Colours by colour value: nodes share a handful of values (one per
  // operation kind or cost), and composing the string was most of the
  // overview's drawing time.
  var overviewColorCache = new Map();

  /// The map from data to overview pixels: px = ox + x * sx, py = oy + y * sy
  /// (the whole graph, spec.bounds, stretched over the panel, y downward).
  /// Read once per drawing: the panel's size is a DOM read.
  function overviewScale() {
    var w = overviewPanel.clientWidth - 2 * OVERVIEW_MARGIN;
    var h = overviewPanel.clientHeight - 2 * OVERVIEW_MARGIN;
    var bx = spec.bounds.x, by = spec.bounds.y;
    var sx = w / ((bx[1] - bx[0]) || 1), sy = h / ((by[1] - by[0]) || 1);
    return { sx: sx, sy: sy, ox: OVERVIEW_MARGIN - bx[0] * sx,
             oy: OVERVIEW_MARGIN - by[0] * sy };
  }

  /// Pixel position in the overview panel of data point (x, y).
  function overviewPixel(x, y) {
    var s = overviewScale();
    return [s.ox + x * s.sx, s.oy + y * s.sy];
  }

  /// The data point under pixel (px, py) of the overview panel.
  function overviewData(px, py) {
    var w = overviewPanel.clientWidth - 2 * OVERVIEW_MARGIN;
    var h = overviewPanel.clientHeight - 2 * OVERVIEW_MARGIN;
    var bx = spec.bounds.x, by = spec.bounds.y;
    return [bx[0] + (px - OVERVIEW_MARGIN) / (w || 1) * (bx[1] - bx[0]),
            by[0] + (py - OVERVIEW_MARGIN) / (h || 1) * (by[1] - by[0])];
  }

  function parseColor(text) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
    if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
    m = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(text.replace(/\s/g, ''));
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [127, 127, 127];
  }

  /// The colour of value t in [0, 1] on the colorscale, interpolated in RGB
  /// between its stops as Plotly does. The stops are the ones Plotly
  /// resolved for the main graph's node trace (spec.menu.colorscale names a
  /// Plotly scale), so both graphs agree.
  function colorscaleColor(t) {
    var cached = overviewColorCache.get(t);
    if (cached === undefined) {
      cached = interpolateColorscale(t);
      overviewColorCache.set(t, cached);
    }
    return cached;
  }

  function interpolateColorscale(t) {
    if (!overviewColorscale) {
      var full = mainDiv._fullData && mainDiv._fullData[NODE_TRACE];
      var stops = full && full.marker && Array.isArray(full.marker.colorscale)
          ? full.marker.colorscale : [[0, '#0000FF'], [1, '#FF0000']];
      overviewColorscale = stops.map(function (stop) {
        return [Number(stop[0]), parseColor(String(stop[1]))];
      });
    }
    var stops = overviewColorscale;
    t = Math.min(1, Math.max(0, Number(t) || 0));
    for (var k = 1; k < stops.length; k++) {
      if (t <= stops[k][0] || k === stops.length - 1) {
        var a = stops[k - 1], b = stops[k];
        var f = b[0] > a[0] ? Math.min(1, Math.max(0, (t - a[0]) / (b[0] - a[0]))) : 0;
        return 'rgb(' + [0, 1, 2].map(function (c) {
          return Math.round(a[1][c] + (b[1][c] - a[1][c]) * f);
        }).join(',') + ')';
      }
    }
    return 'rgb(' + stops[0][1].join(',') + ')';
  }

  /// Draws the overview: edges, then the nodes of the current dropdown
  /// entry (size, colour, opacity and outline as in the main graph).
  function drawOverview() {
    var ratio = window.devicePixelRatio || 1;
    var width = overviewPanel.clientWidth, height = overviewPanel.clientHeight;
    overviewCanvas.width = Math.round(width * ratio);
    overviewCanvas.height = Math.round(height * ratio);
    var context = overviewCanvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#FFFFFF';
    context.fillRect(0, 0, width, height);
    context.strokeStyle = spec.style.edgeColor;
    context.lineWidth = 1;
    var scale = overviewScale();
    var sx = scale.sx, sy = scale.sy, ox = scale.ox, oy = scale.oy;
    context.beginPath();
    forEachEdgePoint(function (x, y, k) {
      if (k === 0) context.moveTo(ox + x * sx, oy + y * sy);
      else context.lineTo(ox + x * sx, oy + y * sy);
    });
    context.stroke();

    var markers = spec.menu.states[state.menu].overview;
    var numeric = spec.menu.states[state.menu].color !== 'operation';
    var drawn = 0;
    for (var i = 0; i < count; i++) {
      var radius = markers.size[i] / 2;
      context.globalAlpha = opacity[i];
      context.beginPath();
      context.arc(ox + nodes.x[i] * sx, oy + nodes.y[i] * sy, radius, 0,
                  2 * Math.PI);
      context.fillStyle = numeric ? colorscaleColor(markers.color[i])
                                  : markers.color[i];
      context.fill();
      if (lineWidths[i] > 0) {
        context.strokeStyle = lineColors[i];
        context.lineWidth = lineWidths[i];
        context.stroke();
      }
      drawn++;
    }
    context.globalAlpha = 1;
    state.overview = { menu: state.menu, nodes: drawn,
                       size: markers.size, color: markers.color };
  }

  /// Moves the overview's window rectangle onto `view` (data coordinates).
  function placeOverviewWindow(view) {
    var a = overviewPixel(view.x[0], view.y[0]);
    var b = overviewPixel(view.x[1], view.y[1]);
    var style = overviewWindow.style;
    style.left = Math.min(a[0], b[0]) + 'px';
    style.top = Math.min(a[1], b[1]) + 'px';
    style.width = Math.abs(b[0] - a[0]) + 'px';
    style.height = Math.abs(b[1] - a[1]) + 'px';
    state.overviewWindow = { x: view.x.slice(), y: view.y.slice() };
  }

  if (overviewPanel) {
    // Drawn once the main graph has resolved the colorscale, and again
    // when the panel changes size.
    ready[0] = ready[0].then(function () {
      drawOverview();
      var width = overviewPanel.clientWidth, height = overviewPanel.clientHeight;
      window.addEventListener('resize', function () {
        if (overviewPanel.clientWidth === width &&
            overviewPanel.clientHeight === height) return;
        width = overviewPanel.clientWidth;
        height = overviewPanel.clientHeight;
        drawOverview();
        placeOverviewWindow(getMainView());
      });
    });
  }

  // ---------------------------------------------------------------- views --
  function sorted(range) {
    return range[0] <= range[1] ? [range[0], range[1]] : [range[1], range[0]];
  }

  /// The visible data ranges of the main graph, each low to high.
  function getMainView() {
    var layout = mainDiv._fullLayout;
    return { x: sorted(layout.xaxis.range), y: sorted(layout.yaxis.range) };
  }

  /// Moves the main view; the other panels follow through syncPanels.
  function setMainView(view, options) {
    state.programmatic++;
    return Plotly.relayout(mainDiv, {
      'xaxis.range': view.x.slice(),
      'yaxis.range': [view.y[1], view.y[0]]
    }).then(function () {
      state.programmatic--;
      syncPanels(options || {});
    }, function () { state.programmatic--; });
  }

  function centredView(x, y) {
    var view = getMainView();
    var w = view.x[1] - view.x[0], h = view.y[1] - view.y[0];
    return { x: [x - w / 2, x + w / 2], y: [y - h / 2, y + h / 2] };
  }

  function isVisible(i, view) {
    var x = nodes.x[i], y = nodes.y[i];
    return x >= view.x[0] && x <= view.x[1] && y >= view.y[0] && y <= view.y[1];
  }

  /// Overview window, slider and (unless a selection owns it) table scroll
  /// follow the main view.
  function syncPanels(options) {
    var view = getMainView();
    if (overviewPanel) placeOverviewWindow(view);
    if (slider && !options.fromSlider) {
      var start = view[levelAxis][0];
      slider.value = String(Math.min(Math.max(start, Number(slider.min)),
                                     Number(slider.max)));
    }
    if (tableDiv && options.scrollTable !== false) {
      for (var i = 0; i < count; i++) {
        if (isVisible(i, view)) {
          scrollRowTo(i);
          break;
        }
      }
    }
  }

  /// Scrolls the table so that row i is the first row under the header.
  function scrollRowTo(i) {
    tableDiv.scrollTop = Math.max(0, table.rowTop(i) - table.headerHeight);
    table.update();
  }

  /// Scrolls row i into view (a third down) unless it is visible already.
  function scrollRowIntoView(i) {
    var header = table.headerHeight, rowTop = table.rowTop(i);
    var top = tableDiv.scrollTop + header;
    var bottom = tableDiv.scrollTop + tableDiv.clientHeight;
    if (rowTop < top || rowTop + table.rowHeight > bottom)
      tableDiv.scrollTop = Math.max(0, rowTop - header -
                                       (tableDiv.clientHeight - header) / 3);
    table.update();
  }

  /// Selects node `i`: centre it, outline it, highlight its table row.
  function selectNode(i, options) {
    options = options || {};
    var previous = table && table.rowElement(state.selected);
    if (previous) previous.classList.remove('mav-selected');
    state.selected = i;
    var x = nodes.x[i], y = nodes.y[i];
    Plotly.restyle(mainDiv, { x: [[x]], y: [[y]] }, [OUTLINE_TRACE]);
    if (table) {
      if (options.scrollRow !== false) scrollRowIntoView(i);
      var row = table.rowElement(i);
      if (row) row.classList.add('mav-selected');
    }
    return setMainView(centredView(x, y), { scrollTable: false });
  }

  // -------------------------------------------------------------- events --
  mainDiv.on('plotly_click', function (event) {
    var point = event.points && event.points[0];
    if (point && point.curveNumber === NODE_TRACE)
      selectNode(point.pointNumber);
  });
  mainDiv.on('plotly_relayout', function () {
    if (!state.programmatic) syncPanels({});
  });

  if (overviewPanel) {
    overviewPanel.addEventListener('click', function (event) {
      var box = overviewPanel.getBoundingClientRect();
      var point = overviewData(event.clientX - box.left,
                               event.clientY - box.top);
      setMainView(centredView(point[0], point[1]), {});
    });
  }

  if (slider) {
    slider.addEventListener('input', function () {
      var view = getMainView();
      var start = Number(slider.value);
      var span = view[levelAxis][1] - view[levelAxis][0];
      view[levelAxis] = [start, start + span];
      setMainView(view, { fromSlider: true });
    });
  }

  menu.addEventListener('change', function () {
    state.menu = Number(menu.value);
    var entry = spec.menu.states[state.menu];
    Plotly.restyle(mainDiv, { 'marker.size': [entry.main.size],
                              'marker.color': [entry.main.color] },
                   [NODE_TRACE]);
    if (overviewPanel) drawOverview();
  });

  function runSearch(advance) {
    var query = search.value.trim().toLowerCase();
    if (query !== state.searchQuery) {
      state.searchQuery = query;
      state.searchMatches = [];
      state.searchPos = -1;
      if (query) {
        for (var i = 0; i < count; i++) {
          if (nodes.name[i].toLowerCase().indexOf(query) >= 0 ||
              nodes.op[i].toLowerCase().indexOf(query) >= 0)
            state.searchMatches.push(i);
        }
      }
    }
    var matches = state.searchMatches;
    if (!query) {
      searchStatus.textContent = '';
      return;
    }
    if (!matches.length) {
      searchStatus.textContent = 'no match';
      return;
    }
    if (advance || state.searchPos < 0)
      state.searchPos = (state.searchPos + 1) % matches.length;
    searchStatus.textContent = (state.searchPos + 1) + ' of ' + matches.length;
    selectNode(matches[state.searchPos]);
  }
  search.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') runSearch(true);
  });

  // For tests and for scripting the page from the console.
  window.mavApp = {
    spec: spec, state: state, main: mainDiv, overview: overviewPanel,
    nodeCount: count, hoverText: hoverText, tableCells: tableCells,
    /// Node i's columns as one object ({name, op, x, y, ...}).
    node: function (i) {
      var node = {};
      Object.keys(nodes).forEach(function (key) {
        if (nodes[key].length === count) node[key] = nodes[key][i];
      });
      return node;
    },
    overviewPixel: overviewPanel ? overviewPixel : null,
    table: tableDiv, slider: slider, menu: menu, search: search,
    selectNode: selectNode, getMainView: getMainView,
    setMainView: setMainView,
    ready: Promise.all(ready).then(function () {
      mark('mav-plots-ready');
      syncPanels({});
      mark('mav-ready');
    })
  };
})();
