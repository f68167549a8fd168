/* Fiscal map: the browser side of every choropleth the app draws.
 *
 * fmRing/fmFeatures decode the compact shapes of layers/geometry.py (delta-encoded polylines,
 * 1e-4 degree); fmChoropleth(map, G, V, O) draws them with the colours, tooltips and legend of
 * a ChoroplethView (V), outlines and names the insets of G (regions moved beside the main map,
 * layers/insets.py) and returns {layer, legend, insets, marks}. Marked regions (V.m, e.g.
 * outliers) get a thick dark outline over a white halo (V.mks: colour, width, halo colour,
 * halo width), a line of their own in the tooltip and one legend row (V.mk: label, count).
 * Text from data only ever reaches the page through textContent. Used inline by the folium
 * renderer and as a file by the map component.
 */
function fmStyle(css) {
  if (!document.getElementById("fm-style")) {
    var st = document.createElement("style"); st.id = "fm-style"; st.textContent = css;
    document.head.appendChild(st);
  }
}
function fmRing(s, f) {
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
function fmFeatures(G) {
  // Decoded once per payload: a values-only redraw reuses the features.
  if (G._fmFeatures) { return G._fmFeatures; }
  var feats = [];
  for (var i = 0; i < G.ids.length; i++) {
    var polys = G.shapes[i].map(function(p) { return p.map(function(s) { return fmRing(s, G.f); }); });
    feats.push({type: "Feature", id: G.ids[i],
                properties: {region_id: G.ids[i], name: G.names[i], i: i},
                geometry: {type: "MultiPolygon", coordinates: polys}});
  }
  G._fmFeatures = feats;
  return feats;
}

/* Tooltips with the option fmKeepIn stay inside the map: above the pointer, below it when
 * there is no room above (the northern edge), beside it when neither fits, and shifted
 * sideways rather than cut at the left or right edge. */
function fmKeepTooltipsIn() {
  var T = L.Tooltip.prototype;
  if (T._fmOriginal) { return; }
  T._fmOriginal = T._setPosition;
  T._setPosition = function(pos) {
    if (!this.options.fmKeepIn) { return this._fmOriginal(pos); }
    var map = this._map, el = this._container, size = map.getSize();
    var w = el.offsetWidth, h = el.offsetHeight, gap = 14, m = 4;
    var c = map.layerPointToContainerPoint(pos), x = c.x - w / 2, y = c.y - h - gap;
    if (y < m) { y = c.y + gap + 4; }
    if (y + h > size.y - m) {
      y = Math.max(m, Math.min(c.y - h / 2, size.y - m - h));
      x = c.x + gap + w <= size.x - m ? c.x + gap : c.x - gap - w;
    }
    x = Math.max(m, Math.min(x, size.x - m - w));
    L.DomUtil.setPosition(el, map.containerPointToLayerPoint([x, y]));
  };
}

/* An element with a class and text (never markup). */
function fmEl(tag, cls, text) {
  var x = document.createElement(tag);
  if (cls) { x.className = cls; }
  if (text !== undefined) { x.textContent = text; }
  return x;
}

/* The tooltip of feature i of the shapes G: its name, then one "label: value" line per row. */
function fmTip(G, i, rows) {
  var d = document.createElement("div");
  d.className = "fm-tip";
  var b = document.createElement("b"); b.textContent = G.names[i]; d.appendChild(b);
  rows.forEach(function(r) {
    if (r[1] === "") { return; }       // a line only some regions have (why one is marked)
    var line = document.createElement("div");
    var k = document.createElement("span"); k.className = "fm-k"; k.textContent = r[0] + ": ";
    var v = document.createElement("span"); v.textContent = r[1];
    line.appendChild(k); line.appendChild(v); d.appendChild(line);
  });
  return d;
}

/* The swatch of a legend row [label, colour, count, class id]: the class colour, hatched for
 * No data (id -1), an outline on white for the marked regions (id -2, colour = the outline's). */
function fmSwatch(e, cls) {
  var sw = document.createElement("span");
  sw.className = cls + (e[3] === -1 ? " fm-nd" : e[3] === -2 ? " fm-mk" : "");
  if (e[3] === -2) {
    sw.style.background = "#ffffff";
    sw.style.border = "3px solid " + e[1];
  } else {
    sw.style.background = e[1];
  }
  return sw;
}

/* The legend into the box d: title, unit line and one row per class ([label, colour, count,
 * class id]; id -1 = No data, hatched). With countHead (what the counts count: "States"), a
 * table: a header row names the count column, and a screen reader reads each class as a row
 * of text (the colour swatches are hidden from it). Without, "label (count)" rows. */
function fmLegendRows(d, title, unitLabel, legend, countHead, classHead) {
  if (!countHead) {
    if (title) { var t = document.createElement("div"); t.className = "fm-title"; t.textContent = title; d.appendChild(t); }
    var h = document.createElement("div"); h.className = "fm-lh"; h.textContent = unitLabel; d.appendChild(h);
    legend.forEach(function(e) {
      var row = document.createElement("div"); row.className = "fm-row";
      var sw = fmSwatch(e, "fm-sw");
      var lab = document.createElement("span"); lab.textContent = e[0] + " (" + e[2] + ")";
      row.appendChild(sw); row.appendChild(lab); d.appendChild(row);
    });
    return;
  }
  var el = fmEl;
  // Title and unit head the box (as wide as the box, not the table) and name the table.
  var head = el("div", "fm-lcap"), table = el("table", "fm-lt");
  head.id = "fm-lcap-" + (fmLegendRows.n = (fmLegendRows.n || 0) + 1);
  if (title) { head.appendChild(el("div", "fm-title", title)); }
  if (unitLabel) { head.appendChild(el("div", "fm-lh", unitLabel)); }
  d.appendChild(head);
  table.setAttribute("aria-labelledby", head.id);
  var hrow = el("tr", "fm-lhead"), thc = el("th", "fm-lcls");
  thc.colSpan = 2; thc.scope = "col";
  thc.appendChild(el("span", "fm-vh", classHead || ""));
  var thn = el("th", "fm-n", countHead); thn.scope = "col";
  hrow.appendChild(thc); hrow.appendChild(thn);
  var thead = el("thead"); thead.appendChild(hrow); table.appendChild(thead);
  var body = el("tbody");
  legend.forEach(function(e) {
    var row = el("tr", "fm-row"), cell = el("td", "fm-swc");
    cell.setAttribute("aria-hidden", "true");
    var sw = fmSwatch(e, "fm-sw");
    cell.appendChild(sw);
    row.appendChild(cell);
    row.appendChild(el("td", "fm-lab", e[0]));
    row.appendChild(el("td", "fm-n", e[2]));
    body.appendChild(row);
  });
  table.appendChild(body);
  d.appendChild(table);
}

/* The legend laid out across, for a band under the map: title and unit on a line, then a
 * table with a column per class: its swatch, its label, and its count in a row headed by
 * what is counted ("States"). */
function fmLegendStrip(d, title, unitLabel, legend, countHead, classHead) {
  while (d.firstChild) { d.removeChild(d.firstChild); }
  var el = fmEl;
  var head = el("div", "fm-lcap"), table = el("table", "fm-lt fm-lt-strip");
  head.id = "fm-lcap-" + (fmLegendRows.n = (fmLegendRows.n || 0) + 1);
  if (title) { head.appendChild(el("span", "fm-title", title)); }
  if (unitLabel) { head.appendChild(el("span", "fm-lh", unitLabel)); }
  d.appendChild(head);
  table.setAttribute("aria-labelledby", head.id);
  var sw = el("tr", "fm-swrow"), labs = el("tr", "fm-labrow"), ns = el("tr", "fm-nrow");
  sw.setAttribute("aria-hidden", "true");
  sw.appendChild(el("td"));
  var hl = el("th", "fm-lcls"); hl.scope = "row"; hl.appendChild(el("span", "fm-vh", classHead || ""));
  labs.appendChild(hl);
  var hn = el("th", "fm-n", countHead); hn.scope = "row"; ns.appendChild(hn);
  legend.forEach(function(e) {
    var cell = el("td", "fm-swc"), s = fmSwatch(e, "fm-sw");
    cell.appendChild(s); sw.appendChild(cell);
    labs.appendChild(el("td", "fm-lab", e[0]));
    ns.appendChild(el("td", "fm-n", e[2]));
  });
  var body = el("tbody");
  body.appendChild(sw); body.appendChild(labs); body.appendChild(ns);
  table.appendChild(body);
  d.appendChild(table);
}

/* A button that folds the legend away (to the button alone) and back, for a reader who wants
 * the whole map; the choice holds while the page stays open. The map is told
 * ("fmlegendfold"), so that it can take the room back. */
function fmLegendToggle(map, d, txt) {
  var btn = document.createElement("button");
  btn.type = "button"; btn.className = "fm-ltog";
  function show(folded) {
    d.classList.toggle("fm-folded", folded);
    btn.textContent = folded ? txt.show : txt.hide;
    btn.setAttribute("aria-expanded", folded ? "false" : "true");
  }
  btn.addEventListener("click", function() {
    window.fmLegendFolded = !window.fmLegendFolded;
    show(window.fmLegendFolded);
    fmFitLegends(map);
    map.fire("fmlegendfold", {folded: window.fmLegendFolded});
  });
  show(!!window.fmLegendFolded);
  d.classList.add("fm-hastog");
  d.insertBefore(btn, d.firstChild);
}

/* Two legends on one side of the map (a top and a bottom corner) share its height: the
 * shorter keeps its size when it takes no more than half, the other scrolls within what is
 * left; neither runs behind the other. Run once every control is there, and when the map
 * changes size. */
function fmFitLegends(map) {
  var c = map.getContainer(), avail = map.getSize().y - 30;
  ["left", "right"].forEach(function(side) {
    function box(v) {
      var corner = c.querySelector(".leaflet-" + v + ".leaflet-" + side);
      return corner ? corner.querySelector(".fm-legend") : null;
    }
    var top = box("top"), bottom = box("bottom");
    [top, bottom].forEach(function(b) { if (b) { b.style.maxHeight = "none"; } });
    // Other controls in the bottom corner (a scale bar) keep their room too.
    var others = bottom ? bottom.parentNode.offsetHeight - bottom.offsetHeight : 0;
    avail -= others;
    var tn = top ? top.offsetHeight : 0, bn = bottom ? bottom.offsetHeight : 0, half = avail / 2;
    var th = avail, bh = avail;
    if (top && bottom && tn + bn > avail) {
      if (tn <= half) { bh = avail - tn; } else if (bn <= half) { th = avail - bn; } else { th = bh = half; }
    }
    if (top) { top.style.maxHeight = Math.max(80, th) + "px"; }
    if (bottom) { bottom.style.maxHeight = Math.max(80, bh) + "px"; }
  });
}
function fmFitLegendsSoon(map) {
  if (map._fmFitQueued) { return; }
  map._fmFitQueued = true;
  setTimeout(function() { map._fmFitQueued = false; fmFitLegends(map); }, 0);
  if (!map._fmFitOnResize) { map._fmFitOnResize = true; map.on("resize", function() { fmFitLegends(map); }); }
}

/* The insets of G ({name, b: [west, south, east, north]}): a thin grey frame and the name
 * above its top-left corner, neither of them clickable nor in the tab order. */
function fmInsets(map, G) {
  var group = L.layerGroup();
  (G.insets || []).forEach(function(ins) {
    var b = ins.b, sw = [b[1], b[0]], nw = [b[3], b[0]];
    L.rectangle([sw, [b[3], b[2]]], {interactive: false, fill: false, color: "#8a8a8a",
                                     weight: 1, opacity: 1, className: "fm-inset"}).addTo(group);
    var label = document.createElement("span"); label.textContent = ins.name;
    L.marker(nw, {interactive: false, keyboard: false,
                  icon: L.divIcon({className: "fm-inset-label", html: label,
                                   iconSize: null, iconAnchor: [0, 0]})}).addTo(group);
  });
  return group.addTo(map);
}

function fmChoropleth(map, G, V, O) {
  fmStyle(O.css);
  fmKeepTooltipsIn();
  (O.cls || "").split(" ").forEach(function(c) { if (c) { map.getContainer().classList.add(c); } });
  var feats = fmFeatures(G);
  function fill(i) { var c = V.c[i]; return c < 0 ? V.nd : V.pal[c]; }
  function tip(layer) {
    var i = layer.feature.properties.i;
    return fmTip(G, i, [[V.label, V.v[i]]].concat(
      V.rows.map(function(r) { return [r[0], r[1][i]]; })));
  }
  var marked = {}, mks = V.mks || ["#3f007d", 3, "#ffffff", 6];
  (V.m || []).forEach(function(i) { marked[i] = true; });
  var layer = L.geoJSON({type: "FeatureCollection", features: feats}, {
    style: function(f) {
      var i = f.properties.i, sel = G.ids[i] === V.sel;
      return {fillColor: fill(i), fillOpacity: O.fo, color: sel ? O.sel : O.line,
              weight: sel ? 3 : O.lw, opacity: 1};
    },
    onEachFeature: function(f, l) {
      l.bindTooltip(tip, {sticky: true, direction: "top", opacity: 0.95, fmKeepIn: true,
                          className: "fm-tipbox"});
      l.on("mouseover", function() { l.setStyle({weight: 2.5, color: O.sel}); l.bringToFront(); });
      l.on("mouseout", function() { layer.resetStyle(l); });
    }
  });
  // Marked regions: an outline on a white halo in a pane above the regions (under the
  // overlays), not interactive, so the region's own tooltip and click still answer. It comes
  // and goes with the choropleth layer.
  var marks = null;
  if (V.m && V.m.length) {
    var pane = map.getPane("fmMarks") || map.createPane("fmMarks");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    // the selected region keeps its own black outline, not covered by a mark
    var shapes = V.m.filter(function(i) { return G.ids[i] !== V.sel; })
                    .map(function(i) { return feats[i]; });
    // pane, interactivity and class are read when a shape is made: options, not a style
    var outline = function(colour, weight, cls) {
      return L.geoJSON(shapes, {pane: "fmMarks", interactive: false, className: cls,
        style: function() { return {color: colour, weight: weight, fill: false, opacity: 1,
                                    lineJoin: "round", lineCap: "round"}; }});
    };
    marks = L.layerGroup([outline(mks[2], mks[3], "fm-mark-halo"),
                          outline(mks[0], mks[1], "fm-mark")]);
    layer.on("add", function() { marks.addTo(map); });
    layer.on("remove", function() { map.removeLayer(marks); });
  }
  // O.defer: the caller adds the layer once the map has its final view, so thousands of
  // shapes are projected and drawn once, not once here and again after the fit.
  if (!O.defer) { layer.addTo(map); }
  window.fmLayer = layer;
  var insets = fmInsets(map, G);
  return {layer: layer, legend: fmLegend(map, G, V, O, mks), insets: insets, marks: marks};
}

/* The legend of V (with the marked regions' row): a box on the map (O.legend_pos), or in
 * O.legend_el when the map component puts it in a band under the map. Returns the control
 * (null when the legend is not on the map). */
function fmLegend(map, G, V, O, mks) {
  var lg = null;
  if (V.legend && V.legend.length) {
    var txt = O.txt || {}, countHead = G.plural || txt.count;
    var rows = V.mk ? V.legend.concat([[V.mk[0], mks[0], V.mk[1], -2]]) : V.legend;
    if (O.legend_el) {
      // A band under the map (the map component, in a frame too narrow to share its width).
      fmLegendStrip(O.legend_el, O.title, V.unit_label, rows, countHead, txt.cls);
      // Too many classes to stand side by side in this width: one row per class instead,
      // so no class is cut off (the map gives up the height it takes).
      if (O.legend_el.scrollWidth > O.legend_el.clientWidth + 1) {
        while (O.legend_el.firstChild) { O.legend_el.removeChild(O.legend_el.firstChild); }
        fmLegendRows(O.legend_el, O.title, V.unit_label, rows, countHead, txt.cls);
      }
    } else {
      lg = L.control({position: O.legend_pos});
      lg.onAdd = function() {
        var d = L.DomUtil.create("div", "fm-legend");
        fmLegendRows(d, O.title, V.unit_label, rows, countHead, txt.cls);
        if (txt.hide) { fmLegendToggle(map, d, txt); }
        // A long legend scrolls inside the map rather than running off it.
        d.style.maxHeight = Math.max(96, map.getSize().y - 20) + "px";
        L.DomEvent.disableClickPropagation(d);
        L.DomEvent.disableScrollPropagation(d);
        return d;
      };
      lg.addTo(map);
      fmFitLegendsSoon(map);
    }
  }
  return lg;
}

/* Overlays (layers/overlay.py) over the choropleth, in a pane of their own above it: lines as
 * polylines over a dark casing, points as circle markers, areas as outlines (no fill). L is
 * a list of payloads {id, label, f, k: kind per feature (0 line, 1 point, 2 area), g: encoded
 * parts, c: class, pal, legend: [[label, colour, count]], cat: coloured by category, shape
 * and shapes (swatch of the whole overlay, of each legend row), h: titles, rows, note}.
 * One legend box holds a section per overlay. Returns {layer, legend}. */
function fmOverlays(map, L_, O) {
  fmStyle(O.css);
  fmKeepTooltipsIn();
  var pane = map.getPane("fmOverlays") || map.createPane("fmOverlays");
  pane.style.zIndex = 460;
  var renderer = L.svg({pane: "fmOverlays"});
  var group = L.featureGroup();
  function cell(r, i) { return r.length > 2 ? r[1][r[2][i]] : r[1][i]; }
  L_.forEach(function(V) {
    function tip(i) {
      return function() {
        var d = document.createElement("div"); d.className = "fm-tip fm-ov-tip";
        var b = document.createElement("b"); b.textContent = V.h[i] || V.label; d.appendChild(b);
        var what = document.createElement("div"); what.className = "fm-ov-what";
        var row = V.legend[V.c[i]];
        what.textContent = V.label + (V.cat ? " · " + row[0] : "");
        d.appendChild(what);
        V.rows.forEach(function(r) {
          var t = cell(r, i);
          if (t === "" || t === undefined) { return; }
          var line = document.createElement("div");
          var k = document.createElement("span"); k.className = "fm-k"; k.textContent = r[0] + ": ";
          var v = document.createElement("span"); v.textContent = t;
          line.appendChild(k); line.appendChild(v); d.appendChild(line);
        });
        return d;
      };
    }
    var shapes = [], casing = [], points = [];
    V.g.forEach(function(parts, i) {
      var pts = parts.map(function(s) { return fmRing(s, V.f).map(function(p) { return [p[1], p[0]]; }); });
      if (V.k[i] === 1) { pts.forEach(function(r) { r.forEach(function(ll) { points.push([ll, i]); }); }); }
      else { shapes.push([pts, i]); pts.forEach(function(p) { casing.push(p); }); }
    });
    if (casing.length) {
      L.polyline(casing, {renderer: renderer, color: "#1a1a1a", weight: 5.5, opacity: 0.75,
                          interactive: false, className: "fm-ov-casing"}).addTo(group);
    }
    function hover(l, style, wider) {
      l.bindTooltip(tip(l.options.fmIndex), {sticky: true, direction: "top", opacity: 0.95,
                                             fmKeepIn: true, className: "fm-tipbox"});
      l.on("mouseover", function() { l.setStyle(wider); l.bringToFront(); });
      l.on("mouseout", function() { l.setStyle(style); });
    }
    shapes.forEach(function(s) {
      var i = s[1], area = V.k[i] === 2;
      var style = {color: V.pal[V.c[i]], weight: area ? 2.5 : 3.5, opacity: 1, lineCap: "round",
                   lineJoin: "round"};
      var l = L.polyline(s[0], Object.assign({renderer: renderer, fmIndex: i,
        className: "fm-ov " + (area ? "fm-ov-area" : "fm-ov-line")}, style));
      hover(l, style, {weight: style.weight + 2.5});
      l.addTo(group);
    });
    points.forEach(function(p) {
      var i = p[1];
      var style = {radius: 6, color: "#1a1a1a", weight: 1.5, fillColor: V.pal[V.c[i]],
                   fillOpacity: 0.95, opacity: 1};
      var m = L.circleMarker(p[0], Object.assign({renderer: renderer, fmIndex: i,
        className: "fm-ov fm-ov-point"}, style));
      hover(m, style, {radius: 9, weight: 2.5});
      m.addTo(group);
    });
  });
  group.addTo(map);
  window.fmOverlayLayer = group;
  var lg = L.control({position: O.ov_legend_pos || "topright"});
  lg.onAdd = function() {
    var d = L.DomUtil.create("div", "fm-legend fm-ov-legend");
    L_.forEach(function(V) {
      var sec = document.createElement("div"); sec.className = "fm-ov-sec";
      var t = document.createElement("div"); t.className = "fm-lh"; t.textContent = V.label;
      sec.appendChild(t);
      V.legend.forEach(function(e, j) {
        var row = document.createElement("div"); row.className = "fm-row";
        var shape = (V.shapes && V.shapes[j]) || V.shape;
        var sw = document.createElement("span"); sw.className = "fm-ov-sw fm-ov-sw-" + shape;
        if (shape === "line") { sw.style.borderTopColor = e[1]; }
        else if (shape === "area") { sw.style.borderColor = e[1]; }
        else { sw.style.background = e[1]; }
        var lab = document.createElement("span"); lab.className = "fm-ov-label";
        lab.textContent = e[0] + " (" + e[2] + ")";
        row.appendChild(sw); row.appendChild(lab); sec.appendChild(row);
      });
      if (V.note) {
        var n = document.createElement("div"); n.className = "fm-ov-note"; n.textContent = V.note;
        sec.appendChild(n);
      }
      d.appendChild(sec);
    });
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  lg.addTo(map);
  fmFitLegendsSoon(map);
  return {layer: group, legend: lg};
}
