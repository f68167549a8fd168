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
