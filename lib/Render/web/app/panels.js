// panels.js - The toolbar and the panels of the page
//
// Builds the DOM: the toolbar (title, size/colour dropdown, search box) and
// the panels left to right: level slider, overview, main graph, table.

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

