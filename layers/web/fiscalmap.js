/* Fiscal map: the browser side of every choropleth the app draws.
 *
 * fmRing/fmFeatures decode the compact shapes of layers/geometry.py (delta-encoded polylines,
 * 1e-4 degree); fmChoropleth(map, G, V, O) draws them with the colours, tooltips and legend of
 * a ChoroplethView (V) and returns {layer, legend}. Text from data only ever reaches the page
 * through textContent. Used inline by the folium renderer and as a file by the map component.
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
  var feats = [];
  for (var i = 0; i < G.ids.length; i++) {
    var polys = G.shapes[i].map(function(p) { return p.map(function(s) { return fmRing(s, G.f); }); });
    feats.push({type: "Feature", id: G.ids[i],
                properties: {region_id: G.ids[i], name: G.names[i], i: i},
                geometry: {type: "MultiPolygon", coordinates: polys}});
  }
  return feats;
}

/* The tooltip of feature i of the shapes G: its name, then one "label: value" line per row. */
function fmTip(G, i, rows) {
  var d = document.createElement("div");
  d.className = "fm-tip";
  var b = document.createElement("b"); b.textContent = G.names[i]; d.appendChild(b);
  rows.forEach(function(r) {
    var line = document.createElement("div");
    var k = document.createElement("span"); k.className = "fm-k"; k.textContent = r[0] + ": ";
    var v = document.createElement("span"); v.textContent = r[1];
    line.appendChild(k); line.appendChild(v); d.appendChild(line);
  });
  return d;
}

/* Title, unit line and one row per class ([label, colour, count, class id]; id -1 = No data,
 * hatched) into the legend box d. */
function fmLegendRows(d, title, unitLabel, legend) {
  if (title) { var t = document.createElement("div"); t.className = "fm-title"; t.textContent = title; d.appendChild(t); }
  var h = document.createElement("div"); h.className = "fm-lh"; h.textContent = unitLabel; d.appendChild(h);
  legend.forEach(function(e) {
    var row = document.createElement("div"); row.className = "fm-row";
    var sw = document.createElement("span"); sw.className = "fm-sw"; sw.style.background = e[1];
    if (e[3] < 0) { sw.className += " fm-nd"; }
    var lab = document.createElement("span"); lab.textContent = e[0] + " (" + e[2] + ")";
    row.appendChild(sw); row.appendChild(lab); d.appendChild(row);
  });
}

function fmChoropleth(map, G, V, O) {
  fmStyle(O.css);
  (O.cls || "").split(" ").forEach(function(c) { if (c) { map.getContainer().classList.add(c); } });
  var feats = fmFeatures(G);
  function fill(i) { var c = V.c[i]; return c < 0 ? V.nd : V.pal[c]; }
  function tip(layer) {
    var i = layer.feature.properties.i;
    return fmTip(G, i, [[V.label, V.v[i]]].concat(
      V.rows.map(function(r) { return [r[0], r[1][i]]; })));
  }
  var layer = L.geoJSON({type: "FeatureCollection", features: feats}, {
    style: function(f) {
      var i = f.properties.i, sel = G.ids[i] === V.sel;
      return {fillColor: fill(i), fillOpacity: O.fo, color: sel ? O.sel : O.line,
              weight: sel ? 3 : O.lw, opacity: 1};
    },
    onEachFeature: function(f, l) {
      l.bindTooltip(tip, {sticky: true, direction: "top", opacity: 0.95});
      l.on("mouseover", function() { l.setStyle({weight: 2.5, color: O.sel}); l.bringToFront(); });
      l.on("mouseout", function() { layer.resetStyle(l); });
    }
  }).addTo(map);
  window.fmLayer = layer;
  var lg = null;
  if (V.legend && V.legend.length) {
    lg = L.control({position: O.legend_pos});
    lg.onAdd = function() {
      var d = L.DomUtil.create("div", "fm-legend");
      fmLegendRows(d, O.title, V.unit_label, V.legend);
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    lg.addTo(map);
  }
  return {layer: layer, legend: lg || null};
}

/* Overlays (layers/overlay.py) over the choropleth, in a pane of their own above it: lines as
 * polylines over a dark casing, points as circle markers, areas as outlines (no fill). L is
 * a list of payloads {id, label, f, k: kind per feature (0 line, 1 point, 2 area), g: encoded
 * parts, c: class, pal, legend: [[label, colour, count]], cat: coloured by category, shape
 * and shapes (swatch of the whole overlay, of each legend row), h: titles, rows, note}.
 * One legend box holds a section per overlay. Returns {layer, legend}. */
function fmOverlays(map, L_, O) {
  fmStyle(O.css);
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
      l.bindTooltip(tip(l.options.fmIndex), {sticky: true, direction: "top", opacity: 0.95});
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
  return {layer: group, legend: lg};
}
