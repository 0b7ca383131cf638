// text.js - Hover text and table cells of a node
//
// What a node says in words, in the hover label of the main graph and in
// its table row. mav-render composes all of it (RenderModel::getHoverLines,
// formatThousands) and the spec carries the strings; this file only turns
// hover lines into Plotly's label markup, as --plotly-json's figure has it.

  /// `&`, `<`, `>` as entities for Plotly's pseudo-HTML labels.
  function escapePlotlyText(text) {
    return text.replace(/[&<>]/g, function (c) {
      return c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;';
    });
  }

  /// Hover text of node i: its plain-text lines as Plotly label markup.
  function hoverText(i) {
    return nodes.hover[i].map(escapePlotlyText).join('<br>');
  }

  /// Table cells of node i as plain text (set with textContent): the
  /// columns of spec.table.columns.
  function tableCells(i) {
    return [nodes.name[i], nodes.op[i], nodes.activations[i],
            nodes.paramsText[i], nodes.flopsText[i]];
  }

