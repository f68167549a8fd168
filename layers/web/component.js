/* The map as a Streamlit component: the Streamlit side sends the encoded shapes (with an id;
 * for a large layer only its band table, the shapes being fetched per zoom band: banded.js),
 * the per-region values, the options and the overlays; a click sends back the region id (with
 * an id of its own, so a second click on the same region still counts), and, when asked, the
 * map's centre and zoom after the user moved it. The map and its decoded shapes stay in the
 * page across reruns: when only the values change, only the choropleth layer and legend are
 * drawn again (the overlays only when they change).
 *
 * The frame keeps its height within the browser window (options.fit: margin, least height)
 * and shows every region at first: the legend sits on the map's right side with the map
 * fitted beside it, or, when the frame is too narrow to share its width, in a band under the
 * map (the same words, laid out across). The frame takes the map's name as its title ("Map:
 * <title>", for screen readers) and starts with a "Skip the map" link that moves the focus to
 * what follows the map on the page. The regions are not in the tab order; the map itself is
 * (arrow keys pan, +/- zoom). */
(function() {
  var S = {map: null, gid: null, G: null, drawn: null, height: 0, mapH: 0, view: null, ov: null,
           ovKey: null, last: {region_id: null, click: null, center: null, zoom: null}, report: false,
           want: 0, fit: null, moved: false, fitting: false, O: null, args: null, mode: null,
           sideW: 0, stripH: 0};
  var mapDiv = document.getElementById("map"), strip = document.getElementById("fm-strip");
  window.fmComponent = S;      // for the browser tests

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

  /* The page around the frame, when the browser lets the frame see it (same origin). */
  function host() {
    try { return window.frameElement ? window.parent : null; } catch (e) { return null; }
  }

  /* Where the frame's top sits on the page, scrolled to the top (px), or null. */
  function pageTop() {
    try {
      var fe = window.frameElement, y = fe.getBoundingClientRect().top;
      for (var el = fe.parentElement; el; el = el.parentElement) { y += el.scrollTop || 0; }
      return y + (window.parent.scrollY || 0);
    } catch (e) { return null; }
  }

  /* The height asked for, capped by the browser window (fit = [margin, least height]): a map
   * that starts in the upper half of the window ends above its bottom edge; one further down
   * the page fits the window once scrolled to. */
  function frameHeight() {
    var h = S.want, w = host(), top = S.fit && w ? pageTop() : null;
    if (top !== null) {
      var win = w.innerHeight, m = S.fit[0];
      var room = top < win / 2 ? win - top - m : win - 2 * m;
      h = Math.min(h, Math.max(S.fit[1], room));
    }
    return Math.round(h);
  }
  /* The map takes the frame's height less the legend band under it (if any). */
  function layout() {
    var sh = strip.hidden ? 0 : strip.offsetHeight;
    var mh = Math.max(120, S.height - sh);
    if (mh === S.mapH) { return false; }
    S.mapH = mh;
    mapDiv.style.height = mh + "px";
    S.fitting = true;
    S.map.invalidateSize({pan: false});
    S.fitting = false;
    fmFitLegends(S.map);
    return true;
  }
  function applyHeight() {
    var h = frameHeight(), changed = h !== S.height;
    if (changed) {
      S.height = h;
      send("streamlit:setFrameHeight", {height: h});
    }
    return layout() || changed;
  }

  /* The zoom that fits bounds into w × h px. */
  function zoomFor(bounds, w, h) {
    var a = S.map.project(bounds.getNorthWest(), 0), b = S.map.project(bounds.getSouthEast(), 0);
    return Math.log2(Math.max(1, Math.min(w / Math.max(b.x - a.x, 1e-9),
                                          h / Math.max(b.y - a.y, 1e-9))));
  }
  function boundsOf(O) {
    var b = O.bounds;
    return L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
  }
  /* Where the legend goes: "side" (on the map, the map fitted beside it) when that costs the
   * map at most half a zoom level, else "strip" (under the map) when that leaves the map
   * larger, else "side" over a corner of the map. */
  function legendMode(O, V) {
    if (!V.legend || !V.legend.length || !/right$/.test(O.legend_pos || "")) { return "side"; }
    var bounds = boundsOf(O), w = document.body.clientWidth || mapDiv.offsetWidth, h = S.height;
    var full = zoomFor(bounds, w - 16, h - 16);
    var side = zoomFor(bounds, w - (S.sideW || 300) - 34, h - 16);
    if (side >= full - 0.5) { return "side"; }
    var under = zoomFor(bounds, w - 16, h - (S.stripH || 120) - 16);
    return under > side ? "strip" : "side";
  }

  /* Move the focus to the first thing a keyboard can reach after the map on the page. */
  function focusAfterMap() {
    var w = host();
    if (!w) { return false; }
    try {
      var fe = window.frameElement, doc = fe.ownerDocument;
      var all = doc.querySelectorAll("a[href], button:not([disabled]), input:not([disabled])," +
        " select:not([disabled]), textarea:not([disabled]), iframe, summary," +
        " [tabindex]:not([tabindex='-1'])");
      for (var i = 0; i < all.length; i++) {
        var el = all[i];
        if (el === fe || !(fe.compareDocumentPosition(el) & 4)) { continue; }   // 4: follows
        if (!el.getClientRects().length) { continue; }                        // not shown
        el.focus();
        if (doc.activeElement === el) { return true; }
      }
    } catch (e) { /* another origin: the link does nothing */ }
    return false;
  }

  function setupAccess(O) {
    var txt = O.txt || {};
    var skip = document.getElementById("fm-skip");
    if (txt.skip) { skip.textContent = txt.skip; }
    if (txt.lang) { document.documentElement.lang = txt.lang; }
    if (!skip._fm) {
      skip._fm = true;
      skip.addEventListener("click", function(ev) { ev.preventDefault(); focusAfterMap(); });
    }
    if (txt.name) {
      document.title = txt.name;
      var c = S.map.getContainer();
      c.setAttribute("role", "region");
      c.setAttribute("aria-label", txt.name);
      try { if (window.frameElement) { window.frameElement.title = txt.name; } } catch (e) { /* other origin */ }
    }
  }

  /* Regions are reached by pointer, or through the page's table: never one Tab per region.
   * (A shape with a tooltip listens for focus, which makes Chromium put every SVG path in
   * the tab order; tabindex -1 takes it out again.) */
  function untab(root) {
    var els = root.querySelectorAll("path.leaflet-interactive, .leaflet-marker-icon");
    for (var i = 0; i < els.length; i++) { els[i].setAttribute("tabindex", "-1"); }
  }

  /* Fit the frame (the main map and the insets): beside a legend on the map's right side
   * when that costs the map at most half a zoom level (see legendMode). */
  function fitFrame(O) {
    var bounds = boundsOf(O);
    var lg = S.drawn && S.drawn.legend && S.drawn.legend.getContainer();
    var opts = {animate: false, padding: [8, 8]};
    if (lg && /right$/.test(O.legend_pos || "")) {
      var size = S.map.getSize(), w = lg.offsetWidth + 18;
      if (zoomFor(bounds, size.x - w - 8, size.y - 16) >= zoomFor(bounds, size.x - 16, size.y - 16) - 0.5) {
        opts = {animate: false, paddingTopLeft: [8, 8], paddingBottomRight: [w, 8]};
      }
    }
    S.fitting = true;
    S.map.fitBounds(bounds, opts);
    S.fitting = false;
  }
  function mayRefit() { return !S.moved && !S.view && S.O; }

  /* Streamlit sends the arguments again when only the frame changed (its height, once the
   * page applies it): nothing to draw then. */
  function sameArgs(a, b) {
    if (!b) { return false; }
    var keys = ["gid", "values", "options", "overlays", "height", "report_view", "zoom"];
    for (var i = 0; i < keys.length; i++) { if (a[keys[i]] !== b[keys[i]]) { return false; } }
    return JSON.stringify(a.center) === JSON.stringify(b.center);
  }

  function render(a) {
    if (S.map && sameArgs(a, S.args)) { applyHeight(); return; }
    var O = JSON.parse(a.options), V = JSON.parse(a.values), refit = false;
    S.args = a;
    S.report = !!a.report_view;
    S.want = a.height; S.fit = O.fit || null; S.O = O;
    if (!S.map) {
      // Fine zoom steps fit the frame closely; a tiled basemap stays on quarter steps.
      S.map = L.map("map", {zoomSnap: O.tile_url ? 0.25 : 0.05, zoomControl: true,
                            attributionControl: true});
      // A first view at once: Leaflet only takes a new size (invalidateSize) once it has one,
      // and the legend band may change the map's height before the shapes are fitted.
      S.map.setView([0, 0], 1, {animate: false});
      S.scale = L.control.scale().addTo(S.map);
      if (O.tile_url) { L.tileLayer(O.tile_url, {attribution: O.tile_attr || ""}).addTo(S.map); }
      S.map.on("moveend", function() {
        if (!S.report) { return; }
        var c = S.map.getCenter();
        var centre = [round(c.lat, 5), round(c.lng, 5)], zoom = round(S.map.getZoom(), 2);
        if (S.last.zoom === zoom && S.last.center && S.last.center[0] === centre[0] &&
            S.last.center[1] === centre[1]) { return; }
        value({center: centre, zoom: zoom});
      });
      S.map.on("movestart", function() { if (!S.fitting) { S.moved = true; } });
      // Folding the legend gives its room back to the map (unless the user moved it).
      S.map.on("fmlegendfold", function() { if (mayRefit()) { fitFrame(S.O); } });
      watchPage();
      refit = true;
    }
    applyHeight();
    setupAccess(O);
    if (a.gid !== S.gid) { S.G = JSON.parse(a.geometry); S.gid = a.gid; refit = true; }
    var mode = legendMode(O, V);
    if (mode !== S.mode) { S.mode = mode; refit = refit || mayRefit(); }
    strip.hidden = mode !== "strip";
    strip.className = "fm-legend fm-strip " + (O.cls || "");
    O.legend_el = mode === "strip" ? strip : null;
    if (S.drawn) {
      S.map.removeLayer(S.drawn.layer);
      if (S.drawn.insets) { S.map.removeLayer(S.drawn.insets); }
      if (S.drawn.legend) { S.map.removeControl(S.drawn.legend); }
    }
    // The scale bar measures the main map: away from the insets (bottom left) when there are.
    var scalePos = S.G.insets && S.G.insets.length ? "bottomright" : "bottomleft";
    if (S.scale.getPosition() !== scalePos) { S.scale.setPosition(scalePos); }
    O.defer = true;                 // added below, once the view is set
    // A banded layer (G.bands: its shapes are fetched per zoom band) is drawn on a canvas.
    S.drawn = S.G.bands ? fmBanded(S.map, S.G, V, O) : fmChoropleth(S.map, S.G, V, O);
    if (S.drawn.legend) { S.sideW = S.drawn.legend.getContainer().offsetWidth; }
    if (mode === "strip") { S.stripH = strip.offsetHeight; }
    layout();
    S.drawn.layer.on("click", function(e) {
      // A fresh id per click, so a second click on the same region (or a click after the
      // frame was rebuilt) is still told apart from the last one.
      value({region_id: e.layer.feature.properties.region_id,
             click: Date.now() + "-" + Math.random().toString(36).slice(2)});
    });
    // A view asked for (a link or a saved view) wins over fitting the shapes, once.
    var want = a.center && a.zoom !== null && a.zoom !== undefined ?
      JSON.stringify([a.center, a.zoom]) : null;
    if (want && want !== S.view) {
      S.view = want;
      S.fitting = true;
      S.map.setView([a.center[0], a.center[1]], a.zoom, {animate: false});
      S.fitting = false;
    } else if (refit) {
      fitFrame(O);
    }
    S.drawn.layer.addTo(S.map);
    // Overlays sit in a pane above the choropleth, added once the view is set (drawn once):
    // drawn again only when they change.
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
    untab(S.map.getContainer());    // after the first view: shapes are drawn once there is one
  }

  /* The page above the map may still grow after the map is drawn (a page fills its title and
   * figures after sending the map), and the window may be resized: follow both, placing the
   * legend again and refitting while the user has not moved the map. */
  function watchPage() {
    var w = host();
    if (!w) { return; }
    var again = function() {
      if (!S.map || !S.args) { return; }
      var changed = applyHeight();
      if (S.O && legendMode(S.O, JSON.parse(S.args.values)) !== S.mode) {
        render(S.args);
      } else if (changed && mayRefit()) {
        fitFrame(S.O);
      }
    };
    w.addEventListener("resize", again);
    try {
      var fe = window.frameElement;
      var block = fe.closest("[data-testid='stMainBlockContainer']") || fe.ownerDocument.body;
      var queued = false;
      new w.ResizeObserver(function() {
        if (queued) { return; }
        queued = true;
        w.requestAnimationFrame(function() { queued = false; again(); });
      }).observe(block);
    } catch (e) { /* no observer: the height follows reruns and window resizes */ }
  }

  window.addEventListener("message", function(ev) {
    var d = ev.data;
    if (d && d.type === "streamlit:render") { render(d.args); }
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
