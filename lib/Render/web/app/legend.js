// legend.js - What the colours mean, and the nodes picked out
//
// The legend, a strip over the main graph: coloured by operation, one
// entry per operation with its colour and node count (a click highlights
// those nodes); coloured by FLOPs or parameters, a colour bar from the
// smallest to the largest count. Highlighted nodes (the legend's or the search's)
// are ringed in the main graph and marked in the table.

  /// Dot colour of node i in the active dropdown entry, as the graphs draw it.
  function nodeColor(i) {
    var entry = spec.menu.states[state.menu];
    return entry.color === 'operation' ? nodes.color[i]
                                       : colorscaleColor(entry.main.color[i]);
  }

  /// The legend's entries when colouring by operation: one per operation
  /// and colour, most nodes first, with the nodes it stands for.
  function operationEntries() {
    var byKey = new Map(), entries = [];
    for (var i = 0; i < count; i++) {
      var key = nodes.op[i] + '\u0000' + nodes.color[i];
      var entry = byKey.get(key);
      if (!entry) {
        entry = { op: nodes.op[i], color: nodes.color[i], nodes: [] };
        byKey.set(key, entry);
        entries.push(entry);
      }
      entry.nodes.push(i);
    }
    return entries.sort(function (a, b) {
      return b.nodes.length - a.nodes.length ||
             (a.op < b.op ? -1 : a.op > b.op ? 1 : 0);
    });
  }
  var legendEntries = operationEntries();

  /// Redraws the legend for the active dropdown entry: a line (more when
  /// opened with its last button) of entries, or the colour bar.
  function drawLegend() {
    legendDiv.textContent = '';
    var entry = spec.menu.states[state.menu];
    var label = element('span', 'mav-legend-label', legendDiv);
    if (entry.color === 'operation') {
      label.textContent = 'Colour:';
      legendEntries.forEach(function (e, k) {
        var row = element('button', 'mav-legend-entry', legendDiv);
        if (k === state.legendEntry) row.classList.add('mav-active');
        row.dataset.entry = String(k);
        var swatch = element('span', 'mav-swatch', row);
        swatch.style.backgroundColor = e.color;
        element('span', 'mav-legend-op', row).textContent = e.op;
        element('span', 'mav-legend-count', row).textContent = String(e.nodes.length);
        row.title = e.op + ': ' + e.nodes.length + ' node' +
                    (e.nodes.length === 1 ? '' : 's') + ' (click to highlight)';
      });
      var toggle = element('button', 'mav-legend-toggle', legendDiv);
      toggle.textContent = legendDiv.classList.contains('mav-open') ? 'less' : 'all';
      toggle.title = 'Show every entry, or one line';
      return;
    }
    label.textContent = 'Colour: ' + (entry.color === 'flops' ? 'FLOPS' : 'parameters') +
                        ' (log scale)';
    element('span', 'mav-colorbar-low', legendDiv).textContent = entry.colorRangeText[0];
    var bar = element('span', 'mav-colorbar', legendDiv);
    var stops = [];
    for (var k = 0; k <= 10; k++) stops.push(colorscaleColor(k / 10));
    bar.style.background = 'linear-gradient(to right, ' + stops.join(', ') + ')';
    element('span', 'mav-colorbar-high', legendDiv).textContent = entry.colorRangeText[1];
  }

  legendDiv.addEventListener('click', function (event) {
    if (event.target.closest('.mav-legend-toggle')) {
      legendDiv.classList.toggle('mav-open');
      drawLegend();
      window.dispatchEvent(new Event('resize'));
      return;
    }
    var row = event.target.closest('.mav-legend-entry');
    if (!row) return;
    var k = Number(row.dataset.entry);
    if (state.legendEntry === k) {
      clearHighlight();
      return;
    }
    clearSearch();
    setHighlight(legendEntries[k].nodes);
    state.legendEntry = k;
    drawLegend();
  });
  /// Rings nodes `indices` in the main graph and marks their table rows.
  function setHighlight(indices) {
    state.highlighted = indices;
    if (state.legendEntry >= 0) {
      state.legendEntry = -1;
      drawLegend();
    }
    var mask = new Uint8Array(count);
    indices.forEach(function (i) { mask[i] = 1; });
    if (table) {
      table.highlight = indices.length ? mask : null;
      table.redraw();
    }
    drawMarks();
  }

  function clearHighlight() {
    if (!state.highlighted.length && state.legendEntry < 0) return;
    setHighlight([]);
  }

  ready[0] = ready[0].then(drawLegend);
