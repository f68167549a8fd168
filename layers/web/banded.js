/* Banded layers: tens or hundreds of thousands of regions (layers/geometry.py, encode_layer).
 *
 * G is the layer's head, not its shapes: {n, base, names, bands: [[first zoom, end zoom or
 * null, file], ...], insets, plural}. The shapes of the band the map shows are fetched from
 * the app (base + file, a URL relative to this page), once per band; ids and names once per
 * layer; the tooltip texts of a rerun's values (V.tf) once, when the reader first points at a
 * region. Everything fetched stays in G across reruns, so a rerun that changes only the
 * values draws again from memory.
 *
 * All regions are drawn on one canvas (an L.Canvas of our own, so Leaflet positions it and
 * scales it while zooming), a class's regions filled together a batch at a time, regions
 * smaller than a pixel as their boxes. Pointing and clicking find the
 * region under the pointer through a grid of the regions' boxes. The hovered region's
 * outline is one SVG polygon above the canvas; marked regions (V.m) and the selected one
 * (V.si) are outlined on the canvas, as the other maps do. */

var FM_CLASS_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
var FM_CLASS_OF = (function() {           // character code → class (-1: No data)
  var t = new Int8Array(128).fill(-1);
  for (var i = 0; i < FM_CLASS_CHARS.length; i++) { t[FM_CLASS_CHARS.charCodeAt(i)] = i; }
  return t;
})();
var FM_BATCH = 64;

/* Non-negative integers from polyline-format characters (5 bits each). */
function fmVarints(s, count) {
  var out = new Int32Array(count), i = 0, k = 0;
  while (k < count && i < s.length) {
    var r = 0, m = 1, b;
    do { b = s.charCodeAt(i++) - 63; r += (b & 31) * m; m *= 32; } while (b >= 32);
    out[k++] = r;
  }
  return out;
}

/* A band file ({v, n, u, p, r, s}: see layers/geometry.py band_text) decoded: points in Web
 * Mercator pixels at zoom 0 (xy), where each feature's rings start (fr) and each ring's
 * points (rp), each feature's box (bb) and a typical feature size (to know when borders are
 * worth drawing); fmHit adds a grid of the boxes. */
function fmDecodeBand(B) {
  var n = B.n, u = B.u, i, r;
  var perFeat = fmVarints(B.p, n), fr = new Int32Array(n + 1);
  for (i = 0; i < n; i++) { fr[i + 1] = fr[i] + perFeat[i]; }
  var R = fr[n], perRing = fmVarints(B.r, R), rp = new Int32Array(R + 1);
  for (r = 0; r < R; r++) { rp[r + 1] = rp[r] + perRing[r]; }
  var P = rp[R], xy = new Float64Array(2 * P), s = B.s, at = 0, x = 0, y = 0, k = 0;
  for (var p = 0; p < P; p++) {
    var v = 0, m = 1, b;
    do { b = s.charCodeAt(at++) - 63; v += (b & 31) * m; m *= 32; } while (b >= 32);
    x += (v % 2) ? -(v + 1) / 2 : v / 2;
    v = 0; m = 1;
    do { b = s.charCodeAt(at++) - 63; v += (b & 31) * m; m *= 32; } while (b >= 32);
    y += (v % 2) ? -(v + 1) / 2 : v / 2;
    xy[k++] = x / u;
    xy[k++] = y / u;
  }
  var bb = new Float64Array(4 * n), all = [Infinity, Infinity, -Infinity, -Infinity];
  var sizes = [];
  for (i = 0; i < n; i++) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (var q = rp[fr[i]]; q < rp[fr[i + 1]]; q++) {
      var px = xy[2 * q], py = xy[2 * q + 1];
      if (px < x0) { x0 = px; } if (px > x1) { x1 = px; }
      if (py < y0) { y0 = py; } if (py > y1) { y1 = py; }
    }
    bb[4 * i] = x0; bb[4 * i + 1] = y0; bb[4 * i + 2] = x1; bb[4 * i + 3] = y1;
    if (x0 <= x1) {
      if (x0 < all[0]) { all[0] = x0; } if (y0 < all[1]) { all[1] = y0; }
      if (x1 > all[2]) { all[2] = x1; } if (y1 > all[3]) { all[3] = y1; }
      if (i % 7 === 0) { sizes.push(Math.max(x1 - x0, y1 - y0)); }
    }
  }
  sizes.sort(function(a, c) { return a - c; });
  // the grid for hit tests is made when the pointer first needs it, not before the paint
  return {n: n, fr: fr, rp: rp, xy: xy, bb: bb, all: all, grid: undefined,
          size: sizes.length ? sizes[sizes.length >> 1] : 0};
}

/* A grid over the regions' boxes (about two regions per cell): cell → the regions whose box
 * touches it, in compressed rows (start, items). */
function fmGrid(D) {
  var a = D.all, n = D.n;
  if (!(a[0] <= a[2])) { D.grid = null; return; }
  var w = Math.max(a[2] - a[0], 1e-9), h = Math.max(a[3] - a[1], 1e-9);
  var cells = Math.max(1, Math.min(1 << 20, n / 2)), gx = Math.max(1, Math.round(Math.sqrt(cells * w / h)));
  var gy = Math.max(1, Math.round(cells / gx)), sx = gx / w, sy = gy / h, i, cx, cy;
  var count = new Int32Array(gx * gy + 1);
  function span(i) {
    return [Math.min(gx - 1, Math.floor((D.bb[4 * i] - a[0]) * sx)),
            Math.min(gy - 1, Math.floor((D.bb[4 * i + 1] - a[1]) * sy)),
            Math.min(gx - 1, Math.floor((D.bb[4 * i + 2] - a[0]) * sx)),
            Math.min(gy - 1, Math.floor((D.bb[4 * i + 3] - a[1]) * sy))];
  }
  for (i = 0; i < n; i++) {
    if (!(D.bb[4 * i] <= D.bb[4 * i + 2])) { continue; }
    var c = span(i);
    for (cy = c[1]; cy <= c[3]; cy++) { for (cx = c[0]; cx <= c[2]; cx++) { count[cy * gx + cx + 1]++; } }
  }
  for (i = 0; i < gx * gy; i++) { count[i + 1] += count[i]; }
  var items = new Int32Array(count[gx * gy]), fill = count.slice(0, gx * gy);
  for (i = 0; i < n; i++) {
    if (!(D.bb[4 * i] <= D.bb[4 * i + 2])) { continue; }
    var c2 = span(i);
    for (cy = c2[1]; cy <= c2[3]; cy++) { for (cx = c2[0]; cx <= c2[2]; cx++) { items[fill[cy * gx + cx]++] = i; } }
  }
  D.grid = {gx: gx, gy: gy, sx: sx, sy: sy, start: count, items: items};
}

/* The region under a point (zoom-0 pixels), or -1: inside its box, then inside an odd number
 * of its rings (holes and islands alike). */
function fmHit(D, x, y) {
  if (D.grid === undefined) { fmGrid(D); }
  var g = D.grid, a = D.all;
  if (!g || x < a[0] || x > a[2] || y < a[1] || y > a[3]) { return -1; }
  var cx = Math.min(g.gx - 1, Math.floor((x - a[0]) * g.sx));
  var cy = Math.min(g.gy - 1, Math.floor((y - a[1]) * g.sy)), c = cy * g.gx + cx;
  for (var k = g.start[c]; k < g.start[c + 1]; k++) {
    var i = g.items[k], bb = D.bb;
    if (x < bb[4 * i] || x > bb[4 * i + 2] || y < bb[4 * i + 1] || y > bb[4 * i + 3]) { continue; }
    var inside = false;
    for (var r = D.fr[i]; r < D.fr[i + 1]; r++) {
      var s = D.rp[r], e = D.rp[r + 1], xy = D.xy;
      for (var p = s, q = e - 1; p < e; q = p++) {
        var yi = xy[2 * p + 1], yj = xy[2 * q + 1];
        if ((yi > y) !== (yj > y) &&
            x < (xy[2 * q] - xy[2 * p]) * (y - yi) / (yj - yi) + xy[2 * p]) { inside = !inside; }
      }
    }
    if (inside) { return i; }
  }
  return -1;
}

/* Region i's rings appended to a Path2D, in the canvas's pixels (s: zoom scale, o: origin).
 * With a tolerance (px), points closer than that to the last one drawn are left out, and a
 * region smaller than it is drawn as its box: at a zoom that shows a whole country most
 * tracts are a pixel or two across. */
function fmTrace(path, D, i, s, ox, oy, tol) {
  var xy = D.xy, bb = D.bb;
  if (tol > 0 && (bb[4 * i + 2] - bb[4 * i]) * s < tol && (bb[4 * i + 3] - bb[4 * i + 1]) * s < tol) {
    path.rect(bb[4 * i] * s - ox, bb[4 * i + 1] * s - oy, (bb[4 * i + 2] - bb[4 * i]) * s,
              (bb[4 * i + 3] - bb[4 * i + 1]) * s);
    return;
  }
  for (var r = D.fr[i]; r < D.fr[i + 1]; r++) {
    var a = D.rp[r], e = D.rp[r + 1], lx = xy[2 * a] * s - ox, ly = xy[2 * a + 1] * s - oy;
    path.moveTo(lx, ly);
    for (var k = a + 1; k < e; k++) {
      var x = xy[2 * k] * s - ox, y = xy[2 * k + 1] * s - oy;
      if (tol > 0 && Math.abs(x - lx) < tol && Math.abs(y - ly) < tol) { continue; }
      path.lineTo(x, y);
      lx = x; ly = y;
    }
    path.closePath();
  }
}

function fmTimed(what, t0) {
  (window.fmTimes = window.fmTimes || {})[what] = Math.round(performance.now() - t0);
}

/* Fetches of a layer's files, once each, kept in G (window.fmFetched lists them, for tests).
 * The files are gzip-compressed once when written and served as they are: unpacked here. */
function fmFetchOnce(G, file) {
  var F = G._fm || (G._fm = {files: {}, bands: {}});
  if (!F.files[file]) {
    (window.fmFetched = window.fmFetched || []).push(file);
    var url = new URL(G.base + file, window.location.href).href;
    F.files[file] = fetch(url, {credentials: "same-origin"}).then(function(r) {
      if (!r.ok) { throw new Error(r.status + " " + file); }
      if (!/\.gz$/.test(file)) { return r.json(); }
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json();
    });
    F.files[file].catch(function() { delete F.files[file]; });
  }
  return F.files[file];
}

/* A file the server may still be writing (a rerun's tooltip texts): asked again a few
 * times. */
function fmFetchSoon(G, file, tries) {
  return fmFetchOnce(G, file).catch(function(err) {
    if (tries <= 1) { throw err; }
    return new Promise(function(ok) { setTimeout(ok, 250); }).then(function() {
      return fmFetchSoon(G, file, tries - 1);
    });
  });
}

/* The band of zoom z (its index in G.bands). */
function fmBandAt(G, z) {
  for (var k = 0; k < G.bands.length; k++) {
    var b = G.bands[k];
    if (z >= b[0] && (b[1] === null || z < b[1])) { return k; }
  }
  return G.bands.length - 1;
}

var FmBandCanvas = L.Canvas.extend({
  initialize: function(G, V, O, mks) {
    L.Canvas.prototype.initialize.call(this, {padding: 0.1});
    this.G = G; this.V = V; this.O = O; this.mks = mks;
    var C = new Int8Array(G.n), cs = V.cs, i;
    if (typeof cs === "string") {
      for (i = 0; i < G.n; i++) { C[i] = FM_CLASS_OF[cs.charCodeAt(i) & 127]; }
    } else {
      for (i = 0; i < G.n; i++) { C[i] = V.c[i]; }
    }
    this.C = C;
    this.hover = -1;
    this.F = G._fm || (G._fm = {files: {}, bands: {}});
  },
  onAdd: function(map) {
    this.F.current = this;                // the layer a band that arrives is drawn on
    L.Canvas.prototype.onAdd.call(this, map);
    map.on("mousemove", this._fmMove, this);
    map.on("mouseout", this._fmOut, this);
    map.on("click", this._fmClick, this);
    map.on("zoomstart", this._fmOut, this);
    // The canvas keeps its events from the map's own handlers: leaving the map is seen here.
    L.DomEvent.on(map.getContainer(), "mouseleave", this._fmOut, this);
  },
  onRemove: function(map) {
    map.off("mousemove", this._fmMove, this);
    map.off("mouseout", this._fmOut, this);
    map.off("click", this._fmClick, this);
    map.off("zoomstart", this._fmOut, this);
    L.DomEvent.off(map.getContainer(), "mouseleave", this._fmOut, this);
    this._fmOut();
    this._fmLoading(false);
    L.Canvas.prototype.onRemove.call(this, map);
  },
  /* The decoded band to draw at the map's zoom: the band of that zoom once it is here (it is
   * fetched then), else the closest one already decoded. */
  _fmBand: function() {
    var G = this.G, F = this.F, want = fmBandAt(G, this._map.getZoom());
    if (!F.bands[want] && !F.bands["p" + want]) {
      F.bands["p" + want] = fmFetchOnce(G, G.bands[want][2]).then(function(B) {
        var t0 = performance.now();
        F.bands[want] = fmDecodeBand(B);
        fmTimed("decode" + want, t0);
        // drawn by the layer on the map now (a rerun may have replaced the one that asked)
        var cur = F.current;
        if (cur && cur._map) { cur._redraw(); }
      }, function() { delete F.bands["p" + want]; });
    }
    if (F.bands[want]) { return [want, F.bands[want]]; }
    for (var d = 1; d < G.bands.length; d++) {
      if (F.bands[want - d]) { return [want - d, F.bands[want - d]]; }
      if (F.bands[want + d]) { return [want + d, F.bands[want + d]]; }
    }
    return [-1, null];
  },
  _fmNames: function() {
    var F = this.F, self = this;
    if (!F.namesP) {
      F.namesP = fmFetchOnce(this.G, this.G.names).then(function(N) { F.ids = N.ids; F.names = N.names; return N; });
      F.namesP.catch(function() { F.namesP = null; });
    }
    return F.namesP.then(function() { return self; });
  },
  _draw: function() {
    var map = this._map, got = this._fmBand(), D = got[1], t0 = performance.now();
    this._fmD = D;
    this._fmLoading(!D);
    if (!D) { return; }
    var ctx = this._ctx, b = this._bounds, z = map.getZoom(), s = map.getZoomScale(z, 0);
    var o = map.getPixelOrigin(), ox = o.x, oy = o.y, V = this.V, O = this.O, C = this.C;
    // the view in zoom-0 pixels: regions outside it are skipped
    var vx0 = (b.min.x + ox) / s, vy0 = (b.min.y + oy) / s, vx1 = (b.max.x + ox) / s, vy1 = (b.max.y + oy) / s;
    // One path per class, filled every FM_BATCH regions: the canvas fills a few thousand
    // small paths much faster than one path of a hundred thousand rings.
    var paths = {}, counts = {}, bb = D.bb, drawn = 0;
    var borders = D.size * s >= 6;           // regions wide enough for a border to show
    ctx.save();
    ctx.lineJoin = "round";
    ctx.strokeStyle = O.line; ctx.lineWidth = O.lw;
    function flush(c) {
      ctx.globalAlpha = O.fo;
      ctx.fillStyle = c < 0 ? V.nd : V.pal[c];
      ctx.fill(paths[c], "evenodd");
      if (borders) { ctx.globalAlpha = 1; ctx.stroke(paths[c]); }
      paths[c] = null;
    }
    for (var i = 0; i < D.n; i++) {
      if (bb[4 * i + 2] < vx0 || bb[4 * i] > vx1 || bb[4 * i + 3] < vy0 || bb[4 * i + 1] > vy1) { continue; }
      var c = C[i];
      if (!paths[c]) { paths[c] = new Path2D(); counts[c] = 0; }
      fmTrace(paths[c], D, i, s, ox, oy, 0.5);
      drawn++;
      if (++counts[c] >= FM_BATCH) { flush(c); }
    }
    for (var k in paths) { if (paths[k]) { flush(+k); } }
    ctx.globalAlpha = 1;
    // marked regions: a halo and a line, then the selected region's outline over them
    var mks = this.mks, si = typeof V.si === "number" ? V.si : -1;
    if (V.m && V.m.length) {
      var mp = [];
      V.m.forEach(function(k, j) {
        if (k === si || k >= D.n) { return; }
        if (j % FM_BATCH === 0) { mp.push(new Path2D()); }
        fmTrace(mp[mp.length - 1], D, k, s, ox, oy, 0);
      });
      ctx.strokeStyle = mks[2]; ctx.lineWidth = mks[3];
      mp.forEach(function(p) { ctx.stroke(p); });
      ctx.strokeStyle = mks[0]; ctx.lineWidth = mks[1];
      mp.forEach(function(p) { ctx.stroke(p); });
    }
    if (si >= 0 && si < D.n) {
      var sp = new Path2D();
      fmTrace(sp, D, si, s, ox, oy, 0);
      ctx.strokeStyle = O.sel; ctx.lineWidth = 3; ctx.stroke(sp);
    }
    ctx.restore();
    // What was drawn, for tests and the benchmark: the band, the regions in view, how many
    // times the canvas was drawn, and how long that took.
    var el = map.getContainer();
    el.setAttribute("data-fm-band", String(got[0]));
    el.setAttribute("data-fm-drawn", String(drawn));
    el.setAttribute("data-fm-draws", String((+el.getAttribute("data-fm-draws") || 0) + 1));
    fmTimed("draw", t0);
    if (!window.fmPaintedAt) { window.fmPaintedAt = performance.timeOrigin + performance.now(); }
    // The names (for tooltips and clicks) once the regions are on the screen, not before.
    if (!this.F.namesP) { var self = this; setTimeout(function() { self._fmNames(); }, 0); }
  },
  /* "Loading the regions…" over the map until its first band is drawn (as text, and the
   * map marked busy for screen readers). */
  _fmLoading: function(on) {
    var c = this._map.getContainer(), el = c.querySelector(".fm-loading");
    c.setAttribute("aria-busy", on ? "true" : "false");
    if (on && !el) {
      el = fmEl("div", "fm-loading", (this.O.txt || {}).loading || "");
      c.appendChild(el);
    } else if (!on && el) {
      el.parentNode.removeChild(el);
    }
  },
  /* The region under a mouse event, or -1. */
  _fmAt: function(e) {
    var D = this._fmD;
    if (!D || !e.latlng) { return -1; }
    var p = this._map.project(e.latlng, 0);
    return fmHit(D, p.x, p.y);
  },
  _fmMove: function(e) {
    var map = this._map;
    if (!map || map._animatingZoom || (map.dragging && map.dragging.moving())) { return; }
    var i = this._fmAt(e);
    if (i < 0) { this._fmOut(); return; }
    map.getContainer().style.cursor = "pointer";
    if (i !== this.hover) {
      this.hover = i;
      this._fmOutline(i);
      this._fmTip(i, e.latlng);
    } else if (this.tip) {
      this.tip.setLatLng(e.latlng);
    }
  },
  _fmOut: function() {
    var map = this._map;
    this.hover = -1;
    if (!map) { return; }
    map.getContainer().style.cursor = "";
    if (this.tip) { map.closeTooltip(this.tip); }
    if (this.outline) { map.removeLayer(this.outline); this.outline = null; }
  },
  _fmOutline: function(i) {
    var map = this._map, D = this._fmD, crs = map.options.crs, rings = [];
    for (var r = D.fr[i]; r < D.fr[i + 1]; r++) {
      var ring = [];
      for (var k = D.rp[r]; k < D.rp[r + 1]; k++) {
        ring.push(crs.pointToLatLng(L.point(D.xy[2 * k], D.xy[2 * k + 1]), 0));
      }
      rings.push(ring);
    }
    if (this.outline) { map.removeLayer(this.outline); }
    var pane = map.getPane("fmHover") || map.createPane("fmHover");
    pane.style.zIndex = 455;
    pane.style.pointerEvents = "none";
    this.outline = L.polygon(rings, {pane: "fmHover", interactive: false, fill: false,
                                     color: this.O.sel, weight: 2.5, opacity: 1,
                                     className: "fm-hover"}).addTo(map);
  },
  /* The tooltip of region i: its name and values, the same texts as every other map. The
   * texts of these values come from their file (V.tf), fetched the first time. */
  _fmTip: function(i, latlng) {
    var map = this._map, self = this, F = this.F, V = this.V;
    if (!this.tip) {
      this.tip = L.tooltip({sticky: true, direction: "top", opacity: 0.95, fmKeepIn: true,
                            className: "fm-tipbox"});
    }
    var T = F.tips && F.tips[V.tf];
    if (!F.names || !T) {
      Promise.all([this._fmNames(), this._fmTexts()]).then(function() {
        if (self.hover === i && self._map) { self._fmTip(i, self.tip.getLatLng() || latlng); }
      }, function() { /* shown without them */ });
    }
    var G = {names: F.names || []}, rows = [];
    if (T) {
      rows = [[V.label, T.v[i]]].concat(T.rows.map(function(r) { return [r[0], r[1][i]]; }));
    }
    if (!F.names && !T) { return; }
    this.tip.setContent(fmTip(G, i, rows));
    this.tip.setLatLng(latlng);
    if (!map.hasLayer(this.tip)) { map.openTooltip(this.tip); }
  },
  _fmTexts: function() {
    var F = this.F, tf = this.V.tf;
    F.tips = F.tips || {};
    if (!tf || F.tips[tf]) { return Promise.resolve(); }
    return fmFetchSoon(this.G, tf, 20).then(function(T) {
      // each list of texts comes as one string, a text per line
      F.tips[tf] = {v: T.v.split("\n"),
                    rows: T.rows.map(function(r) { return [r[0], r[1].split("\n")]; })};
    });
  },
  _fmClick: function(e) {
    var i = this._fmAt(e), self = this;
    if (i < 0) { return; }
    this._fmNames().then(function() {
      var id = self.F.ids[i];
      self.fire("click", {latlng: e.latlng,
                          layer: {feature: {properties: {region_id: id, i: i}}}});
    });
  }
});

/* The banded counterpart of fmChoropleth: {layer, legend, insets, marks}. */
function fmBanded(map, G, V, O) {
  fmStyle(O.css);
  fmKeepTooltipsIn();
  (O.cls || "").split(" ").forEach(function(c) { if (c) { map.getContainer().classList.add(c); } });
  var mks = V.mks || ["#3f007d", 3, "#ffffff", 6];
  var layer = new FmBandCanvas(G, V, O, mks);
  if (!O.defer) { layer.addTo(map); }
  window.fmLayer = layer;
  var insets = fmInsets(map, G);
  return {layer: layer, legend: fmLegend(map, G, V, O, mks), insets: insets, marks: null};
}
