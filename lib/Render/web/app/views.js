// views.js - The main view, the panels that follow it, and selection
//
// Reads and moves the main graph's visible range, keeps the overview
// window, the slider and the table scroll in step with it, and selects a
// node (show it, outline it, highlight its table row) or clears the
// selection.

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
    if (slider && !options.fromSlider)
      slider.set(view[levelAxis][0], view[levelAxis][1]);
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

  /// The view that shows node i: centred along the levels (short of
  /// either end of the model) and, only when it is outside the view (or
  /// within 5% of its edge) across them, there too, so that a click does not
  /// move a graph sideways.
  function viewShowing(i) {
    var view = getMainView(), p = { x: nodes.x[i], y: nodes.y[i] };
    var along = view[levelAxis], across = view[crossAxis];
    var span = along[1] - along[0], width = across[1] - across[0];
    var result = {};
    result[levelAxis] = [p[levelAxis] - span / 2, p[levelAxis] + span / 2];
    // Not past either end of the model, unless the view is longer than it.
    var bounds = spec.bounds[levelAxis];
    if (span <= bounds[1] - bounds[0]) {
      var shift = Math.max(0, bounds[0] - result[levelAxis][0]) -
                  Math.max(0, result[levelAxis][1] - bounds[1]);
      result[levelAxis] = [result[levelAxis][0] + shift, result[levelAxis][1] + shift];
    }
    var c = p[crossAxis], inset = width * 0.05;
    result[crossAxis] = c < across[0] + inset || c > across[1] - inset
        ? [c - width / 2, c + width / 2] : across.slice();
    return result;
  }

  /// Redraws the graph for a new expansion state (groups.js): node
  /// positions, collapsed groups, edges, boxes, the overview and the
  /// slider's ends. The view does not move.
  function redrawGroups() {
    var started = performance.now();
    applyGroupState();
    var applied = performance.now();
    var view = getMainView();
    // One restyle of the three traces: each call redraws the whole plot.
    // (`undefined` leaves a trace's attribute as it is.)
    var trace = groupTrace();
    var traces = [NODE_TRACE, GROUP_TRACE];
    var update = { x: [nodes.x.slice(), trace.x], y: [nodes.y.slice(), trace.y],
                   text: [undefined, trace.text],
                   hovertext: [undefined, trace.hovertext],
                   'marker.size': [mainMarkerSizes(state.menu), trace.marker.size] };
    if (canvasEdges) {
      drawnEdgeView = '';
    } else {
      edges = edgeArrays();
      traces.push(0);
      update.x.push(edges.x);
      update.y.push(edges.y);
      ['text', 'hovertext', 'marker.size'].forEach(function (key) {
        update[key].push(undefined);
      });
    }
    return Plotly.restyle(mainDiv, update, traces).then(function () {
      if (canvasEdges) drawEdgeCanvas();
      if (overviewPanel) {
        drawOverview();
        placeOverviewWindow(view);
      }
      if (slider) slider.setBounds(spec.slider.min, spec.slider.max);
      if (table) table.rebuild();
      drawMarks();
      state.groupRedraw = { ms: performance.now() - started,
                            stateMs: applied - started,
                            items: groupView.items.length,
                            boxes: groupView.boxes.length,
                            count: (state.groupRedraw ? state.groupRedraw.count : 0) + 1 };
    });
  }

  /// Expands (or collapses) group g.
  function setGroupExpanded(g, expanded) {
    groupView.expanded[g] = expanded;
    return redrawGroups();
  }

  /// Opens (or closes) the merged chain of top-level node p.
  function setChainOpen(p, open) {
    groupView.openChains[p] = open;
    return redrawGroups();
  }

  /// Expands the groups down to `depth` and collapses the deeper ones; the
  /// folds fold again and the merged chains close.
  function setGroupDepth(depth) {
    for (var g = 0; g < groupCount; g++) {
      groupView.expanded[g] = groups.depth[g] <= depth;
      groupView.unfolded[g] = false;
    }
    groupView.openChains.fill(false);
    return redrawGroups();
  }

  /// Selects node `i`: show it (viewShowing), ring it, highlight its table
  /// row. Only a change of view redraws the graph. A node inside a
  /// collapsed group or a fold is revealed first: its groups expand.
  function selectNode(i, options) {
    options = options || {};
    if (revealNode(i))
      return redrawGroups().then(function () { return selectNode(i, options); });
    var previous = table && table.rowElement(state.selected);
    if (previous) previous.classList.remove('mav-selected');
    state.selected = i;
    if (table) {
      if (options.scrollRow !== false) scrollRowIntoView(i);
      var row = table.rowElement(i);
      if (row) row.classList.add('mav-selected');
    }
    drawMarks();
    var view = viewShowing(i), current = getMainView();
    if (view.x[0] === current.x[0] && view.x[1] === current.x[1] &&
        view.y[0] === current.y[0] && view.y[1] === current.y[1])
      return Promise.resolve();
    return setMainView(view, { scrollTable: false });
  }

  /// Clears the selection (Escape, or a click on the graph's background).
  function clearSelection() {
    var previous = table && table.rowElement(state.selected);
    if (previous) previous.classList.remove('mav-selected');
    state.selected = -1;
    drawMarks();
  }
