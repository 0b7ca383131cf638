// epilogue.js - window.mavApp, and the end of the front end's function
//
// Exposes the page's state and actions to tests and the console, and closes
// the function prologue.js opened.

  // For tests and for scripting the page from the console.
  window.mavApp = {
    spec: spec, state: state, main: mainDiv, overview: overviewPanel,
    nodeCount: count, hoverText: hoverText, tableCells: tableCells,
    /// Node i's columns as one object ({name, op, x, y, ...}).
    node: function (i) {
      var node = {};
      Object.keys(nodes).forEach(function (key) {
        if (nodes[key].length === count) node[key] = nodes[key][i];
      });
      return node;
    },
    overviewPixel: overviewPanel ? overviewPixel : null,
    table: tableDiv, slider: slider, menu: menu, search: search,
    legend: legendDiv, firstView: startView,
    selectNode: selectNode, clearSelection: clearSelection,
    getMainView: getMainView, setMainView: setMainView,
    buildSvg: buildSvg, buildPng: buildPng, nodeColor: nodeColor,
    /// The module groups (groups.js), or null without the group pass.
    groups: groupView && {
      view: groupView, spec: groups, depthMenu: depthMenu,
      setExpanded: setGroupExpanded, setDepth: setGroupDepth,
      setChainOpen: setChainOpen,
      label: groupLabel, isNodeShown: isNodeShown
    },
    ready: Promise.all(ready).then(function () {
      mark('mav-plots-ready');
      if (table) table.redraw();  // dot colours from the resolved colorscale
      syncPanels({});
      mark('mav-ready');
    })
  };
})();
