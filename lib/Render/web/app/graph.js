// graph.js - The main graph: traces, first draw, and the edge canvas
//
// The node and edge traces of the main graph, Plotly's first draw of it,
// and the canvas WebGL graphs draw their edges on.

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

