// views.js - The main view, the panels that follow it, and selection
//
// Reads and moves the main graph's visible range, keeps the overview
// window, the slider and the table scroll in step with it, and selects a
// node (centre, outline, table row).

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

