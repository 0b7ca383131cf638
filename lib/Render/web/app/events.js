// events.js - What clicks, pans, the slider, the dropdown and search do
//
// Wires the page's input events to views.js and the redraw functions.

  // A click on a node selects it; a click on the graph's background (not a
  // drag, which pans) clears the selection. Plotly reports a node click
  // (plotly_click) before the browser's click event of the same press.
  var pointClickTime = -1e9, pressedAt = null;

  /// The label (drawn by drawGroupBoxes) under the pointer at (clientX,
  /// clientY), of an expanded group or an open chain, or null. Labels win
  /// over the nodes Plotly finds near the pointer.
  function groupLabelAt(clientX, clientY) {
    var box = mainDiv.getBoundingClientRect();
    var px = clientX - box.left, py = clientY - box.top;
    var labels = state.groupLabels || [];
    for (var k = labels.length - 1; k >= 0; k--) {
      var label = labels[k];
      if (px >= label.x && px <= label.x + label.w &&
          py >= label.y && py <= label.y + label.h) return label;
    }
    return null;
  }

  mainDiv.on('plotly_click', function (event) {
    var point = event.points && event.points[0];
    var mouse = event.event;
    if (groupView && mouse && groupLabelAt(mouse.clientX, mouse.clientY))
      return;  // the click event below collapses the group
    if (point && point.curveNumber === NODE_TRACE) {
      pointClickTime = performance.now();
      selectNode(point.pointNumber);
    } else if (point && groupView && point.curveNumber === GROUP_TRACE) {
      pointClickTime = performance.now();
      setGroupExpanded(groupView.items[point.pointNumber], true);
    }
  });
  mainDiv.addEventListener('pointerdown', function (event) {
    pressedAt = [event.clientX, event.clientY];
  }, true);
  mainDiv.addEventListener('click', function (event) {
    if (!pressedAt) return;
    var moved = Math.abs(event.clientX - pressedAt[0]) +
                Math.abs(event.clientY - pressedAt[1]);
    if (moved > 4 || performance.now() - pointClickTime < 400) return;
    if (event.target.closest('.modebar')) return;
    // A click on an expanded group's label collapses it.
    var labelled = groupView ? groupLabelAt(event.clientX, event.clientY) : null;
    if (labelled) {
      if (labelled.chain !== undefined) setChainOpen(labelled.chain, false);
      else setGroupExpanded(labelled.g, false);
      return;
    }
    clearSelection();
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
    slider.onchange = function (low, high) {
      var view = getMainView();
      view[levelAxis] = [low, high];
      setMainView(view, { fromSlider: true });
    };
  }

  if (failureNotice) {
    failureNotice.addEventListener('click', function () {
      selectNode(failedIndex);
    });
  }

  if (depthMenu) {
    depthMenu.addEventListener('change', function () {
      setGroupDepth(Number(depthMenu.value));
    });
  }

  menu.addEventListener('change', function () {
    state.menu = Number(menu.value);
    var entry = spec.menu.states[state.menu];
    Plotly.restyle(mainDiv, { 'marker.size': [mainMarkerSizes(state.menu)],
                              'marker.color': [entry.main.color] },
                   [NODE_TRACE]);
    if (overviewPanel) drawOverview();
    drawLegend();
    if (table) table.redraw();
  });

  // Search: the matches of what is typed are highlighted as it is typed,
  // and the first is selected; Enter steps to the next, Shift+Enter to the
  // previous; Escape clears it all.
  function findMatches() {
    var query = search.value.trim().toLowerCase();
    if (query === state.searchQuery) return false;
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
    return true;
  }

  /// Updates the matches and selects the one `step` (+1, -1, or 0: the
  /// current one, the first for a new query) away.
  function runSearch(step) {
    var changed = findMatches();
    var matches = state.searchMatches, n = matches.length;
    search.classList.toggle('mav-no-match', !!state.searchQuery && !n);
    if (changed) setHighlight(matches);
    if (!state.searchQuery) {
      searchStatus.textContent = '';
      return;
    }
    if (!n) {
      searchStatus.textContent = 'no match';
      return;
    }
    if (state.searchPos < 0) state.searchPos = step < 0 ? n - 1 : 0;
    else state.searchPos = (state.searchPos + step + n) % n;
    searchStatus.textContent = (state.searchPos + 1) + ' of ' + n;
    selectNode(matches[state.searchPos]);
  }

  function clearSearch() {
    if (!search.value && !state.searchQuery) return;
    search.value = '';
    runSearch(0);
  }

  // Typing is followed after a pause, so a long graph is not searched and
  // redrawn on every key.
  var searchTimer = null;
  search.addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { runSearch(0); }, 120);
  });
  search.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      clearTimeout(searchTimer);
      var fresh = search.value.trim().toLowerCase() !== state.searchQuery;
      runSearch(fresh ? 0 : event.shiftKey ? -1 : 1);
      event.preventDefault();
    } else if (event.key === 'Escape') {
      clearTimeout(searchTimer);
      clearSearch();
      event.preventDefault();
      event.stopPropagation();
    }
  });

  // Escape elsewhere clears the selection and the highlighted nodes.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' || event.target === search) return;
    clearSelection();
    clearHighlight();
  });
