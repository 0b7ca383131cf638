// overview.js - The whole graph, small, on a canvas, with the view window
//
// Draws the overview panel in the current dropdown state and moves its
// window rectangle over the part of the graph the main view shows.

  var OVERVIEW_MARGIN = 4;  // px around the graph, as the main graph's 10
  // The colorscale's stops, once Plotly has resolved them, and colours by
  // colour value: nodes share a handful of values (one per operation kind
  // or cost), and composing the string was most of the overview's drawing
  // time. Declared without a value: the table may fill them first.
  var overviewColorscale;
  var overviewColorCache;

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
    if (!overviewColorCache) overviewColorCache = new Map();
    var cached = overviewColorCache.get(t);
    if (cached === undefined) {
      cached = interpolateColorscale(t);
      if (overviewColorscale) overviewColorCache.set(t, cached);
    }
    return cached;
  }

  function interpolateColorscale(t) {
    var stops = overviewColorscale;
    if (!stops) {
      var full = mainDiv._fullData && mainDiv._fullData[NODE_TRACE];
      var resolved = full && full.marker && Array.isArray(full.marker.colorscale);
      stops = (resolved ? full.marker.colorscale : [[0, '#0000FF'], [1, '#FF0000']])
          .map(function (stop) {
            return [Number(stop[0]), parseColor(String(stop[1]))];
          });
      // Before the first draw (the table's first rows) the stops are a
      // stand-in: kept only once Plotly has resolved the real ones.
      if (resolved) overviewColorscale = stops;
    }
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
      if (!isFinite(nodes.x[i])) continue;  // in a collapsed group
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
    if (groupView) {
      // Collapsed groups, as grey squares.
      context.fillStyle = '#D9D9D9';
      context.strokeStyle = '#555555';
      context.lineWidth = 1;
      groupView.items.forEach(function (g, k) {
        var x = ox + groupView.itemX[k] * sx, y = oy + groupView.itemY[k] * sy;
        context.fillRect(x - 4, y - 4, 8, 8);
        context.strokeRect(x - 4, y - 4, 8, 8);
      });
    }
    state.overview = { menu: state.menu, nodes: drawn,
                       groups: groupView ? groupView.items.length : 0,
                       size: markers.size, color: markers.color };
  }

  /// Moves the overview's window rectangle onto `view` (data coordinates).
  /// The rectangle is cut to the panel: the main view may be wider than the
  /// graph (a narrow graph is not stretched across the main panel).
  function placeOverviewWindow(view) {
    var a = overviewPixel(view.x[0], view.y[0]);
    var b = overviewPixel(view.x[1], view.y[1]);
    var w = overviewPanel.clientWidth, h = overviewPanel.clientHeight;
    var left = Math.max(0, Math.min(a[0], b[0])), right = Math.min(w, Math.max(a[0], b[0]));
    var top = Math.max(0, Math.min(a[1], b[1])), bottom = Math.min(h, Math.max(a[1], b[1]));
    var style = overviewWindow.style;
    style.left = left + 'px';
    style.top = top + 'px';
    style.width = Math.max(0, right - left) + 'px';
    style.height = Math.max(0, bottom - top) + 'px';
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

