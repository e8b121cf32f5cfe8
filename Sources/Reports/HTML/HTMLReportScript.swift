/// The report page's script: draws the selected heatmap on a canvas, shows the tooltip on
/// hover, switches image / sweep / model / quadrant / difference views, filters plots and findings.
///
/// It reads the JSON in `<script id="auglab-data">` and builds every piece of user text with
/// `textContent` (never `innerHTML`), so names and captions cannot become markup. It exposes
/// `window.auglabReport` (`ready`, `readyMs`, `state`, `select(changes)`, `cellCenter(row, column)`)
/// for tests and for links into the report.
enum HTMLReportScript {
    static let source = #"""
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('auglab-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var QUADRANTS = { ii: 'image \u2013 image', it: 'image \u2013 text', ti: 'text \u2013 image', tt: 'text \u2013 text' };
  var MARGIN = { left: 96, top: 12, right: 96, bottom: 96 };
  var TARGET = 480;

  function bytesOf(b64) {
    var s = atob(b64), a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }
  var maps = {};
  Object.keys(data.colormaps).forEach(function (name) { maps[name] = bytesOf(data.colormaps[name]); });

  function valuesOf(m) {
    if (!m) return null;
    if (!m.values && m.transposeOf) {
      var src = valuesOf(m.transposeOf), t = new Float64Array(m.rows * m.columns);
      for (var r = 0; r < m.rows; r++) for (var c = 0; c < m.columns; c++) t[r * m.columns + c] = src[c * m.rows + r];
      m.values = t;
    } else if (!m.values) {
      var b = bytesOf(m.data), n = m.rows * m.columns, out = new Float64Array(n), step = (m.max - m.min) / 65535, k = 0;
      var at = function (i) { return m.min + (b[2 * i] | (b[2 * i + 1] << 8)) * step; };
      if (m.symmetric) {
        for (var row = 0; row < m.rows; row++) for (var col = row; col < m.columns; col++) {
          out[row * m.columns + col] = out[col * m.columns + row] = at(k++);
        }
      } else {
        for (var i = 0; i < n; i++) out[i] = at(i);
      }
      m.values = out;
    }
    return m.values;
  }
  data.matrices.forEach(function (s) {
    var block = function (i) { return (i === null || i === undefined) ? null : data.blocks[i]; };
    var it = block(s.it);
    s.quads = { ii: block(s.ii), it: it, tt: block(s.tt),
                ti: s.tiT && it ? { rows: it.columns, columns: it.rows, transposeOf: it } : block(s.ti) };
  });
  function byId(list, id) { for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i]; return null; }
  function matrixSet(image, sweep, model) {
    for (var i = 0; i < data.matrices.length; i++) {
      var s = data.matrices[i];
      if (s.image === image && s.sweep === sweep && s.model === model) return s;
    }
    return null;
  }
  function variantSet(image, sweep) {
    for (var i = 0; i < data.sets.length; i++) if (data.sets[i].image === image && data.sets[i].sweep === sweep) return data.sets[i];
    return null;
  }
  function clampBaseline(b) { return (typeof b === 'number' && isFinite(b) && b < 1) ? Math.min(b, 0.99) : null; }
  function fmt(x, d) { return isFinite(x) ? x.toFixed(d) : String(x); }

  var state = { image: null, sweep: null, model: null, view: 'ii', mode: 'plain', modelB: null, quadA: 'ii', quadB: 'tt',
                scale: 'baseline', colormap: 'viridis', onlySelected: false };
  if (data.matrices.length) {
    state.image = data.matrices[0].image; state.sweep = data.matrices[0].sweep; state.model = data.matrices[0].model;
  } else {
    if (data.images.length) state.image = data.images[0].id;
    if (data.sweeps.length) state.sweep = data.sweeps[0].id;
    if (data.models.length) state.model = data.models[0].id;
  }

  function fill(select, options, value) {
    while (select.firstChild) select.removeChild(select.firstChild);
    options.forEach(function (o) {
      var el = document.createElement('option');
      el.value = o.value; el.textContent = o.label;
      if (o.disabled) el.disabled = true;
      select.appendChild(el);
    });
    select.value = value;
  }

  // The quadrant / joint matrix as a grid: size, values, items on each axis.
  function quadrant(set, q) {
    if (!set) return null;
    var m = set.quads[q];
    if (!m) return null;
    return { rows: m.rows, columns: m.columns, values: valuesOf(m), rowKind: q.charAt(0), colKind: q.charAt(1) };
  }
  function gridOf(set, view) {
    if (!set) return null;
    if (view !== 'joint') return quadrant(set, view);
    var Q = set.quads;
    if (!Q.it || !Q.ti || !Q.tt) return null;
    var n = Q.ii.rows, m = set.texts.length, size = n + m, out = new Float64Array(size * size);
    var ii = valuesOf(Q.ii), it = valuesOf(Q.it), ti = valuesOf(Q.ti), tt = valuesOf(Q.tt);
    for (var r = 0; r < size; r++) for (var c = 0; c < size; c++) {
      var v;
      if (r < n && c < n) v = ii[r * n + c];
      else if (r < n) v = it[r * m + (c - n)];
      else if (c < n) v = ti[(r - n) * n + c];
      else v = tt[(r - n) * m + (c - n)];
      out[r * size + c] = v;
    }
    return { rows: size, columns: size, values: out, rowKind: 'j', colKind: 'j', split: n };
  }
  function itemAt(kind, index, vset, set) {
    var n = set ? set.quads.ii.rows : 0;
    if (kind === 'j') { if (index < n) { kind = 'i'; } else { kind = 't'; index -= n; } }
    if (kind === 'i') {
      var v = vset && vset.variants[index];
      return v ? { kind: 'variant', index: index, variant: v, label: v.label }
               : { kind: 'variant', index: index, variant: null, label: 'variant ' + index };
    }
    var t = set && set.texts[index];
    return { kind: 'text', index: index, text: t === undefined ? '' : t, label: t === undefined ? 'text ' + index : t };
  }

  // What is drawn: values, range, colours and the words for the tooltip.
  function current() {
    var set = matrixSet(state.image, state.sweep, state.model);
    if (!set) return { error: 'No matrix for this image, sweep and model.' };
    var model = byId(data.models, state.model);
    var vset = variantSet(state.image, state.sweep);
    if (state.mode === 'models') {
      var other = matrixSet(state.image, state.sweep, state.modelB), modelB = byId(data.models, state.modelB);
      if (!other) return { error: 'The second model has no matrix for this image and sweep.' };
      var a = gridOf(set, state.view), b = gridOf(other, state.view);
      if (!a || !b) return { error: 'This quadrant is not available for both models.' };
      if (a.rows !== b.rows || a.columns !== b.columns) return { error: 'The two models\u2019 matrices differ in shape.' };
      var ba = clampBaseline(model && model.baseline), bb = clampBaseline(modelB && modelB.baseline);
      var normalise = state.scale === 'baseline' && ba !== null && bb !== null && state.view === 'ii';
      var d = new Float64Array(a.values.length);
      for (var i = 0; i < d.length; i++) {
        d[i] = normalise ? (a.values[i] - ba) / (1 - ba) - (b.values[i] - bb) / (1 - bb) : a.values[i] - b.values[i];
      }
      return finishDifference(a, d, set, vset, function (k) {
        return (model ? model.name : 'A') + ' ' + fmt(a.values[k], 4) + ', ' + (modelB ? modelB.name : 'B') + ' ' + fmt(b.values[k], 4);
      }, (model ? model.name : 'A') + ' \u2212 ' + (modelB ? modelB.name : 'B') + (normalise ? ' (normalised units)' : ' (raw cosine)'));
    }
    if (state.mode === 'quadrants') {
      var qa = quadrant(set, state.quadA), qb = quadrant(set, state.quadB);
      if (!qa || !qb) return { error: 'This model has no text quadrants for this image and sweep.' };
      if (qa.rows !== qb.rows || qa.columns !== qb.columns) {
        return { error: QUADRANTS[state.quadA] + ' is ' + qa.rows + '\u00d7' + qa.columns + ' but ' + QUADRANTS[state.quadB] + ' is ' +
                 qb.rows + '\u00d7' + qb.columns + ': they cannot be subtracted.' };
      }
      var dq = new Float64Array(qa.values.length);
      for (var k = 0; k < dq.length; k++) dq[k] = qa.values[k] - qb.values[k];
      return finishDifference(qa, dq, set, vset, function (k) {
        return QUADRANTS[state.quadA] + ' ' + fmt(qa.values[k], 4) + ', ' + QUADRANTS[state.quadB] + ' ' + fmt(qb.values[k], 4);
      }, QUADRANTS[state.quadA] + ' \u2212 ' + QUADRANTS[state.quadB] + ' (raw cosine)');
    }
    var g = gridOf(set, state.view);
    if (!g) return { error: 'This view needs the text quadrants, which this run does not have.' };
    var lo = Infinity, hi = -Infinity;
    for (var j = 0; j < g.values.length; j++) { lo = Math.min(lo, g.values[j]); hi = Math.max(hi, g.values[j]); }
    var range, label, baseline = clampBaseline(model && model.baseline);
    if (state.scale === 'fixed') { range = [-1, 1]; label = 'cosine similarity, fixed range [\u22121, 1]'; }
    else if (state.scale === 'baseline' && baseline !== null && state.view === 'ii') {
      range = [baseline, 1]; label = 'cosine similarity, [' + fmt(baseline, 3) + ', 1] = unrelated-images baseline to identical';
    } else {
      if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
      range = [lo, hi];
      label = 'cosine similarity, data range' + (state.scale === 'baseline' ? ' (no baseline for this view)' : '');
    }
    return { grid: g, set: set, vset: vset, range: range, label: label, map: state.colormap,
             valueText: function (k) { return fmt(g.values[k], 4); }, detail: function () { return ''; } };
  }
  function finishDifference(g, d, set, vset, detail, title) {
    var largest = 0;
    for (var i = 0; i < d.length; i++) if (isFinite(d[i])) largest = Math.max(largest, Math.abs(d[i]));
    if (!(largest > 0)) largest = 1;
    var grid = { rows: g.rows, columns: g.columns, values: d, rowKind: g.rowKind, colKind: g.colKind, split: g.split };
    return { grid: grid, set: set, vset: vset, range: [-largest, largest], label: 'difference ' + title + ', symmetric range \u00b1max|d|',
             map: 'RdBu_r', valueText: function (k) { return fmt(d[k], 4); }, detail: detail };
  }

  function colourIndex(v, lo, hi) {
    if (v !== v) return -1;
    var x = (v - lo) / (hi - lo) * 256;
    if (x >= 256) return 255;
    if (x < 0) return 0;
    return Math.floor(x);
  }

  var canvas = $('heatmap'), view = null, geometry = null;
  function draw() {
    view = current();
    var message = $('heatmap-message');
    if (view.error) {
      message.textContent = view.error; message.hidden = false; canvas.hidden = true; geometry = null; return;
    }
    message.hidden = true; canvas.hidden = false;
    var g = view.grid, cell = Math.max(1, Math.floor(TARGET / Math.max(g.rows, g.columns)));
    var width = MARGIN.left + g.columns * cell + MARGIN.right, height = MARGIN.top + g.rows * cell + MARGIN.bottom;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
    geometry = { cell: cell, rows: g.rows, columns: g.columns };
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, width, height);
    var lut = maps[view.map], cells = document.createElement('canvas');
    cells.width = g.columns; cells.height = g.rows;
    var cctx = cells.getContext('2d'), img = cctx.createImageData(g.columns, g.rows);
    for (var k = 0; k < g.values.length; k++) {
      var idx = colourIndex(g.values[k], view.range[0], view.range[1]);
      if (idx < 0) { img.data[4 * k] = 128; img.data[4 * k + 1] = 128; img.data[4 * k + 2] = 128; }
      else { img.data[4 * k] = lut[3 * idx]; img.data[4 * k + 1] = lut[3 * idx + 1]; img.data[4 * k + 2] = lut[3 * idx + 2]; }
      img.data[4 * k + 3] = 255;
    }
    cctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, MARGIN.left, MARGIN.top, g.columns * cell, g.rows * cell);
    ctx.strokeStyle = '#444444'; ctx.lineWidth = 1;
    ctx.strokeRect(MARGIN.left - 0.5, MARGIN.top - 0.5, g.columns * cell + 1, g.rows * cell + 1);
    if (g.split) {
      ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 2; ctx.beginPath();
      ctx.moveTo(MARGIN.left + g.split * cell, MARGIN.top); ctx.lineTo(MARGIN.left + g.split * cell, MARGIN.top + g.rows * cell);
      ctx.moveTo(MARGIN.left, MARGIN.top + g.split * cell); ctx.lineTo(MARGIN.left + g.columns * cell, MARGIN.top + g.split * cell);
      ctx.stroke();
    }
    ctx.fillStyle = '#222222'; ctx.font = '11px sans-serif';
    var ticks = function (count) {
      var step = count <= 8 ? 1 : Math.ceil(count / 8), out = [];
      for (var i = 0; i < count; i += step) out.push(i);
      return out;
    };
    var short = function (s) { return s.length <= 18 ? s : s.slice(0, 17) + '\u2026'; };
    ctx.textAlign = 'right';
    ticks(g.rows).forEach(function (r) {
      ctx.fillText(short(itemAt(g.rowKind, r, view.vset, view.set).label), MARGIN.left - 6, MARGIN.top + (r + 0.5) * cell + 4);
    });
    ticks(g.columns).forEach(function (c) {
      ctx.save();
      ctx.translate(MARGIN.left + (c + 0.5) * cell, MARGIN.top + g.rows * cell + 8);
      ctx.rotate(-Math.PI / 4);
      ctx.fillText(short(itemAt(g.colKind, c, view.vset, view.set).label), 0, 0);
      ctx.restore();
    });
    var barX = MARGIN.left + g.columns * cell + 18, barH = g.rows * cell;
    for (var y = 0; y < barH; y++) {
      var e = Math.min(255, Math.floor((1 - (y + 0.5) / barH) * 256));
      ctx.fillStyle = 'rgb(' + lut[3 * e] + ',' + lut[3 * e + 1] + ',' + lut[3 * e + 2] + ')';
      ctx.fillRect(barX, MARGIN.top + y, 14, 1);
    }
    ctx.strokeStyle = '#444444'; ctx.lineWidth = 1; ctx.strokeRect(barX - 0.5, MARGIN.top - 0.5, 15, barH + 1);
    ctx.fillStyle = '#222222'; ctx.textAlign = 'left';
    ctx.fillText(fmt(view.range[1], 3), barX + 18, MARGIN.top + 8);
    ctx.fillText(fmt((view.range[0] + view.range[1]) / 2, 3), barX + 18, MARGIN.top + barH / 2 + 4);
    ctx.fillText(fmt(view.range[0], 3), barX + 18, MARGIN.top + barH);
    $('scale-label').textContent = 'Colour: ' + view.label + '.';
    var sweep = byId(data.sweeps, state.sweep), axis = sweep ? 'variants by ' + sweep.axis : 'variants';
    var words = { i: axis, t: 'texts', j: axis + ', then the texts' };
    $('axis-label').textContent = 'Rows: ' + words[g.rowKind] + '. Columns: ' + words[g.colKind] + '.';
  }

  var tooltip = $('tooltip');
  function describe(box, item, heading) {
    while (box.firstChild) box.removeChild(box.firstChild);
    box.dataset.kind = item.kind;
    var head = document.createElement('div'); head.className = 'tip-head'; head.textContent = heading; box.appendChild(head);
    if (item.kind === 'variant') {
      box.dataset.variant = item.variant ? item.variant.id : '';
      if (item.variant && item.variant.thumb) {
        var img = document.createElement('img');
        img.src = item.variant.thumb; img.alt = 'variant ' + item.label;
        img.dataset.variant = item.variant.id;
        box.appendChild(img);
      }
      var label = document.createElement('div'); label.className = 'tip-label'; label.textContent = item.label; box.appendChild(label);
      if (item.variant) {
        var list = document.createElement('div'); list.className = 'tip-params';
        item.variant.params.forEach(function (p) {
          var line = document.createElement('div'); line.textContent = p[0] + ': ' + p[1]; list.appendChild(line);
        });
        box.appendChild(list);
      }
    } else {
      box.dataset.variant = '';
      var text = document.createElement('div'); text.className = 'tip-text'; text.textContent = '\u201c' + item.text + '\u201d';
      box.appendChild(text);
    }
  }
  function hover(event) {
    if (!geometry || !view || view.error) return;
    var rect = canvas.getBoundingClientRect();
    var x = event.clientX - rect.left - MARGIN.left, y = event.clientY - rect.top - MARGIN.top;
    var c = Math.floor(x / geometry.cell), r = Math.floor(y / geometry.cell);
    if (x < 0 || y < 0 || r >= geometry.rows || c >= geometry.columns) { tooltip.hidden = true; return; }
    var k = r * geometry.columns + c, g = view.grid;
    describe($('tip-row'), itemAt(g.rowKind, r, view.vset, view.set), 'row ' + r);
    describe($('tip-column'), itemAt(g.colKind, c, view.vset, view.set), 'column ' + c);
    $('tip-value').textContent = view.valueText(k);
    $('tip-detail').textContent = view.detail(k);
    $('tip-cell').textContent = state.mode === 'plain' ? 'cosine similarity' : 'difference';
    tooltip.dataset.row = r; tooltip.dataset.column = c;
    tooltip.hidden = false;
    var left = event.clientX + 16, top = event.clientY + 16;
    if (left + tooltip.offsetWidth > window.innerWidth) left = Math.max(0, event.clientX - tooltip.offsetWidth - 16);
    if (top + tooltip.offsetHeight > window.innerHeight) top = Math.max(0, event.clientY - tooltip.offsetHeight - 16);
    tooltip.style.left = left + 'px'; tooltip.style.top = top + 'px';
  }
  canvas.addEventListener('mousemove', hover);
  canvas.addEventListener('mouseleave', function () { tooltip.hidden = true; });

  function refreshControls() {
    var have = function (f) { return data.matrices.filter(f); };
    fill($('select-image'), data.images.map(function (i) {
      return { value: i.id, label: i.file + (i.caption ? ' \u2014 ' + i.caption : '') };
    }), state.image);
    fill($('select-sweep'), data.sweeps.map(function (s) { return { value: s.id, label: s.name }; }), state.sweep);
    fill($('select-model'), data.models.map(function (m) { return { value: m.id, label: m.name }; }), state.model);
    var set = matrixSet(state.image, state.sweep, state.model);
    var views = [{ value: 'ii', label: QUADRANTS.ii }];
    if (set && set.texts.length) {
      ['it', 'ti', 'tt'].forEach(function (q) { views.push({ value: q, label: QUADRANTS[q], disabled: !set.quads[q] }); });
      views.push({ value: 'joint', label: 'images and texts together', disabled: !(set.quads.it && set.quads.ti && set.quads.tt) });
    }
    if (!views.some(function (v) { return v.value === state.view && !v.disabled; })) state.view = 'ii';
    fill($('select-view'), views, state.view);
    var others = have(function (s) { return s.image === state.image && s.sweep === state.sweep && s.model !== state.model; });
    var modes = [{ value: 'plain', label: 'similarity' },
                 { value: 'models', label: 'difference: model A \u2212 model B', disabled: others.length === 0 },
                 { value: 'quadrants', label: 'difference: quadrant A \u2212 quadrant B', disabled: !(set && set.texts.length) }];
    if (!modes.some(function (m) { return m.value === state.mode && !m.disabled; })) state.mode = 'plain';
    fill($('select-mode'), modes, state.mode);
    var otherIds = others.map(function (s) { return s.model; });
    if (otherIds.indexOf(state.modelB) < 0) state.modelB = otherIds.length ? otherIds[0] : null;
    fill($('select-model-b'), data.models.filter(function (m) { return otherIds.indexOf(m.id) >= 0; })
      .map(function (m) { return { value: m.id, label: m.name }; }), state.modelB);
    var quads = ['ii', 'it', 'ti', 'tt'].map(function (q) { return { value: q, label: QUADRANTS[q], disabled: !(set && set.quads[q]) }; });
    fill($('select-quad-a'), quads, state.quadA);
    fill($('select-quad-b'), quads, state.quadB);
    $('model-b-control').hidden = state.mode !== 'models';
    $('quad-control').hidden = state.mode !== 'quadrants';
    $('view-control').hidden = state.mode === 'quadrants';
    $('select-scale').value = state.scale;
    $('select-colormap').value = state.colormap;
    $('colormap-control').hidden = state.mode !== 'plain';
    var image = byId(data.images, state.image);
    $('image-caption').textContent = image && image.caption ? 'Caption: \u201c' + image.caption + '\u201d' : '';
  }

  function filterStatic() {
    Array.prototype.forEach.call(document.querySelectorAll('.plot'), function (el) {
      var img = el.dataset.image;
      el.hidden = !(el.dataset.sweep === state.sweep && (img === '' || img === state.image));
    });
    var anyPlot = Array.prototype.some.call(document.querySelectorAll('.plot'), function (el) { return !el.hidden; });
    $('plots-empty').hidden = anyPlot;
    Array.prototype.forEach.call(document.querySelectorAll('tr.finding'), function (row) {
      row.hidden = state.onlySelected && !(row.dataset.image === state.image && row.dataset.sweep === state.sweep);
    });
  }

  function select(changes) {
    Object.keys(changes || {}).forEach(function (key) { if (key in state) state[key] = changes[key]; });
    refreshControls();
    draw();
    filterStatic();
    tooltip.hidden = true;
  }

  [['select-image', 'image'], ['select-sweep', 'sweep'], ['select-model', 'model'], ['select-view', 'view'],
   ['select-mode', 'mode'], ['select-model-b', 'modelB'], ['select-quad-a', 'quadA'], ['select-quad-b', 'quadB'],
   ['select-scale', 'scale'], ['select-colormap', 'colormap']].forEach(function (pair) {
    $(pair[0]).addEventListener('change', function (event) { var c = {}; c[pair[1]] = event.target.value; select(c); });
  });
  if ($('only-selected')) $('only-selected').addEventListener('change', function (event) { select({ onlySelected: event.target.checked }); });

  function cellCenter(row, column) {
    if (!geometry) return null;
    var rect = canvas.getBoundingClientRect();
    return { x: rect.left + MARGIN.left + (column + 0.5) * geometry.cell, y: rect.top + MARGIN.top + (row + 0.5) * geometry.cell };
  }

  select({});
  window.auglabReport = { ready: true, readyMs: performance.now(), state: state, select: select, cellCenter: cellCenter };
  document.documentElement.setAttribute('data-ready', '1');
})();
"""#
}
