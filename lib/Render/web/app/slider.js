// slider.js - The level slider: a window over the levels, with two handles
//
// A track along the level axis (vertical when levels run down or up,
// horizontal when they run right or left) and, on it, the window of levels
// the main graph shows. Dragging the window scrolls; dragging a handle
// moves one end, which sets how many levels are visible; a click on the
// track centres the window there. Keys, with the slider focused: arrows move
// by a level, PageUp/PageDown by a window, Home/End to either end, and
// +/- show fewer or more levels.

  /// Builds the slider in `parent`. The returned object's `onchange(low,
  /// high)` is called when the user moves it; `set(low, high)` moves it
  /// without calling onchange; `range()` is [low, high].
  function buildRangeSlider(parent, horizontal) {
    var min = spec.slider.min, max = spec.slider.max;
    var MIN_SPAN = Math.min(2, max - min);
    var track = element('div', 'mav-range', parent);
    track.id = 'mav-slider';
    track.tabIndex = 0;
    track.setAttribute('role', 'slider');
    track.setAttribute('aria-orientation', horizontal ? 'horizontal' : 'vertical');
    track.setAttribute('aria-valuemin', String(min));
    track.setAttribute('aria-valuemax', String(max));
    track.title = 'Levels shown: drag the window to scroll, its ends to ' +
                  'show more or fewer levels';
    var windowEl = element('div', 'mav-range-window', track);
    var lowHandle = element('div', 'mav-range-handle mav-range-low', windowEl);
    var highHandle = element('div', 'mav-range-handle mav-range-high', windowEl);
    var s = { low: min, high: max, onchange: null, element: track };

    function clamp(low, high) {
      var span = Math.min(Math.max(high - low, MIN_SPAN), max - min);
      low = Math.min(Math.max(low, min), max - span);
      return [low, low + span];
    }
    function draw() {
      var total = (max - min) || 1;
      var start = (s.low - min) / total * 100, size = (s.high - s.low) / total * 100;
      windowEl.style[horizontal ? 'left' : 'top'] = start + '%';
      windowEl.style[horizontal ? 'width' : 'height'] = size + '%';
      track.setAttribute('aria-valuenow', String(Math.round(s.low * 100) / 100));
      track.setAttribute('aria-valuetext', 'levels ' + Math.round(s.low) +
                         ' to ' + Math.round(s.high));
    }
    s.set = function (low, high) {
      var r = clamp(low, high);
      s.low = r[0];
      s.high = r[1];
      draw();
    };
    s.range = function () { return [s.low, s.high]; };
    /// New ends of the track (the levels of the graph drawn changed, as
    /// when a group is collapsed or expanded); the window stays in them.
    s.setBounds = function (low, high) {
      min = low;
      max = high;
      MIN_SPAN = Math.min(2, max - min);
      track.setAttribute('aria-valuemin', String(min));
      track.setAttribute('aria-valuemax', String(max));
      s.set(s.low, s.high);
    };
    /// Moves the slider as the user would: onchange follows.
    s.move = function (low, high) {
      s.set(low, high);
      if (s.onchange) s.onchange(s.low, s.high);
    };

    // Level under a pointer event, along the track.
    function levelAt(event) {
      var box = track.getBoundingClientRect();
      var f = horizontal ? (event.clientX - box.left) / (box.width || 1)
                         : (event.clientY - box.top) / (box.height || 1);
      return min + f * (max - min);
    }
    track.addEventListener('pointerdown', function (event) {
      event.preventDefault();
      track.focus();
      var edge = event.target === lowHandle ? 'low'
               : event.target === highHandle ? 'high' : 'window';
      if (edge === 'window' && event.target !== windowEl) {
        var span = s.high - s.low, at = levelAt(event);
        s.move(at - span / 2, at + span / 2);
      }
      var start = levelAt(event), from = [s.low, s.high];
      track.setPointerCapture(event.pointerId);
      function drag(e) {
        var d = levelAt(e) - start;
        if (edge === 'low')
          s.move(Math.min(from[0] + d, from[1] - MIN_SPAN), from[1]);
        else if (edge === 'high')
          s.move(from[0], Math.max(from[1] + d, from[0] + MIN_SPAN));
        else
          s.move(from[0] + d, from[1] + d);
      }
      function release() {
        track.removeEventListener('pointermove', drag);
        track.removeEventListener('pointerup', release);
        track.removeEventListener('pointercancel', release);
      }
      track.addEventListener('pointermove', drag);
      track.addEventListener('pointerup', release);
      track.addEventListener('pointercancel', release);
    });
    track.addEventListener('keydown', function (event) {
      var span = s.high - s.low, step = 0;
      switch (event.key) {
      case 'ArrowDown': case 'ArrowRight': step = 1; break;
      case 'ArrowUp': case 'ArrowLeft': step = -1; break;
      case 'PageDown': step = Math.max(1, span - 1); break;
      case 'PageUp': step = -Math.max(1, span - 1); break;
      case 'Home': s.move(min, min + span); break;
      case 'End': s.move(max - span, max); break;
      case '+': case '=': s.move(s.low + 0.5, s.high - 0.5); break;
      case '-': case '_': s.move(s.low - 0.5, s.high + 0.5); break;
      default: return;
      }
      event.preventDefault();
      if (step) s.move(s.low + step, s.high + step);
    });
    draw();
    return s;
  }
