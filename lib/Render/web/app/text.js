// text.js - Hover text and table cells of a node
//
// What a node says in words, in the hover label of the main graph and in
// its table row.

  /// `3 628 899 328`: thousands separated by spaces.
  function formatThousands(value) {
    var digits = String(value), start = digits.charAt(0) === '-' ? 1 : 0;
    var out = digits.slice(0, start);
    for (var i = start; i < digits.length; i++) {
      if (i > start && (digits.length - i) % 3 === 0) out += ' ';
      out += digits.charAt(i);
    }
    return out;
  }

  /// formatThousands(value).length, without building the string.
  function thousandsLength(value) {
    var digits = String(value), n = digits.length - (value < 0 ? 1 : 0);
    return digits.length + Math.floor((n - 1) / 3);
  }

  /// `&`, `<`, `>` as entities for Plotly's pseudo-HTML labels.
  function escapePlotlyText(text) {
    return text.replace(/[&<>]/g, function (c) {
      return c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;';
    });
  }

  // Node i's args lines are nodes.args[argStart[i] .. argStart[i + 1]).
  var argStart = new Array(count + 1);
  argStart[0] = 0;
  for (var a = 0; a < count; a++) argStart[a + 1] = argStart[a] + nodes.argCount[a];

  /// Hover lines of node i as plain text.
  function hoverLines(i) {
    var lines = ['Name: ' + nodes.name[i], 'Operation: ' + nodes.op[i],
                 'Activations: ' + nodes.activations[i],
                 'Parameters: ' + formatThousands(nodes.params[i]),
                 'FLOPS: ' + formatThousands(nodes.flops[i])];
    if (nodes.status[i] === 'failed')
      lines.push('Error: ' + (nodes.error[i] || 'failed'));
    else if (nodes.status[i] === 'not-run')
      lines.push('Status: not run');
    for (var k = argStart[i]; k < argStart[i + 1]; k++) lines.push(nodes.args[k]);
    return lines;
  }

  /// Hover text of node i: Plotly label markup.
  function hoverText(i) {
    return hoverLines(i).map(escapePlotlyText).join('<br>');
  }

  /// Table cells of node i as plain text (set with textContent).
  function tableCells(i) {
    return [nodes.name[i], nodes.op[i], nodes.activations[i],
            formatThousands(nodes.params[i]), formatThousands(nodes.flops[i])];
  }

