// table.js - The table of nodes, one row per node
//
// A virtual table (only the rows in view exist) whose row clicks select
// nodes, fitted to its panel, which the handle beside it resizes; and the
// page without plotly.js, which is this table alone. With module groups
// (groups.js) the table is a tree: a row per group drawn, indented by
// depth, with its totals, over the rows of what it holds, which show only
// while it is expanded; a click on a group's row expands or collapses it.

  // The table is virtual: only the rows in view (and a few either side)
  // exist in the DOM, between two spacer rows that give the scroll area the
  // height of every row. A full table of 10,000 rows cost seconds of layout
  // before the graphs could draw. Rows have one fixed height and the
  // columns fixed widths, measured once on the widest cells, so rows can
  // come and go without anything moving. The columns fit the table's width
  // (fitColumns): a name too long for its cell ends in an ellipsis, and its
  // title shows it whole. onSelect(i) is called for a click on row i;
  // colorOf(i) is the colour of its dot.
  function buildTable(onSelect, colorOf) {
    var columns = spec.table.columns, overscan = 20;
    var tableEl = element('table', null, tableDiv);
    var colgroup = element('colgroup', null, tableEl);
    var cols = columns.map(function () { return element('col', null, colgroup); });
    var head = element('thead', null, tableEl);
    var headRow = element('tr', null, head);
    // A count's header carries the model's total ("Params [11 689 512]"):
    // the total goes on a second line, so the column is as narrow as its
    // numbers.
    columns.forEach(function (text) {
      var th = element('th', null, headRow);
      var split = text.indexOf(' [');
      th.textContent = split < 0 ? text : text.slice(0, split);
      if (split >= 0)
        element('span', 'mav-th-total', th).textContent = text.slice(split + 1);
      th.title = text;
    });
    var body = element('tbody', null, tableEl);
    var t = { first: 0, last: 0, rowHeight: 0, headerHeight: 0,
              body: body, count: count };

    // The rows: without groups, row i is node i. With them, `rows` lists
    // what each row shows (node i >= 0, group g as -1 - g), and `rowOfNode`
    // where each node's row is (that of the group it is hidden in, else).
    var rows = null, rowOfNode = null;
    function rowCount() { return rows ? rows.length : count; }
    /// Rebuilds the tree's rows for the expansion state of groups.js.
    t.rebuild = function () {
      if (!groupView) return;
      rows = [];
      rowOfNode = new Array(count);
      var groupRow = new Array(groupCount).fill(-1);
      for (var i = 0; i < count; i++) {
        var chain = chainOf(i), open = true, target = -1;
        for (var k = 0; k < chain.length; k++) {
          var g = chain[k], head = groups.foldOf[g];
          if (head !== null && head !== undefined && !groupView.unfolded[head]) {
            target = groupRow[head];  // a hidden instance: the fold's row
            open = false;
            break;
          }
          if (groupRow[g] < 0) {
            groupRow[g] = rows.length;
            rows.push(-1 - g);
          }
          target = groupRow[g];
          if (!groupView.expanded[g]) {
            open = false;
            break;
          }
        }
        if (open && isFinite(nodes.x[i])) {
          rowOfNode[i] = rows.length;
          rows.push(i);
        } else {
          rowOfNode[i] = Math.max(0, target);
        }
      }
      show(Math.min(t.first, rows.length), Math.min(t.last, rows.length));
      if (t.update) t.update();  // not yet while the table is built
    };

    function spacer(height) {
      var row = document.createElement('tr');
      row.className = 'mav-spacer';
      var cell = element('td', null, row);
      cell.colSpan = columns.length;
      row.style.height = height + 'px';
      return row;
    }

    /// The row of group g: its label (a triangle saying whether it is
    /// open), class and totals, indented by its depth.
    function renderGroupRow(g) {
      var row = document.createElement('tr');
      row.dataset.group = String(g);
      row.className = 'mav-group-row';
      var open = groupView.expanded[g];
      var cells = [(open ? '\u25be ' : '\u25b8 ') + groupLabel(g), groups.className[g],
                   '', groups.paramsText[g], groups.flopsText[g]];
      cells.forEach(function (text, c) {
        var cell = element('td', c >= 3 ? 'mav-number' : null, row);
        if (c === 0) cell.style.paddingLeft = 4 + 12 * (groups.depth[g] - 1) + 'px';
        cell.textContent = text;
        cell.title = c === 0 ? groups.hover[g].join('\n') : text;
      });
      return row;
    }

    function renderRow(i) {
      if (rows) {
        var entry = rows[i];
        if (entry < 0) return renderGroupRow(-1 - entry);
        i = entry;
      }
      var row = document.createElement('tr');
      row.dataset.node = String(i);
      var className = '';
      if (nodes.status[i] === 'failed') className += ' mav-failed';
      if (nodes.status[i] === 'not-run') className += ' mav-not-run';
      if (nodes.parent[i] !== null) className += ' mav-sub-node';
      if (i === state.selected) className += ' mav-selected';
      if (t.highlight && t.highlight[i]) className += ' mav-match';
      if (className) row.className = className.slice(1);
      tableCells(i).forEach(function (text, c) {
        var cell = element('td', c >= 3 ? 'mav-number' : null, row);
        if (c === 0) {
          if (groupView)
            cell.style.paddingLeft = 4 + 12 * chainOf(i).length +
                                     (nodes.parent[i] !== null ? 14 : 0) + 'px';
          var swatch = element('span', 'mav-swatch', cell);
          swatch.style.backgroundColor = colorOf(i);
        }
        cell.appendChild(document.createTextNode(text));
        cell.title = text; // the whole text, where the cell cuts it off
      });
      return row;
    }

    /// Shows rows [first, last) between the spacers.
    function show(first, last) {
      t.first = first;
      t.last = last;
      var fragment = document.createDocumentFragment();
      fragment.appendChild(spacer(first * t.rowHeight));
      for (var i = first; i < last; i++) fragment.appendChild(renderRow(i));
      fragment.appendChild(spacer((rowCount() - last) * t.rowHeight));
      body.textContent = '';
      body.appendChild(fragment);
    }

    // Column widths: lay out the rows with the longest text of each column
    // (and the header), then fix them.
    var candidates = {};
    var cellLength = [
      function (i) { return nodes.name[i].length + (nodes.parent[i] !== null ? 3 : 0); },
      function (i) { return nodes.op[i].length; },
      function (i) { return nodes.activations[i].length; },
      function (i) { return nodes.paramsText[i].length; },
      function (i) { return nodes.flopsText[i].length; }
    ];
    columns.forEach(function (_, c) {
      var longest = [];
      for (var i = 0; i < count; i++) {
        var length = cellLength[c](i);
        if (longest.length < 8 || length > longest[longest.length - 1][0]) {
          longest.push([length, i]);
          longest.sort(function (a, b) { return b[0] - a[0]; });
          if (longest.length > 8) longest.pop();
        }
      }
      longest.forEach(function (entry) { candidates[entry[1]] = true; });
    });
    var measured = Object.keys(candidates).map(Number).sort(function (a, b) {
      return a - b;
    });
    measured.forEach(function (i) { body.appendChild(renderRow(i)); });
    var widths = Array.prototype.map.call(headRow.cells, function (th) {
      return th.getBoundingClientRect().width;
    });
    if (measured.length) {
      var rowsEls = body.rows;
      t.rowHeight = (rowsEls[rowsEls.length - 1].getBoundingClientRect().bottom -
                     rowsEls[0].getBoundingClientRect().top) / rowsEls.length;
    }
    t.headerHeight = head.getBoundingClientRect().height;
    var natural = widths.map(function (w) { return Math.ceil(w) + 2; });
    tableEl.style.tableLayout = 'fixed';

    /// Sets the column widths for a table at most `limit` px wide: the
    /// numbers keep their width, and the text columns share the rest, none
    /// wider than it needs nor narrower than its header.
    t.fit = function (limit) {
      var fitted = natural.slice();
      var total = natural.reduce(function (a, b) { return a + b; }, 0);
      if (total > limit) {
        var text = [0, 1, 2].sort(function (a, b) { return natural[a] - natural[b]; });
        var room = limit - natural[3] - natural[4];
        text.forEach(function (c, k) {
          var share = room / (text.length - k);
          fitted[c] = Math.max(Math.min(natural[c], Math.floor(share)), 48);
          room -= fitted[c];
        });
      }
      var width = 0;
      cols.forEach(function (col, c) {
        col.style.width = fitted[c] + 'px';
        width += fitted[c];
      });
      tableEl.style.width = width + 'px';
      // The panel: the table and the panel's own scroll bar and border.
      tableDiv.style.width = width + 'px';
      tableDiv.style.width = width + tableDiv.offsetWidth - tableDiv.clientWidth + 'px';
      t.width = width;
    };
    t.naturalWidth = natural.reduce(function (a, b) { return a + b; }, 0);
    t.fit(defaultTableWidth());
    // Whole pixels (a row's height is a minimum in tables: round up), so
    // that row i starts exactly at header + i * rowHeight.
    t.rowHeight = Math.max(1, Math.ceil(t.rowHeight - 0.01) || 20);
    body.style.setProperty('--mav-row-height', t.rowHeight + 'px');
    if (groupView) t.rebuild();
    show(0, Math.min(rowCount(), overscan * 2));

    /// Renders the rows around the scroll position (call after scrolling).
    t.update = function () {
      var top = Math.max(0, tableDiv.scrollTop - t.headerHeight);
      var visible = Math.ceil(tableDiv.clientHeight / t.rowHeight) + 1;
      var first = Math.max(0, Math.floor(top / t.rowHeight) - overscan);
      var last = Math.min(rowCount(), first + visible + 2 * overscan);
      if (first !== t.first || last !== t.last) {
        // Only re-render when the view leaves the rendered band.
        var shownTop = Math.floor(top / t.rowHeight);
        if (shownTop < t.first || shownTop + visible > t.last ||
            t.last === t.first)
          show(first, last);
      }
    };
    /// The row element of node i, or null when it is not rendered (or
    /// hidden in a collapsed group).
    t.rowElement = function (i) {
      var r = rows ? rowOfNode[i] : i;
      if (r < t.first || r >= t.last || (rows && rows[r] !== i)) return null;
      return body.rows[r - t.first + 1] || null;
    };
    /// Where node i's row starts (its group's, when it is hidden in one),
    /// in the table's scroll coordinates.
    t.rowTop = function (i) {
      return t.headerHeight + (rows ? rowOfNode[i] : i) * t.rowHeight;
    };
    t.redraw = function () { show(t.first, t.last); };

    tableDiv.addEventListener('scroll', t.update, { passive: true });
    window.addEventListener('resize', t.update);
    body.addEventListener('click', function (event) {
      var row = event.target.closest('tr');
      if (row && row.dataset.node !== undefined)
        onSelect(Number(row.dataset.node), { scrollRow: false });
      else if (row && row.dataset.group !== undefined) {
        var g = Number(row.dataset.group);
        setGroupExpanded(g, !groupView.expanded[g]);
      }
    });
    if (resizer) dragToResize(t);
    return t;
  }

  /// The width the table gets at first: what its columns need, up to what
  /// the graph panels leave, and half the window at most (all five columns
  /// visible on a 1024-px screen).
  function defaultTableWidth() {
    return Math.max(320, Math.min(window.innerWidth - 560, window.innerWidth / 2));
  }

  /// Dragging the handle left of the table resizes it; the graph panels
  /// take the rest (they follow the window's resize event).
  function dragToResize(t) {
    resizer.addEventListener('pointerdown', function (event) {
      event.preventDefault();
      resizer.setPointerCapture(event.pointerId);
      function move(e) {
        var right = panels.getBoundingClientRect().right;
        var limit = Math.min(Math.max(200, right - e.clientX),
                             window.innerWidth - 260);
        t.fit(limit);
        window.dispatchEvent(new Event('resize'));
      }
      function up() {
        resizer.removeEventListener('pointermove', move);
        resizer.removeEventListener('pointerup', up);
      }
      resizer.addEventListener('pointermove', move);
      resizer.addEventListener('pointerup', up);
    });
  }

  /// The page without its graph: `message`, then the table, whose row
  /// clicks mark the row.
  function showTableOnly(message) {
    var box = element('div', 'mav-error', app);
    box.id = 'mav-no-graph';
    box.textContent = message;
    var panels = element('div', 'mav-panels', app);
    tableDiv = element('div', 'mav-table mav-table-only', panels);
    tableDiv.id = 'mav-table';
    table = buildTable(function (i) {
      var previous = table.rowElement(state.selected);
      if (previous) previous.classList.remove('mav-selected');
      state.selected = i;
      var row = table.rowElement(i);
      if (row) row.classList.add('mav-selected');
    }, function (i) { return nodes.color[i]; });
    window.mavApp = { spec: spec, state: state, nodeCount: count,
                      table: tableDiv, ready: Promise.resolve() };
  }

