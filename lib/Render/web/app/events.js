// events.js - What clicks, pans, the slider, the dropdown and search do
//
// Wires the page's input events to views.js and the redraw functions.

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

  if (failureNotice) {
    failureNotice.addEventListener('click', function () {
      selectNode(failedIndex);
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

