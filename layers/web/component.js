/* The map as a Streamlit component: the Streamlit side sends the encoded shapes (with an id),
 * the per-region values, the options and the overlays; a click sends back the region id (with
 * an id of its own, so a second click on the same region still counts), and, when asked, the
 * map's centre and zoom after the user moved it. The map and its decoded shapes stay in the
 * page across reruns: when only the values change, only the choropleth layer and legend are
 * drawn again (the overlays only when they change). */
(function() {
  var S = {map: null, gid: null, G: null, drawn: null, height: 0, view: null, ov: null,
           ovKey: null, last: {region_id: null, click: null, center: null, zoom: null}, report: false};

  function send(type, data) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in data || {}) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }
  function value(changes) {
    for (var k in changes) { S.last[k] = changes[k]; }
    send("streamlit:setComponentValue", {value: S.last, dataType: "json"});
  }
  function round(x, d) { var f = Math.pow(10, d); return Math.round(x * f) / f; }

  function render(a) {
    var O = JSON.parse(a.options), V = JSON.parse(a.values), refit = false;
    S.report = !!a.report_view;
    if (!S.map) {
      S.map = L.map("map", {zoomSnap: 0.25, zoomControl: true, attributionControl: true});
      L.control.scale().addTo(S.map);
      if (O.tile_url) { L.tileLayer(O.tile_url, {attribution: O.tile_attr || ""}).addTo(S.map); }
      S.map.on("moveend", function() {
        if (!S.report) { return; }
        var c = S.map.getCenter();
        var centre = [round(c.lat, 5), round(c.lng, 5)], zoom = round(S.map.getZoom(), 2);
        if (S.last.zoom === zoom && S.last.center && S.last.center[0] === centre[0] &&
            S.last.center[1] === centre[1]) { return; }
        value({center: centre, zoom: zoom});
      });
      refit = true;
    }
    if (a.height !== S.height) {
      S.height = a.height;
      document.getElementById("map").style.height = a.height + "px";
      S.map.invalidateSize();
      send("streamlit:setFrameHeight", {height: a.height});
    }
    if (a.gid !== S.gid) { S.G = JSON.parse(a.geometry); S.gid = a.gid; refit = true; }
    if (S.drawn) {
      S.map.removeLayer(S.drawn.layer);
      if (S.drawn.legend) { S.map.removeControl(S.drawn.legend); }
    }
    S.drawn = fmChoropleth(S.map, S.G, V, O);
    S.drawn.layer.on("click", function(e) {
      // A fresh id per click, so a second click on the same region (or a click after the
      // frame was rebuilt) is still told apart from the last one.
      value({region_id: e.layer.feature.properties.region_id,
             click: Date.now() + "-" + Math.random().toString(36).slice(2)});
    });
    // Overlays sit in a pane above the choropleth: drawn again only when they change.
    var ovKey = a.overlays || "";
    if (ovKey !== S.ovKey) {
      if (S.ov) {
        S.map.removeLayer(S.ov.layer);
        if (S.ov.legend) { S.map.removeControl(S.ov.legend); }
        S.ov = null;
      }
      S.ovKey = ovKey;
      if (ovKey) { S.ov = fmOverlays(S.map, JSON.parse(ovKey), O); }
    }
    // A view asked for (a link or a saved view) wins over fitting the shapes, once.
    var want = a.center && a.zoom !== null && a.zoom !== undefined ?
      JSON.stringify([a.center, a.zoom]) : null;
    if (want && want !== S.view) {
      S.view = want;
      S.map.setView([a.center[0], a.center[1]], a.zoom, {animate: false});
    } else if (refit) {
      var b = O.bounds;
      S.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
    }
  }

  window.addEventListener("message", function(ev) {
    var d = ev.data;
    if (d && d.type === "streamlit:render") { render(d.args); }
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
