// export.js - The whole graph as a picture: SVG and PNG
//
// The toolbar's SVG and PNG buttons save the whole architecture, not the
// visible part: every node in the dropdown's current size and colour, with
// its operation beside it, the edges, the title and the legend. The
// picture is drawn at a fixed density, so a long model gives a long
// picture. `mav-render --svg` (lib/Render/SvgBackend.cpp) writes the same
// bytes: keep the two in step (test/browser/usability.test compares them).

  /// `&`, `<`, `>` and `"` as XML entities (attributes are double-quoted),
  /// as mav-render's escapeHtml writes them.
  function escapeXml(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }

  function svgNumber(v) { return String(Math.round(v * 10) / 10); }

  /// The SVG document of the whole graph, as the dropdown colours it: the
  /// same bytes as `mav-render --svg --size-color=K` for dropdown entry K
  /// (with the default colorscale).
  function buildSvg() {
    var entry = spec.menu.states[state.menu];
    var down = levelAxis === 'y';
    // Pixels per data unit along x and y, and the margins.
    var sx = down ? 150 : 120, sy = down ? 26 : 44, pad = 24, top = 44;
    var bx = spec.bounds.x, by = spec.bounds.y;
    var graphWidth = (bx[1] - bx[0]) * sx + (down ? 110 : 0);
    var graphHeight = (by[1] - by[0]) * sy + (down ? 0 : 16);
    function px(x) { return pad + (x - bx[0]) * sx; }
    function py(y) { return top + (y - by[0]) * sy; }

    // The legend, right of the graph (whole pixels).
    var legend = [], legendHeight = 0;
    var lx = Math.ceil(pad + graphWidth + 20), ly = top;
    if (entry.color === 'operation') {
      legend.push('<text x="' + lx + '" y="' + (ly + 10) +
                  '" font-weight="600">Colour: operation</text>');
      legendEntries.forEach(function (e, k) {
        var y = ly + 28 + k * 18;
        legend.push('<circle cx="' + (lx + 6) + '" cy="' + (y - 4) + '" r="5" fill="' +
                    escapeXml(e.color) + '"/><text x="' + (lx + 18) + '" y="' + y + '">' +
                    escapeXml(e.op) + ' (' + e.nodes.length + ')</text>');
      });
      legendHeight = 28 + legendEntries.length * 18;
    } else {
      var stops = [];
      for (var k = 0; k <= 10; k++)
        stops.push('<stop offset="' + (k / 10) + '" stop-color="' +
                   colorscaleColor(k / 10) + '"/>');
      legend.push('<text x="' + lx + '" y="' + (ly + 10) + '" font-weight="600">Colour: ' +
                  (entry.color === 'flops' ? 'FLOPS' : 'parameters') +
                  ' (log scale)</text>',
                  '<defs><linearGradient id="mav-colorbar">' + stops.join('') +
                  '</linearGradient></defs>',
                  '<rect x="' + lx + '" y="' + (ly + 20) +
                  '" width="200" height="12" fill="url(#mav-colorbar)"/>',
                  '<text x="' + lx + '" y="' + (ly + 48) + '">' +
                  escapeXml(entry.colorRangeText[0]) + '</text>',
                  '<text x="' + (lx + 200) + '" y="' + (ly + 48) +
                  '" text-anchor="end">' + escapeXml(entry.colorRangeText[1]) + '</text>');
      legendHeight = 56;
    }

    var width = lx + 220;
    var height = Math.ceil(Math.max(top + graphHeight, ly + legendHeight) + pad);
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + width +
               '" height="' + height + '" viewBox="0 0 ' + width + ' ' + height +
               '" font-family="sans-serif" font-size="11" fill="#222">',
               '<rect width="100%" height="100%" fill="#FFFFFF"/>',
               '<text x="' + pad + '" y="26" font-size="16" font-weight="600">' +
               escapeXml(spec.title) + '</text>'];
    var path = [];
    forEachEdgePoint(function (x, y, k) {
      path.push((k === 0 ? 'M' : 'L') + svgNumber(px(x)) + ' ' + svgNumber(py(y)));
    });
    out.push('<path fill="none" stroke="' + escapeXml(spec.style.edgeColor) +
             '" stroke-width="1" d="' + path.join('') + '"/>');
    var labels = [];
    if (groupView) {
      // Collapsed groups: grey squares with their labels.
      groupView.items.forEach(function (g, k) {
        var gx = px(groupView.itemX[k]), gy = py(groupView.itemY[k]);
        out.push('<rect x="' + svgNumber(gx - 7) + '" y="' + svgNumber(gy - 7) +
                 '" width="14" height="14" fill="#D9D9D9" stroke="#555555"/>');
        labels.push('<text x="' + svgNumber(gx + 11) + '" y="' + svgNumber(gy + 4) +
                    '">' + escapeXml(groupLabel(g)) + '</text>');
      });
    }
    for (var i = 0; i < count; i++) {
      if (!isFinite(nodes.x[i])) continue;  // in a collapsed group
      var r = entry.main.size[i] / 2, cx = px(nodes.x[i]), cy = py(nodes.y[i]);
      out.push('<circle cx="' + svgNumber(cx) + '" cy="' + svgNumber(cy) + '" r="' +
               svgNumber(r) + '" fill="' + escapeXml(nodeColor(i)) + '"' +
               (opacity[i] < 1 ? ' fill-opacity="' + opacity[i] + '"' : '') +
               ' stroke="' + escapeXml(lineColors[i]) + '" stroke-width="' +
               lineWidths[i] + '"/>');
      if (nodes.parent[i] !== null) continue;  // merged into the node above
      var text = shortLabel(nodes.op[i], 24);
      labels.push(down
          ? '<text x="' + svgNumber(cx + r + 4) + '" y="' + svgNumber(cy + 4) + '">' +
            escapeXml(text) + '</text>'
          : '<text x="' + svgNumber(cx) + '" y="' + svgNumber(cy + r + 12) +
            '" text-anchor="middle">' + escapeXml(text) + '</text>');
    }
    return out.concat(labels, legend, ['</svg>']).join('\n') + '\n';
  }

  /// The first `limit` characters (code points) of `text`, and `…` when cut.
  function shortLabel(text, limit) {
    var chars = Array.from(text);
    return chars.length <= limit ? text : chars.slice(0, limit - 1).join('') + '\u2026';
  }

  /// A file name from the graph's title: letters, digits, `-`, `_`, `.`.
  function exportName(extension) {
    return (spec.title.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'model') + '.' + extension;
  }

  function download(blob, name) {
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  /// The SVG drawn on a canvas, as a PNG blob: twice the SVG's size, less
  /// where a browser's canvas limits (16,384 px a side) demand it.
  function buildPng() {
    var svg = buildSvg();
    var size = /width="(\d+)" height="(\d+)"/.exec(svg);
    var w = Number(size[1]), h = Number(size[2]);
    var scale = Math.min(2, 16384 / w, 16384 / h, Math.sqrt(1.2e8 / (w * h)));
    return new Promise(function (resolve, reject) {
      var image = new Image();
      var url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      image.onload = function () {
        var canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.floor(w * scale));
        canvas.height = Math.max(1, Math.floor(h * scale));
        var context = canvas.getContext('2d');
        context.scale(scale, scale);
        context.drawImage(image, 0, 0, w, h);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob);
          else reject(new Error('the picture is too large for a PNG'));
        }, 'image/png');
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error('the SVG could not be drawn'));
      };
      image.src = url;
    });
  }

  exportSvgButton.addEventListener('click', function () {
    download(new Blob([buildSvg()], { type: 'image/svg+xml' }), exportName('svg'));
  });
  exportPngButton.addEventListener('click', function () {
    exportPngButton.disabled = true;
    buildPng().then(function (blob) {
      download(blob, exportName('png'));
    }, function (error) {
      window.alert('PNG export failed: ' + error.message);
    }).then(function () { exportPngButton.disabled = false; });
  });
