/* The deck.gl views as a Streamlit component: the Streamlit side sends one payload (a JSON
 * text) and the frame's height. The same payload arriving again (a rerun that changed
 * something else on the page) draws nothing: the camera, tilt and mode the reader chose stay.
 * Nothing is sent back. */
(function() {
  var S = {view: null, payload: null, height: 0};
  var root = document.getElementById("root");
  window.fdComponent = S;      // for the browser tests

  function send(type, data) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in data || {}) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }

  function render(a) {
    var h = Math.max(240, a.height || 560);
    if (h !== S.height) {
      S.height = h;
      root.style.height = h + "px";
      send("streamlit:setFrameHeight", {height: h});
    }
    if (a.payload === S.payload) { return; }
    S.payload = a.payload;
    S.renders = (S.renders || 0) + 1;
    var P = JSON.parse(a.payload);
    if (P.txt && P.txt.name) {
      document.title = P.txt.name;
      try { if (window.frameElement) { window.frameElement.title = P.txt.name; } } catch (e) { /* other origin */ }
    }
    if (P.txt && P.txt.lang) { document.documentElement.lang = P.txt.lang; }
    if (!S.view) { S.view = fdDeck(root, P); } else { S.view.update(P); }
  }

  window.addEventListener("message", function(ev) {
    var d = ev.data;
    if (d && d.type === "streamlit:render") { render(d.args); }
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
