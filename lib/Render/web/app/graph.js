// graph.js - The main graph: traces, first view, first draw, edge canvas
//
// The node and edge traces of the main graph, the view it opens on,
// Plotly's first draw of it, and the canvas WebGL graphs draw their edges
// on.

  /// Calls point(x, y, k) for the k-th point of each edge's polyline (from
  /// its source node through its bends to its target node), then end(), for
  /// the edges drawn now (groups.js's edgeLines).
  function forEachEdgePoint(point, end) {
    var lines = edgeLines, starts = lines.lineStart;
    for (var j = 0; j + 1 < starts.length; j++) {
      for (var k = starts[j]; k < starts[j + 1]; k++)
        point(lines.pointX[k], lines.pointY[k], k - starts[j]);
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
  // A failed node is outlined in its own colour, as in --plotly-json.
  var lineColors = nodes.status.map(function (status, i) {
    if (status === 'failed') return nodes.color[i];
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
      marker: { size: panel === 'main' ? mainMarkerSizes(state.menu) : markers.size,
                color: markers.color,
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

  // Pixels per level at which nodes are still told apart (a node is 6 to
  // 18 px across and levels overlap them a little), the density a model
  // too long for the panel opens at, and the most pixels between two
  // columns, so that a graph of one or two columns is not stretched.
  var MIN_LEVEL_PX = 10, OPEN_LEVEL_PX = 16, MAX_COLUMN_PX = 120;
  var MAIN_MARGIN = 10;

  /// The view the main graph opens on: the first `--levels-shown` levels
  /// when that was given, else the whole model when its levels fit the
  /// panel at MIN_LEVEL_PX or more, otherwise its first levels at
  /// OPEN_LEVEL_PX; across the levels, the whole width of the graph,
  /// filling the panel up to MAX_COLUMN_PX between columns.
  function firstView() {
    var along = levelAxis === 'y' ? mainDiv.clientHeight : mainDiv.clientWidth;
    var across = levelAxis === 'y' ? mainDiv.clientWidth : mainDiv.clientHeight;
    along = Math.max(50, along - 2 * MAIN_MARGIN);
    across = Math.max(50, across - 2 * MAIN_MARGIN);
    var levels = spec.bounds[levelAxis], columns = spec.bounds[crossAxis];
    var view = {};
    if (spec.slider.enabled && spec.slider.levelsShown > 0)  // --levels-shown
      view[levelAxis] = [levels[0], Math.min(levels[1], levels[0] + spec.slider.levelsShown)];
    else if ((levels[1] - levels[0]) * MIN_LEVEL_PX <= along)
      view[levelAxis] = levels.slice();
    else
      view[levelAxis] = [levels[0], levels[0] + along / OPEN_LEVEL_PX];
    var width = columns[1] - columns[0];
    var scale = Math.min(across / (width || 1), MAX_COLUMN_PX);
    var middle = (columns[0] + columns[1]) / 2, half = across / scale / 2;
    view[crossAxis] = [middle - half, middle + half];
    return view;
  }
  var startView = firstView();

  // The y axis is reversed: layout y grows downward on screen.
  var mainLayout = {
    margin: { l: MAIN_MARGIN, r: MAIN_MARGIN, t: MAIN_MARGIN, b: MAIN_MARGIN },
    showlegend: false, hovermode: 'closest', dragmode: 'pan',
    xaxis: axis(startView.x, false), yaxis: axis(startView.y, true),
    plot_bgcolor: '#FFFFFF', paper_bgcolor: '#FFFFFF'
  };
  // WebGL canvases at the screen's resolution: Plotly's default draws them
  // at twice it (plotGlPixelRatio 2), four times the pixels on an ordinary
  // screen to create, fill and composite; at 10,000 nodes in a browser
  // rendering in software that was most of the time spent drawing. Plotly's
  // camera, which saves only the visible part, gives way to the toolbar's
  // export of the whole graph (export.js).
  var config = { scrollZoom: true, displaylogo: false, responsive: true,
                 plotGlPixelRatio: Math.max(1, window.devicePixelRatio || 1),
                 modeBarButtonsToRemove: ['toImage', 'select2d', 'lasso2d'] };
  // The selection's ring and the highlighted nodes' rings are drawn on a
  // canvas over the plot (drawMarks), not as Plotly traces: changing a
  // trace makes Plotly recompute every trace, 100 ms and more a click on a
  // large WebGL graph.
  var markCanvas = element('canvas', 'mav-mark-canvas', mainDiv);
  var edgeCanvas = null;
  if (canvasEdges) {
    // The canvas sits under Plotly's layers, whose backgrounds are made
    // transparent (the panel is white).
    edgeCanvas = element('canvas', 'mav-edge-canvas', mainDiv);
    mainLayout.plot_bgcolor = mainLayout.paper_bgcolor = 'rgba(0,0,0,0)';
  }
  /// The collapsed groups (groups.js): grey squares sized by their
  /// parameters, labelled with their class (and `×N` for a fold), with the
  /// group's totals on hover. An SVG trace whatever the graph's size: there
  /// are few of them.
  var GROUP_TRACE = 2;
  function groupTrace() {
    var gv = groupView, largest = 1;
    gv.items.forEach(function (g) { largest = Math.max(largest, groups.params[g]); });
    var sizes = gv.items.map(function (g) {
      var p = groups.params[g];
      return p > 0 ? 14 + 12 * Math.log2(1 + p) / Math.log2(1 + largest) : 14;
    });
    return {
      type: 'scatter', mode: 'markers+text', x: gv.itemX, y: gv.itemY,
      // Labels are the model's text: escaped for Plotly's pseudo-HTML.
      text: gv.items.map(function (g) { return escapePlotlyText(groupLabel(g)); }),
      textposition: 'middle right',
      textfont: { size: 11, color: '#333333' },
      hovertext: gv.items.map(function (g) {
        return groups.hover[g].concat(['(click to expand)'])
            .map(escapePlotlyText).join('<br>');
      }),
      hoverinfo: 'text',
      marker: { symbol: 'square', size: sizes, color: '#D9D9D9',
                line: { color: '#555555', width: 1.5 } },
      showlegend: false
    };
  }

  mark('mav-traces-built');
  var mainTraces = [edgeTrace(), nodeTrace('main')];
  if (groupView) mainTraces.push(groupTrace());
  var ready = [Plotly.newPlot(mainDiv, mainTraces, mainLayout, config)];
  mark('mav-main-plotted');

  /// The main graph's axes as they are drawn: the key of the view (ranges,
  /// plot area, canvas size) and the map from data to panel pixels, or null
  /// before Plotly has laid them out. Pixel = offset + (value - start) *
  /// scale, with y measured from the top: range[1] is at the top whichever
  /// way the axis runs.
  function plotFrame() {
    var layout = mainDiv._fullLayout;
    if (!layout || !layout.xaxis || !layout.xaxis._length) return null;
    var xa = layout.xaxis, ya = layout.yaxis;
    var ratio = window.devicePixelRatio || 1;
    var pixelWidth = Math.round(mainDiv.clientWidth * ratio);
    var pixelHeight = Math.round(mainDiv.clientHeight * ratio);
    var x0 = xa.range[0], sx = xa._length / (xa.range[1] - xa.range[0]);
    var y1 = ya.range[1], sy = ya._length / (ya.range[1] - ya.range[0]);
    var ox = xa._offset, oy = ya._offset;
    return {
      key: [xa.range, ya.range, ox, oy, xa._length, ya._length, pixelWidth,
            pixelHeight].join(),
      ratio: ratio, pixelWidth: pixelWidth, pixelHeight: pixelHeight,
      area: [ox, oy, xa._length, ya._length],
      px: function (x) { return ox + (x - x0) * sx; },
      py: function (y) { return oy + (y1 - y) * sy; }
    };
  }

  /// Sizes `canvas` to the panel, clears it, and clips it to the plot area;
  /// the caller restores the context when done.
  function startCanvas(canvas, frame) {
    if (canvas.width !== frame.pixelWidth || canvas.height !== frame.pixelHeight) {
      canvas.width = frame.pixelWidth;
      canvas.height = frame.pixelHeight;
    }
    var context = canvas.getContext('2d');
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, frame.pixelWidth, frame.pixelHeight);
    context.setTransform(frame.ratio, 0, 0, frame.ratio, 0, 0);
    context.save();
    context.beginPath();
    context.rect(frame.area[0], frame.area[1], frame.area[2], frame.area[3]);
    context.clip();
    return context;
  }

  /// Draws the edges on the main graph's canvas for the current axis
  /// ranges, clipped to the plot area. Called whenever Plotly redraws and
  /// on every step of a pan or zoom (plotly_relayouting), when the axes
  /// already hold the new ranges. One move of the view raises several of
  /// those events, and a restyle (the dropdown) raises one without moving
  /// anything: a view already drawn is not drawn again.
  var drawnEdgeView = '';
  function drawEdgeCanvas() {
    var frame = plotFrame();
    if (!frame || frame.key === drawnEdgeView) return;
    drawnEdgeView = frame.key;
    var context = startCanvas(edgeCanvas, frame);
    context.strokeStyle = spec.style.edgeColor;
    context.lineWidth = 1;
    context.beginPath();
    forEachEdgePoint(function (x, y, k) {
      if (k === 0) context.moveTo(frame.px(x), frame.py(y));
      else context.lineTo(frame.px(x), frame.py(y));
    });
    context.stroke();
    context.restore();
    var layout = mainDiv._fullLayout;
    state.edgeCanvas = { x: layout.xaxis.range.slice(), y: layout.yaxis.range.slice(),
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

  /// Draws the rings over the plot: orange around the highlighted nodes
  /// (state.highlighted), black around the selected one. Called on every
  /// redraw and step of a pan, and whenever the selection or the
  /// highlighted nodes change. state.marks records what was drawn.
  function drawMarks() {
    var frame = plotFrame();
    if (!frame) return;
    var context = startCanvas(markCanvas, frame);
    var area = frame.area, drawn = 0;
    if (groupView) drawGroupBoxes(context, frame);
    function ring(i, radius) {
      var x = frame.px(nodes.x[i]), y = frame.py(nodes.y[i]);
      if (x < area[0] - radius || x > area[0] + area[2] + radius ||
          y < area[1] - radius || y > area[1] + area[3] + radius) return;
      context.moveTo(x + radius, y);
      context.arc(x, y, radius, 0, 2 * Math.PI);
      drawn++;
    }
    context.strokeStyle = '#FF7F0E';
    context.lineWidth = 2.5;
    context.beginPath();
    state.highlighted.forEach(function (i) { ring(i, 12); });
    context.stroke();
    var outline = null;
    if (state.selected >= 0) {
      context.strokeStyle = '#000000';
      context.lineWidth = 3;
      context.beginPath();
      ring(state.selected, 14);
      context.stroke();
      outline = [nodes.x[state.selected], nodes.y[state.selected]];
    }
    context.restore();
    state.marks = { outline: outline, highlighted: state.highlighted.length,
                    drawn: drawn, draws: (state.marks ? state.marks.draws : 0) + 1 };
  }
  /// The boxes of the expanded groups drawn (groupView.boxes), outer
  /// ones first, each labelled at its top left; a click on a label
  /// collapses the group (events.js reads state.groupLabels).
  function drawGroupBoxes(context, frame) {
    state.groupLabels = [];
    context.font = '10px sans-serif';
    context.textBaseline = 'bottom';
    groupView.boxes.forEach(function (box) {
      // Outer boxes wider than the boxes they hold, by a label's height,
      // so that each box and label shows.
      var pad = 8 + 15 * (box.nesting - 1);
      var chain = box.chain !== undefined;
      var x0 = frame.px(box.x0), x1 = frame.px(box.x1);
      var y0 = frame.py(box.y0), y1 = frame.py(box.y1);
      var left = Math.min(x0, x1) - pad, right = Math.max(x0, x1) + pad;
      var top = Math.min(y0, y1) - pad, bottom = Math.max(y0, y1) + pad;
      context.strokeStyle = '#B5B5B5';
      context.lineWidth = 1;
      context.setLineDash([4, 3]);
      context.strokeRect(left, top, right - left, bottom - top);
      context.setLineDash([]);
      var label = '\u25be ' + (chain ? nodes.name[box.chain] + ' +' +
                                groupView.subNodes[box.chain].length
                              : groupLabel(box.g));
      // An open fold shows its first instance; the label lists the rest.
      if (!chain && groups.fold[box.g] > 1 && !groupView.unfolded[box.g])
        label += ' (' + groups.path[box.g] + '; ' + (groups.fold[box.g] - 1) +
                 ' more alike)';
      var width = context.measureText(label).width + 6;
      context.fillStyle = 'rgba(255,255,255,0.85)';
      context.fillRect(left, top - 13, width, 13);
      context.fillStyle = '#555555';
      context.fillText(label, left + 3, top - 1);
      state.groupLabels.push({ g: chain ? -1 : box.g, chain: box.chain,
                               x: left, y: top - 13, w: width, h: 13 });
    });
  }

  ready[0] = ready[0].then(function () {
    drawMarks();
    mainDiv.on('plotly_afterplot', drawMarks);
    mainDiv.on('plotly_relayouting', drawMarks);
    mainDiv.on('plotly_relayout', drawMarks);
  });
