// groups.js - Collapsing and expanding modules, folded repeated blocks
//
// When the IR went through the group pass (spec.groups, docs/Widget.md
// "Groups"), the page draws the model at an expansion state: a collapsed
// group is one item (a grey square with its class, `×N` for a fold of N
// identical blocks), an expanded one shows its members inside a labelled
// box. A fold shows its first instance only, until a search or selection
// reaches into another instance, which unfolds it. A merged chain (a
// top-level node and the sub-nodes the merge pass hung under it, drawn as
// small dots beside it) is a small group too: opened, its sub-nodes get
// rows and markers of their own.
//
// Every state is derived from the one layout of the whole graph (the
// layout pass's), so positions do not jump: a collapsed group sits at its
// first row and the mean column of its nodes, rows that hold nothing
// visible are removed, and the others keep their order (docs/Layout.md,
// "Groups on the page"). The current positions are written into
// nodes.x / nodes.y (NaN for a node not drawn), spec.bounds and the edge
// polylines (edgeLines), which every other part of the page reads.

  var groups = spec.groups || { path: [] };
  var groupCount = groups.path.length;
  var baseX = nodes.x.slice(), baseY = nodes.y.slice();
  // The margin spec.bounds has around the nodes, kept around the nodes
  // drawn at any state.
  var boundsMargin = (function () {
    var lowX = Infinity, highX = -Infinity, lowY = Infinity, highY = -Infinity;
    for (var i = 0; i < count; i++) {
      lowX = Math.min(lowX, baseX[i]); highX = Math.max(highX, baseX[i]);
      lowY = Math.min(lowY, baseY[i]); highY = Math.max(highY, baseY[i]);
    }
    if (!count) return { x: 0, y: 0 };
    return { x: Math.max(0, lowX - spec.bounds.x[0]),
             y: Math.max(0, lowY - spec.bounds.y[0]) };
  })();

  /// The edges as polylines: points pointX/pointY, line k from
  /// lineStart[k] to lineStart[k + 1]. Without groups, the spec's edges.
  var edgeLines = null;
  function specEdgeLines() {
    var e = spec.edges, bend = 0, lines = { pointX: [], pointY: [], lineStart: [] };
    for (var j = 0; j < e.source.length; j++) {
      var s = e.source[j], t = e.target[j], n = e.bends[j];
      lines.lineStart.push(lines.pointX.length);
      lines.pointX.push(baseX[s]); lines.pointY.push(baseY[s]);
      for (var k = 0; k < n; k++, bend++) {
        lines.pointX.push(e.bendX[bend]); lines.pointY.push(e.bendY[bend]);
      }
      lines.pointX.push(baseX[t]); lines.pointY.push(baseY[t]);
    }
    lines.lineStart.push(lines.pointX.length);
    return lines;
  }

  var groupView = null;  // the state, when the spec has groups
  if (groupCount === 0) {
    edgeLines = specEdgeLines();
  } else {
    groupView = buildGroupView();
    applyGroupState();
  }

  function buildGroupView() {
    var gv = {
      expanded: groups.expanded.slice(),
      unfolded: new Array(groupCount).fill(false),
      first: new Array(groupCount).fill(-1),
      // Per group: smallest level coordinate and mean cross coordinate
      // of its nodes in the whole layout.
      minLevel: new Array(groupCount).fill(Infinity),
      crossSum: new Array(groupCount).fill(0),
      size: new Array(groupCount).fill(0),
      // Per top-level node with sub-nodes: whether its chain is open.
      openChains: new Array(count).fill(false),
      subNodes: {},
      items: [],          // visible collapsed groups
      itemX: [], itemY: [],
      boxes: [],          // expanded groups drawn: { g, x0, y0, x1, y1 }
      maxDepth: 0
    };
    var level = levelAxis === 'y' ? baseY : baseX;
    var cross = levelAxis === 'y' ? baseX : baseY;
    gv.chains = new Array(count);
    for (var i = 0; i < count; i++) {
      var chain = [];
      for (var c = nodes.group[i]; c !== null && c !== undefined; c = groups.parent[c])
        chain.unshift(c);
      gv.chains[i] = chain;
      for (var g = nodes.group[i]; g !== null && g !== undefined; g = groups.parent[g]) {
        if (gv.first[g] < 0) gv.first[g] = i;
        gv.minLevel[g] = Math.min(gv.minLevel[g], level[i]);
        gv.crossSum[g] += cross[i];
        gv.size[g]++;
      }
    }
    for (var h = 0; h < groupCount; h++)
      gv.maxDepth = Math.max(gv.maxDepth, groups.depth[h]);
    for (var s = 0; s < count; s++) {
      var top = nodes.parent[s];
      if (top !== null && top !== undefined)
        (gv.subNodes[top] = gv.subNodes[top] || []).push(s);
    }
    // The distance between neighbouring levels of the layout.
    var values = level.slice().sort(function (a, b) { return a - b; });
    gv.levelStep = 1;
    var step = Infinity;
    for (var k = 1; k < values.length; k++)
      if (values[k] > values[k - 1]) step = Math.min(step, values[k] - values[k - 1]);
    if (isFinite(step)) gv.levelStep = step;
    return gv;
  }

  /// The groups node i is in, outermost first (computed once).
  function chainOf(i) {
    return groupView.chains[i];
  }

  /// The fold head whose hidden instance node i is in (the outermost such
  /// instance), and the instance's group; null if none.
  function hiddenInstance(i) {
    var chain = chainOf(i);
    for (var k = 0; k < chain.length; k++) {
      var head = groups.foldOf[chain[k]];
      if (head !== null && head !== undefined && !groupView.unfolded[head])
        return { instance: chain[k], head: head };
    }
    return null;
  }

  /// What node i is drawn as: { node: j } (itself, or for a node of a
  /// hidden fold instance, the same node of the first instance) or
  /// { group: g } (the outermost collapsed group it is in).
  function representative(i) {
    for (var guard = 0; guard < 64; guard++) {
      var hidden = hiddenInstance(i);
      if (!hidden) break;
      i = i - groupView.first[hidden.instance] + groupView.first[hidden.head];
    }
    var chain = chainOf(i);
    for (var k = 0; k < chain.length; k++)
      if (!groupView.expanded[chain[k]]) return { group: chain[k], node: i };
    return { node: i, drawn: true };
  }

  /// Recomputes what is drawn and where for the current expansion state.
  function applyGroupState() {
    var gv = groupView;
    var level = levelAxis === 'y' ? baseY : baseX;
    var cross = levelAxis === 'y' ? baseX : baseY;
    var reps = new Array(count), isItem = new Array(groupCount).fill(false);
    var rows = [];
    // A merged sub-node drawn beside its top-level node (which comes first)
    // keeps its place between that node's row and the next; one whose
    // top-level node is in a collapsed group gets a row of its own.
    var besideParent = new Array(count).fill(false);
    for (var i = 0; i < count; i++) {
      var rep = representative(i);
      reps[i] = rep;
      if (rep.group !== undefined) {
        if (!isItem[rep.group]) {
          isItem[rep.group] = true;
          rows.push(gv.minLevel[rep.group]);
        }
      } else if (rep.node === i) {
        var top = nodes.parent[i];
        besideParent[i] = top !== null && top !== undefined && top < i &&
                          reps[top].group === undefined && reps[top].node === top &&
                          !besideParent[top] && !gv.openChains[top];
        if (!besideParent[i]) rows.push(level[i]);
      }
    }
    // Edges: between the items their ends are drawn as. An edge between
    // two nodes drawn as themselves keeps its bends (their rows stay);
    // others are straight. Edges between instances of one fold vanish.
    var e = spec.edges, bend = 0, kept = [], seen = {};
    for (var j = 0; j < e.source.length; j++) {
      var s = e.source[j], t = e.target[j], n = e.bends[j];
      var a = reps[s], b = reps[t];
      var firstBend = bend;
      bend += n;
      var ka = a.group !== undefined ? 'g' + a.group : 'n' + a.node;
      var kb = b.group !== undefined ? 'g' + b.group : 'n' + b.node;
      if (ka === kb) continue;
      var hs = hiddenInstance(s), ht = hiddenInstance(t);
      var headS = hs ? hs.head : foldHeadOf(s), headT = ht ? ht.head : foldHeadOf(t);
      if (headS !== null && headS === headT && (hs || ht)) continue;
      var plain = a.node === s && a.group === undefined &&
                  b.node === t && b.group === undefined;
      if (!plain) {
        var key = ka + '>' + kb;
        if (seen[key]) continue;
        seen[key] = true;
      }
      kept.push({ a: a, b: b, bends: plain ? n : 0, firstBend: firstBend });
      if (plain)
        for (var q = 0; q < n; q++)
          rows.push(levelAxis === 'y' ? e.bendY[firstBend + q] : e.bendX[firstBend + q]);
    }
    // The rows left, in order, one level step apart.
    rows.sort(function (x, y) { return x - y; });
    var rowOf = new Map(), next = 0;
    var start = rows.length ? rows[0] : 0;
    for (var r = 0; r < rows.length; r++)
      if (!rowOf.has(rows[r])) rowOf.set(rows[r], start + gv.levelStep * next++);
    function place(levelValue, crossValue) {
      var p = {};
      p[levelAxis] = rowOf.get(levelValue);
      p[crossAxis] = crossValue;
      return p;
    }

    // Nodes drawn as themselves, then collapsed groups.
    var levelOut = levelAxis === 'y' ? nodes.y : nodes.x;
    var crossOut = levelAxis === 'y' ? nodes.x : nodes.y;
    for (var m = 0; m < count; m++) {
      if (reps[m].group === undefined && reps[m].node === m) {
        var parent = nodes.parent[m];
        levelOut[m] = besideParent[m]
            ? rowOf.get(level[parent]) + (level[m] - level[parent])
            : rowOf.get(level[m]);
        crossOut[m] = cross[m];
      } else {
        levelOut[m] = NaN;
        crossOut[m] = NaN;
      }
    }
    gv.items = [];
    gv.itemX = [];
    gv.itemY = [];
    var itemAt = {};
    for (var g = 0; g < groupCount; g++) {
      if (!isItem[g]) continue;
      var pos = place(gv.minLevel[g], gv.crossSum[g] / gv.size[g]);
      itemAt[g] = gv.items.length;
      gv.items.push(g);
      gv.itemX.push(pos.x);
      gv.itemY.push(pos.y);
    }
    function point(rep) {
      if (rep.group !== undefined) {
        var k = itemAt[rep.group];
        return [gv.itemX[k], gv.itemY[k]];
      }
      return [nodes.x[rep.node], nodes.y[rep.node]];
    }

    var lines = { pointX: [], pointY: [], lineStart: [] };
    kept.forEach(function (edge) {
      lines.lineStart.push(lines.pointX.length);
      var p = point(edge.a);
      lines.pointX.push(p[0]); lines.pointY.push(p[1]);
      for (var q = 0; q < edge.bends; q++) {
        var bx = e.bendX[edge.firstBend + q], by = e.bendY[edge.firstBend + q];
        if (levelAxis === 'y') by = rowOf.get(by); else bx = rowOf.get(bx);
        lines.pointX.push(bx); lines.pointY.push(by);
      }
      p = point(edge.b);
      lines.pointX.push(p[0]); lines.pointY.push(p[1]);
    });
    lines.lineStart.push(lines.pointX.length);
    edgeLines = lines;

    // Boxes around the expanded groups that are drawn, over their items.
    var boxes = {};
    function extend(g, x, y) {
      for (; g !== null && g !== undefined; g = groups.parent[g]) {
        if (!gv.expanded[g]) continue;
        var box = boxes[g] || (boxes[g] = { g: g, x0: x, y0: y, x1: x, y1: y });
        box.x0 = Math.min(box.x0, x); box.x1 = Math.max(box.x1, x);
        box.y0 = Math.min(box.y0, y); box.y1 = Math.max(box.y1, y);
      }
    }
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    function bound(x, y) {
      minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
    for (var v = 0; v < count; v++) {
      if (!isFinite(nodes.x[v])) continue;
      bound(nodes.x[v], nodes.y[v]);
      extend(nodes.group[v], nodes.x[v], nodes.y[v]);
    }
    gv.items.forEach(function (g, k) {
      bound(gv.itemX[k], gv.itemY[k]);
      extend(groups.parent[g], gv.itemX[k], gv.itemY[k]);
    });
    gv.boxes = Object.keys(boxes).map(function (g) { return boxes[g]; })
        .sort(function (a, b) { return groups.depth[a.g] - groups.depth[b.g]; });
    // Open chains drawn: a box around the node and its sub-nodes.
    Object.keys(gv.subNodes).forEach(function (key) {
      var p = Number(key);
      if (!gv.openChains[p] || !isFinite(nodes.x[p])) return;
      var box = { chain: p, x0: nodes.x[p], y0: nodes.y[p], x1: nodes.x[p],
                  y1: nodes.y[p], nesting: 1 };
      gv.subNodes[p].forEach(function (s) {
        if (!isFinite(nodes.x[s])) return;
        box.x0 = Math.min(box.x0, nodes.x[s]); box.x1 = Math.max(box.x1, nodes.x[s]);
        box.y0 = Math.min(box.y0, nodes.y[s]); box.y1 = Math.max(box.y1, nodes.y[s]);
      });
      gv.boxes.push(box);
    });
    // A box's nesting: 1, or one more than the deepest box inside it, so
    // that an outer box can be drawn around the boxes it holds.
    for (var b = gv.boxes.length - 1; b >= 0; b--) {
      var inner = gv.boxes[b];
      inner.nesting = inner.nesting || 1;
      var up = groups.parent[inner.g];
      if (up !== null && up !== undefined && boxes[up])
        boxes[up].nesting = Math.max(boxes[up].nesting || 1, inner.nesting + 1);
    }
    if (!isFinite(minX)) { minX = maxX = minY = maxY = 0; }
    spec.bounds = { x: [minX - boundsMargin.x, maxX + boundsMargin.x],
                    y: [minY - boundsMargin.y, maxY + boundsMargin.y] };
    var levelsNow = spec.bounds[levelAxis];
    spec.slider.min = levelsNow[0];
    spec.slider.max = levelsNow[1];
  }

  /// The fold head node i's chain reaches (the first instance's or a
  /// hidden instance's head), or null.
  function foldHeadOf(i) {
    var chain = chainOf(i);
    for (var k = 0; k < chain.length; k++) {
      var g = chain[k];
      if (groups.fold[g] > 1 && !groupView.unfolded[g]) return g;
      var head = groups.foldOf[g];
      if (head !== null && head !== undefined && !groupView.unfolded[head]) return head;
    }
    return null;
  }

  /// Whether node i is drawn as itself now.
  function isNodeShown(i) {
    return isFinite(nodes.x[i]);
  }

  /// Makes node i drawn as itself: unfolds the folds it is hidden in,
  /// expands every group it is in, and opens its merged chain if it is a
  /// sub-node. Returns whether anything changed.
  function revealNode(i) {
    if (!groupView) return false;
    var changed = false;
    if (!isNodeShown(i)) {
      for (var guard = 0; guard < 64; guard++) {
        var hidden = hiddenInstance(i);
        if (!hidden) break;
        groupView.unfolded[hidden.head] = true;
      }
      chainOf(i).forEach(function (g) { groupView.expanded[g] = true; });
      changed = true;
    }
    var top = nodes.parent[i];
    if (top !== null && top !== undefined && !groupView.openChains[top]) {
      groupView.openChains[top] = true;
      changed = true;
    }
    return changed;
  }

  /// The node trace's marker sizes for menu entry `entry`: an open
  /// chain's sub-nodes as large as the smallest top-level node.
  function mainMarkerSizes(entry) {
    var sizes = spec.menu.states[entry].main.size;
    if (!groupView) return sizes;
    var open = Object.keys(groupView.subNodes).filter(function (p) {
      return groupView.openChains[p];
    });
    if (!open.length) return sizes;
    sizes = sizes.slice();
    open.forEach(function (p) {
      groupView.subNodes[p].forEach(function (s) {
        sizes[s] = Math.max(sizes[s], spec.style.mainSizeRange[0] + 2);
      });
    });
    return sizes;
  }

  /// The label of group g as drawn: `×N` only while it is folded.
  function groupLabel(g) {
    return groupView.unfolded[g] ? groups.label[g].replace(/ \u00d7\d+$/, '')
                                 : groups.label[g];
  }
