/* Fiscal deck: the browser side of the deck.gl views of layers/deck.py, shared by the app's
 * component (component.js) and the offline HTML export (exports/deck.py).
 *
 * fdDeck(root, P) draws a payload P into the element root and returns a handle whose update(P)
 * draws another one in place. P.deck is the pydeck description (layers, views, first view);
 * deck.gl's JSON converter turns it into layers, with the data it names as constants
 * ("@@#regions", "@@#points", "@@#hex", "@@#marks", "@@#base") decoded here once per payload:
 * the app's encoded shapes (delta-encoded polylines, 1e-4 degree), per-feature colours and
 * heights, and text tables for the tooltips.
 *
 * Everything the reader changes here (tilt, height, points or hexagons, hexagon size, the
 * camera) is drawn in the browser: no rerun, nothing sent again. Text from data only ever
 * reaches the page through textContent. Without WebGL the frame says so in words.
 */
var FD_CLASSES = null;

function fdClasses() {
  // Only the classes the descriptions use: the converter instantiates nothing else.
  if (!FD_CLASSES) {
    FD_CLASSES = {PolygonLayer: deck.PolygonLayer, SolidPolygonLayer: deck.SolidPolygonLayer,
                  PathLayer: deck.PathLayer, ScatterplotLayer: deck.ScatterplotLayer,
                  MapView: deck.MapView};
  }
  return FD_CLASSES;
}

/* A white ambient light and one from straight above, each of intensity 1: with the layers'
 * material (ambient 0.6, diffuse 0.4, layers/deck.py) a top face shows its class colour
 * exactly and the walls are darker. */
function fdLighting() {
  return new deck.LightingEffect({
    ambient: new deck.AmbientLight({color: [255, 255, 255], intensity: 1.0}),
    above: new deck.DirectionalLight({color: [255, 255, 255], intensity: 1.0,
                                      direction: [0, 0, -1]})
  });
}

function fdEl(tag, cls, text) {
  var x = document.createElement(tag);
  if (cls) { x.className = cls; }
  if (text !== undefined && text !== null) { x.textContent = String(text); }
  return x;
}

function fdRing(s, f) {
  var pts = [], i = 0, lat = 0, lng = 0;
  while (i < s.length) {
    var r = 0, sh = 0, b;
    do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
    lat += (r & 1) ? ~(r >> 1) : (r >> 1);
    r = 0; sh = 0;
    do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
    lng += (r & 1) ? ~(r >> 1) : (r >> 1);
    pts.push([lng / f, lat / f]);
  }
  return pts;
}

/* One entry per polygon of the encoded shapes G: {polygon: [outer, holes...], i: feature}. */
function fdParts(G) {
  var out = [];
  for (var i = 0; i < G.ids.length; i++) {
    var polys = G.shapes[i] || [];
    for (var j = 0; j < polys.length; j++) {
      out.push({polygon: polys[j].map(function(s) { return fdRing(s, G.f); }), i: i});
    }
  }
  return out;
}

function fdWebGL() {
  try {
    var c = document.createElement("canvas");
    return !!(window.WebGL2RenderingContext && c.getContext("webgl2"));
  } catch (e) { return false; }
}

/* The swatch of a legend row [label, colour, count, class id]: hatched for No data (-1), an
 * outline on white for the marked regions (-2), as on the 2D map. */
function fdSwatch(e) {
  var sw = fdEl("span", "fd-sw" + (e[3] === -1 ? " fd-nd" : ""));
  if (e[3] === -2) {
    sw.style.background = "#ffffff";
    sw.style.border = "3px solid " + e[1];
  } else {
    sw.style.background = e[1];
  }
  return sw;
}

/* Title, unit line and a table of classes (swatch, label, count under countHead). */
function fdLegendTable(d, title, unitLabel, rows, countHead, classHead) {
  var head = fdEl("div", "fd-lcap");
  head.id = "fd-lcap-" + (fdLegendTable.n = (fdLegendTable.n || 0) + 1);
  if (title) { head.appendChild(fdEl("div", "fd-title", title)); }
  if (unitLabel) { head.appendChild(fdEl("div", "fd-lh", unitLabel)); }
  d.appendChild(head);
  var table = fdEl("table", "fd-lt");
  table.setAttribute("aria-labelledby", head.id);
  var hrow = fdEl("tr"), thc = fdEl("th");
  thc.colSpan = 2; thc.scope = "col";
  thc.appendChild(fdEl("span", "fd-vh", classHead || ""));
  var thn = fdEl("th", "fd-n", countHead || ""); thn.scope = "col";
  hrow.appendChild(thc); hrow.appendChild(thn);
  var thead = fdEl("thead"); thead.appendChild(hrow); table.appendChild(thead);
  var body = fdEl("tbody");
  rows.forEach(function(e) {
    var row = fdEl("tr", "fd-row"), cell = fdEl("td", "fd-swc");
    cell.setAttribute("aria-hidden", "true");
    cell.appendChild(fdSwatch(e));
    row.appendChild(cell);
    row.appendChild(fdEl("td", "fd-lab", e[0]));
    row.appendChild(fdEl("td", "fd-n", e[2]));
    body.appendChild(row);
  });
  table.appendChild(body);
  d.appendChild(table);
}

/* A tooltip: a title, then "label: value" lines (empty values left out). */
function fdTipBox(box, title, rows) {
  while (box.firstChild) { box.removeChild(box.firstChild); }
  box.appendChild(fdEl("b", null, title));
  rows.forEach(function(r) {
    if (r[1] === "" || r[1] === undefined || r[1] === null) { return; }
    var line = fdEl("div");
    line.appendChild(fdEl("span", "fd-k", r[0] + ": "));
    line.appendChild(fdEl("span", null, r[1]));
    box.appendChild(line);
  });
}

function fdDeck(root, P0) {
  var S = {P: null, deck: null, base: null, tilt: false, scale: 1, mode: "points", hexK: 1,
           consts: null, parts: null, gkey: null, error: null};
  var wrap = fdEl("div", "fd-wrap"), mapDiv = fdEl("div", "fd-map"), bar = fdEl("div", "fd-bar");
  var legend = fdEl("div", "fd-legend"), tip = fdEl("div", "fd-tip"), help = fdEl("div", "fd-help");
  var nogl = fdEl("div", "fd-nogl");
  tip.hidden = true; nogl.hidden = true;
  tip.setAttribute("role", "tooltip");
  wrap.appendChild(mapDiv); wrap.appendChild(bar); wrap.appendChild(legend);
  wrap.appendChild(help); wrap.appendChild(tip); wrap.appendChild(nogl);
  root.appendChild(wrap);
  S.wrap = wrap;

  function txt() { return (S.P && S.P.txt) || {}; }

  function button(label, onClick, pressed) {
    var b = fdEl("button", null, label);
    b.type = "button";
    if (pressed !== undefined) { b.setAttribute("aria-pressed", pressed ? "true" : "false"); }
    b.addEventListener("click", onClick);
    bar.appendChild(b);
    return b;
  }

  function fitView() {
    var P = S.P, b = P.bounds, w = mapDiv.clientWidth || 800, h = mapDiv.clientHeight || 500;
    var lw = legend.offsetWidth ? legend.offsetWidth + 24 : 16;
    var view = {longitude: (b[0] + b[2]) / 2, latitude: (b[1] + b[3]) / 2, zoom: 9};
    try {
      var vp = new deck.WebMercatorViewport({width: w, height: h});
      var pad = {top: 48, bottom: 32, left: 16, right: Math.min(lw, w / 2)};
      view = vp.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: pad});
    } catch (e) { /* a frame too small to fit in: the middle of the bounds */ }
    var pitch = S.tilt ? (P.pitch || 45) : 0;
    return {longitude: view.longitude, latitude: view.latitude,
            zoom: view.zoom - (S.tilt ? 0.25 : 0), pitch: pitch,
            bearing: S.tilt ? (P.bearing || 0) : 0, minZoom: 0, maxZoom: 20,
            transitionDuration: 0};
  }

  /* The data the description names, decoded once per payload. */
  function constants(P) {
    if (S.gkey !== P._gkey) { S.parts = fdParts(P.geom); S.gkey = P._gkey; }
    var c = {};
    if (P.kind === "regions") {
      c.regions = S.parts.map(function(p) {
        return {polygon: p.polygon, i: p.i, fill: P.fill[p.i], elev: P.e[p.i]};
      });
      c.marks = marks(P, S.scale);
    } else {
      c.base = S.parts;
      var D = P.pts, pts = new Array(D.x.length);
      for (var k = 0; k < D.x.length; k++) { pts[k] = {p: [D.x[k], D.y[k]], r: D.r[k], k: k}; }
      c.points = pts;
      S.hexData = P.hex.map(function(H) {
        return H.poly.map(function(poly, j) {
          return {polygon: poly, fill: H.fill[j], elev: H.e[j], j: j};
        });
      });
      c.hex = S.hexData[Math.min(S.hexK, S.hexData.length - 1)] || [];
    }
    return c;
  }

  /* Outlines of the marked regions at the top of their columns (height × scale). */
  function marks(P, scale) {
    var out = [], m = {};
    (P.V.m || []).forEach(function(i) { m[i] = true; });
    S.parts.forEach(function(p) {
      if (!m[p.i]) { return; }
      var z = (P.e[p.i] || 0) * scale + 1;
      p.polygon.forEach(function(ring) {
        out.push({path: ring.map(function(q) { return [q[0], q[1], z]; })});
      });
    });
    return out;
  }

  function layers() {
    return S.base.map(function(l) {
      if (l.id === "regions") { return l.clone({elevationScale: S.scale}); }
      if (l.id === "marks" || l.id === "mark_halo") { return l.clone({data: marks(S.P, S.scale)}); }
      if (l.id === "awards") { return l.clone({visible: S.mode === "points"}); }
      if (l.id === "hex") {
        return l.clone({visible: S.mode === "hex", elevationScale: S.scale,
                        data: S.hexData[S.hexK] || []});
      }
      return l;
    });
  }

  function redraw(refit) {
    if (!S.deck) { return; }
    var props = {layers: layers()};
    if (refit) { props.initialViewState = fitView(); }
    S.deck.setProps(props);
    drawLegend();
    drawBar();
  }

  function tipFor(info) {
    var P = S.P, T = txt(), o = info.object;
    if (info.layer.id === "regions") {
      var i = o.i, V = P.V;
      return [P.geom.names[i], [[V.label, V.v[i]]].concat(
        (V.rows || []).map(function(r) { return [r[0], r[1][i]]; }))];
    }
    if (info.layer.id === "awards") {
      var D = P.pts, k = o.k, where = D.tl[D.l[k]];
      return [D.tw[D.w[k]], [[T.amount, D.ta[D.a[k]]], [T.purpose, D.tp[D.p[k]]],
                             [T.where, where[0]], [T.here, where[1]]]];
    }
    if (info.layer.id === "hex") {
      var H = P.hex[S.hexK], tp = H.tip[o.j];
      return [T.hex, [[T.amount, tp[0]], [T.awards, tp[1]], [T.largest, tp[2]]]];
    }
    return null;
  }

  function hover(info) {
    var what = info && info.object ? tipFor(info) : null;
    if (!what) { tip.hidden = true; return; }
    fdTipBox(tip, what[0], what[1]);
    tip.hidden = false;
    var W = wrap.clientWidth, H = wrap.clientHeight, w = tip.offsetWidth, h = tip.offsetHeight;
    var x = info.x + 14, y = info.y - h - 12;
    if (y < 4) { y = info.y + 16; }
    if (x + w > W - 4) { x = Math.max(4, info.x - w - 14); }
    if (y + h > H - 4) { y = Math.max(4, H - h - 4); }
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }

  function drawLegend() {
    var P = S.P, T = txt();
    while (legend.firstChild) { legend.removeChild(legend.firstChild); }
    if (P.kind === "regions") {
      var V = P.V, rows = V.legend || [];
      if (V.mk) { rows = rows.concat([[V.mk[0], (V.mks || ["#3f007d"])[0], V.mk[1], -2]]); }
      fdLegendTable(legend, P.title, V.unit_label, rows, P.geom.plural || T.count, T.cls);
      if (T.height) { legend.appendChild(fdEl("div", "fd-note", T.height)); }
      if (T.flat_note) { legend.appendChild(fdEl("div", "fd-note", T.flat_note)); }
    } else if (S.mode === "hex") {
      var H = P.hex[S.hexK];
      fdLegendTable(legend, P.title, T.hex_head, H.legend, T.hex_count, T.cls);
      legend.appendChild(fdEl("div", "fd-note", H.size));
    } else {
      var head = fdEl("div", "fd-lcap");
      if (P.title) { head.appendChild(fdEl("div", "fd-title", P.title)); }
      head.appendChild(fdEl("div", "fd-lh", T.pt_head));
      legend.appendChild(head);
      (P.sizes || []).forEach(function(s) {
        var row = fdEl("div", "fd-prow"), dot = fdEl("span", "fd-dot");
        dot.setAttribute("aria-hidden", "true");
        dot.style.width = dot.style.height = (2 * s[1]) + "px";
        var cell = fdEl("span", "fd-dotc");
        cell.style.width = (2 * (P.sizes[0][1] || 1)) + "px";
        cell.appendChild(dot);
        row.appendChild(cell);
        row.appendChild(fdEl("span", null, s[0]));
        legend.appendChild(row);
      });
      legend.appendChild(fdEl("div", "fd-note", T.pt_note));
    }
    legend.style.maxHeight = Math.max(96, wrap.clientHeight - 16) + "px";
  }

  function drawBar() {
    var P = S.P, T = txt();
    while (bar.firstChild) { bar.removeChild(bar.firstChild); }
    if (P.kind === "awards") {
      button(T.points, function() { S.mode = "points"; redraw(false); }, S.mode === "points");
      button(T.hexagons, function() { S.mode = "hex"; redraw(false); }, S.mode === "hex");
      if (S.mode === "hex") {
        var fine = button(T.finer, function() { S.hexK = Math.max(0, S.hexK - 1); redraw(false); });
        fine.disabled = S.hexK <= 0;
        var coarse = button(T.coarser, function() {
          S.hexK = Math.min(P.hex.length - 1, S.hexK + 1); redraw(false);
        });
        coarse.disabled = S.hexK >= P.hex.length - 1;
      }
    }
    button(S.tilt ? T.flat : T.tilt, function() { S.tilt = !S.tilt; redraw(true); });
    if (P.kind === "regions" || S.mode === "hex") {
      button(T.taller, function() { S.scale = Math.min(8, S.scale * 1.5); redraw(false); });
      button(T.lower, function() { S.scale = Math.max(0.05, S.scale / 1.5); redraw(false); });
    }
    button(T.reset, function() {
      S.scale = 1; S.tilt = (S.P.pitch || 0) > 0; redraw(true);
    });
  }

  function fail(message, reason) {
    S.error = reason;
    nogl.textContent = message;
    nogl.hidden = false;
    bar.hidden = true; help.hidden = true;
  }
  function noWebGL(reason) { fail(txt().nogl || "WebGL is not available.", reason || "no webgl"); }

  S.update = function(P) {
    S.P = P;
    P._gkey = P._gkey || JSON.stringify([P.geom.ids.length, P.geom.ids[0], P.bounds]);
    var T = txt();
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", T.name || "");
    if (T.lang) { wrap.lang = T.lang; }
    help.textContent = T.help || "";
    S.tilt = (P.pitch || 0) > 0;
    S.scale = 1;
    if (P.kind === "awards" && P.hex.length) { S.hexK = Math.min(S.hexK, P.hex.length - 1); }
    drawLegend();
    drawBar();
    if (typeof deck === "undefined" || !deck.Deck || !deck.JSONConverter) {
      fail(T.noscript || "deck.gl could not be loaded.", "no deck.gl");
      return S;
    }
    if (!fdWebGL()) { noWebGL("no webgl2"); return S; }
    var conv = new deck.JSONConverter({configuration: new deck.JSONConfiguration(
      {classes: fdClasses(), constants: constants(P)})});
    var props = conv.convert(P.deck);
    S.base = props.layers || [];
    var view = fitView();
    if (!S.deck) {
      try {
        S.deck = new deck.Deck({
          parent: mapDiv, width: "100%", height: "100%", views: props.views,
          controller: {dragRotate: true, touchRotate: true, keyboard: true},
          initialViewState: view, layers: layers(), onHover: hover, effects: [fdLighting()],
          getCursor: function(st) { return st.isDragging ? "grabbing" : (st.isHovering ? "pointer" : "grab"); },
          onError: function(err) { if (!S.drawn) { noWebGL(String(err && err.message || err)); } },
          onAfterRender: function() { S.drawn = (S.drawn || 0) + 1; }
        });
      } catch (e) { noWebGL(String(e && e.message || e)); }
    } else {
      S.deck.setProps({layers: layers(), initialViewState: view});
    }
    return S;
  };
  S.update(P0);
  return S;
}
