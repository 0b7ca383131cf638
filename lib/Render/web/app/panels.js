// panels.js - The toolbar and the panels of the page
//
// Builds the DOM: the toolbar (title, size/colour dropdown, search box,
// export buttons), the failure notice of a partial model, and the panels:
// level slider, overview, legend over the main graph, table.

  function element(tag, className, parent) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (parent) parent.appendChild(e);
    return e;
  }

  var horizontal = levelAxis === 'x';
  if (horizontal) app.classList.add('mav-horizontal');
  var toolbar = element('header', 'mav-toolbar', app);
  var title = element('span', 'mav-title', toolbar);
  title.textContent = spec.title;
  title.title = spec.title;
  var menu = element('select', 'mav-menu', toolbar);
  menu.id = 'mav-menu';
  menu.title = 'Size and colour the nodes by';
  spec.menu.states.forEach(function (entry, i) {
    var option = element('option', null, menu);
    option.value = String(i);
    option.textContent = entry.label;
  });
  menu.value = String(state.menu);
  // Expand or collapse every group to a depth (groups.js), when the IR
  // went through the group pass.
  var depthMenu = null;
  if (groupView) {
    depthMenu = element('select', 'mav-depth', toolbar);
    depthMenu.title = 'Expand the module groups down to a depth';
    var initialDepth = 0;
    for (var g = 0; g < groupCount; g++)
      if (groupView.expanded[g]) initialDepth = Math.max(initialDepth, groups.depth[g]);
    for (var d = 0; d <= groupView.maxDepth; d++) {
      var option = element('option', null, depthMenu);
      option.value = String(d);
      option.textContent = d === 0 ? 'Collapse all'
                         : d === groupView.maxDepth ? 'Expand all'
                         : 'Expand to depth ' + d;
    }
    depthMenu.value = String(initialDepth);
  }
  var search = element('input', 'mav-search', toolbar);
  search.id = 'mav-search';
  search.type = 'search';
  search.placeholder = 'Search name or op';
  search.title = 'Matches are highlighted as you type. Enter: next match, ' +
                 'Shift+Enter: previous, Escape: clear';
  var searchStatus = element('span', 'mav-search-status', toolbar);
  searchStatus.id = 'mav-search-status';
  element('span', 'mav-toolbar-gap', toolbar);
  var exportSvgButton = element('button', 'mav-button', toolbar);
  exportSvgButton.id = 'mav-export-svg';
  exportSvgButton.textContent = 'SVG';
  exportSvgButton.title = 'Save the whole graph with its legend as SVG';
  var exportPngButton = element('button', 'mav-button', toolbar);
  exportPngButton.id = 'mav-export-png';
  exportPngButton.textContent = 'PNG';
  exportPngButton.title = 'Save the whole graph with its legend as PNG';

  // A partial model: the first failed node's error, visible without a
  // hover (a click on it selects the node).
  var failedIndex = nodes.status.indexOf('failed');
  var failureNotice = null;
  if (failedIndex >= 0) {
    failureNotice = element('div', 'mav-failure', app);
    failureNotice.id = 'mav-failure';
    failureNotice.textContent = 'The forward pass failed in ' +
        nodes.name[failedIndex] + ' (' + nodes.op[failedIndex] + '): ' +
        (nodes.error[failedIndex] || 'failed') +
        '. Later nodes are drawn grey: they did not run.';
    failureNotice.title = 'Click to select the failed node';
  }

  // Panels, left to right: the graph area and the table, with a handle
  // between them that resizes the table. The graph area holds the slider,
  // the overview and the main graph side by side when levels run down or
  // up; when they run right or left, the overview and the slider lie
  // across the top, wide, over the main graph.
  var panels = element('div', 'mav-panels', app);
  var graphArea = element('div', 'mav-graph-area', panels);
  var slider = null, sliderPanel = null;
  function addSlider() {
    if (!spec.slider.enabled) return;
    sliderPanel = element('div', 'mav-slider-panel', graphArea);
    slider = buildRangeSlider(sliderPanel, horizontal);
  }
  // The overview is drawn on a canvas, under a div for the view window. It
  // does not pan or zoom, so it needs none of Plotly's machinery, and a
  // second WebGL graph cost seconds at 10,000 nodes (WebGL contexts and
  // line drawing are slow when the browser renders in software).
  var overviewPanel = null, overviewCanvas = null, overviewWindow = null;
  function addOverview() {
    if (!spec.overview.enabled) return;
    overviewPanel = element('div', 'mav-overview', graphArea);
    overviewPanel.id = 'mav-overview';
    overviewCanvas = element('canvas', 'mav-overview-canvas', overviewPanel);
    overviewWindow = element('div', 'mav-overview-window', overviewPanel);
  }
  if (horizontal) {
    addOverview();
    addSlider();
  } else {
    addSlider();
    addOverview();
  }
  // The legend is a strip over the main graph, never over its nodes.
  var mainColumn = element('div', 'mav-main-column', graphArea);
  var legendDiv = element('div', 'mav-legend', mainColumn);
  legendDiv.id = 'mav-legend';
  var mainDiv = element('div', 'mav-main', mainColumn);
  mainDiv.id = 'mav-main';
  var tableDiv = null, table = null, resizer = null;
  if (spec.table.enabled) {
    resizer = element('div', 'mav-resizer', panels);
    resizer.title = 'Drag to resize the table';
    tableDiv = element('div', 'mav-table', panels);
    tableDiv.id = 'mav-table';
    table = buildTable(selectNode, nodeColor);
  }
  mark('mav-table-built');
