// mav-render's HTML front end: draws the widget spec (docs/Widget.md) of the
// page with plotly.js and keeps its panels in step, without a kernel:
//   - clicking a node (main graph) or a table row selects the node: it is
//     centred, outlined, and its row highlighted and scrolled into view;
//   - panning/zooming the main graph moves the overview window and the
//     slider, and scrolls the table to the first visible node;
//   - clicking the overview or moving the slider moves the main view;
//   - the dropdown restyles the node traces of both graphs;
//   - the search box selects nodes whose name or operation matches.
// Text from the model reaches the page only through textContent and Plotly's
// escaped labels; nothing is assigned to innerHTML.
(function () {
  'use strict';

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
  if (spec.version !== 1) {
    fail('Unsupported widget spec version ' + spec.version + '.');
    return;
  }

  var nodes = spec.nodes;
  var levelAxis = spec.levelAxis; // 'y' (levels run down/up) or 'x'
  var NODE_TRACE = 1;     // in both graphs: [edges, nodes(, outline)]
  var OUTLINE_TRACE = 2;  // main graph only
  var state = { selected: -1, menu: spec.menu.active, programmatic: 0,
                searchQuery: '', searchMatches: [], searchPos: -1 };

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
  var overviewDiv = spec.overview.enabled
      ? element('div', 'mav-overview', panels) : null;
  if (overviewDiv) overviewDiv.id = 'mav-overview';
  var mainDiv = element('div', 'mav-main', panels);
  mainDiv.id = 'mav-main';
  var tableDiv = null, rows = [];
  if (spec.table.enabled) {
    tableDiv = element('div', 'mav-table', panels);
    tableDiv.id = 'mav-table';
    buildTable();
  }

  function buildTable() {
    var table = element('table', null, tableDiv);
    var headRow = element('tr', null, element('thead', null, table));
    spec.table.columns.forEach(function (text) {
      element('th', null, headRow).textContent = text;
    });
    var body = element('tbody', null, table);
    spec.table.rows.forEach(function (cells, i) {
      var row = element('tr', null, body);
      row.dataset.node = String(i);
      var node = nodes[i];
      if (node.status === 'failed') row.classList.add('mav-failed');
      if (node.status === 'not-run') row.classList.add('mav-not-run');
      if (node.parent !== null) row.classList.add('mav-sub-node');
      cells.forEach(function (text, c) {
        var cell = element('td', c >= 3 ? 'mav-number' : null, row);
        if (c === 0) {
          var swatch = element('span', 'mav-swatch', cell);
          swatch.style.backgroundColor = node.color;
        }
        cell.appendChild(document.createTextNode(text));
      });
      rows.push(row);
    });
    body.addEventListener('click', function (event) {
      var row = event.target.closest('tr');
      if (row && row.dataset.node !== undefined)
        selectNode(Number(row.dataset.node), { scrollRow: false });
    });
  }

  // -------------------------------------------------------------- traces --
  function edgeArrays() {
    var xs = [], ys = [];
    spec.edges.forEach(function (edge) {
      edge.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); });
      xs.push(null);
      ys.push(null);
    });
    return { x: xs, y: ys };
  }

  function column(key) {
    return nodes.map(function (n) { return n[key]; });
  }

  var xs = column('x'), ys = column('y');
  var opacity = nodes.map(function (n) {
    return n.status === 'not-run' ? spec.style.notRunOpacity : 1;
  });
  var lineColors = nodes.map(function (n) {
    if (n.status === 'failed') return spec.style.failedColor;
    if (n.status === 'not-run') return spec.style.notRunOutlineColor;
    return '#FFFFFF';
  });
  var lineWidths = nodes.map(function (n) {
    return n.status === 'failed' ? 2 : n.status === 'not-run' ? 1 : 0.5;
  });
  var edges = edgeArrays();

  function edgeTrace() {
    return { type: spec.traceType, mode: 'lines', x: edges.x, y: edges.y,
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
      trace.text = column('hover');
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
  var config = { scrollZoom: true, displaylogo: false, responsive: true };
  var ready = [Plotly.newPlot(mainDiv, [edgeTrace(), nodeTrace('main'),
                                        outline], mainLayout, config)];

  if (overviewDiv) {
    var overviewLayout = {
      margin: { l: 4, r: 4, t: 4, b: 4 }, showlegend: false,
      xaxis: axis(spec.bounds.x, false), yaxis: axis(spec.bounds.y, true),
      plot_bgcolor: '#FFFFFF', paper_bgcolor: '#FFFFFF',
      shapes: [windowShape(spec.view)]
    };
    ready.push(Plotly.newPlot(overviewDiv, [edgeTrace(),
                                            nodeTrace('overview')],
                              overviewLayout,
                              { staticPlot: true, responsive: true }));
  }

  function windowShape(view) {
    return { type: 'rect', xref: 'x', yref: 'y',
             x0: view.x[0], x1: view.x[1], y0: view.y[0], y1: view.y[1],
             line: { color: '#1F77B4', width: 1 },
             fillcolor: 'rgba(31,119,180,0.12)' };
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

  function isVisible(node, view) {
    return node.x >= view.x[0] && node.x <= view.x[1] &&
           node.y >= view.y[0] && node.y <= view.y[1];
  }

  /// Overview window, slider and (unless a selection owns it) table scroll
  /// follow the main view.
  function syncPanels(options) {
    var view = getMainView();
    if (overviewDiv) {
      Plotly.relayout(overviewDiv, {
        'shapes[0].x0': view.x[0], 'shapes[0].x1': view.x[1],
        'shapes[0].y0': view.y[0], 'shapes[0].y1': view.y[1]
      });
    }
    if (slider && !options.fromSlider) {
      var start = view[levelAxis][0];
      slider.value = String(Math.min(Math.max(start, Number(slider.min)),
                                     Number(slider.max)));
    }
    if (tableDiv && options.scrollTable !== false) {
      for (var i = 0; i < nodes.length; i++) {
        if (isVisible(nodes[i], view)) {
          scrollRowTo(i);
          break;
        }
      }
    }
  }

  function scrollRowTo(i) {
    var header = tableDiv.querySelector('thead');
    tableDiv.scrollTop = Math.max(0, rows[i].offsetTop - header.offsetHeight);
  }

  function scrollRowIntoView(i) {
    var row = rows[i];
    var header = tableDiv.querySelector('thead').offsetHeight;
    var top = tableDiv.scrollTop + header;
    var bottom = tableDiv.scrollTop + tableDiv.clientHeight;
    if (row.offsetTop < top || row.offsetTop + row.offsetHeight > bottom)
      tableDiv.scrollTop = Math.max(0, row.offsetTop - header -
                                       (tableDiv.clientHeight - header) / 3);
  }

  /// Selects node `i`: centre it, outline it, highlight its table row.
  function selectNode(i, options) {
    options = options || {};
    if (state.selected >= 0 && rows[state.selected])
      rows[state.selected].classList.remove('mav-selected');
    state.selected = i;
    var node = nodes[i];
    Plotly.restyle(mainDiv, { x: [[node.x]], y: [[node.y]] },
                   [OUTLINE_TRACE]);
    if (rows[i]) {
      rows[i].classList.add('mav-selected');
      if (options.scrollRow !== false) scrollRowIntoView(i);
    }
    return setMainView(centredView(node.x, node.y), { scrollTable: false });
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

  if (overviewDiv) {
    overviewDiv.addEventListener('click', function (event) {
      var layout = overviewDiv._fullLayout;
      if (!layout) return;
      var box = overviewDiv.getBoundingClientRect();
      var x = layout.xaxis.p2d(event.clientX - box.left - layout._size.l);
      var y = layout.yaxis.p2d(event.clientY - box.top - layout._size.t);
      setMainView(centredView(x, y), {});
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
    if (overviewDiv)
      Plotly.restyle(overviewDiv, { 'marker.size': [entry.overview.size],
                                    'marker.color': [entry.overview.color] },
                     [NODE_TRACE]);
  });

  function runSearch(advance) {
    var query = search.value.trim().toLowerCase();
    if (query !== state.searchQuery) {
      state.searchQuery = query;
      state.searchMatches = [];
      state.searchPos = -1;
      if (query) {
        nodes.forEach(function (node, i) {
          if (node.name.toLowerCase().indexOf(query) >= 0 ||
              node.op.toLowerCase().indexOf(query) >= 0)
            state.searchMatches.push(i);
        });
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
    spec: spec, state: state, main: mainDiv, overview: overviewDiv,
    table: tableDiv, slider: slider, menu: menu, search: search,
    selectNode: selectNode, getMainView: getMainView,
    setMainView: setMainView,
    ready: Promise.all(ready).then(function () { syncPanels({}); })
  };
})();
