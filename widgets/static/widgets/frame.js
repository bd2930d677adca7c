// Runs inside the widget's iframe: tells the embedding page how tall the widget is, so it can
// size the iframe to its content. Heights are not sensitive, so any parent may listen.
(function () {
  "use strict";
  var frameId = document.documentElement.getAttribute("data-frame-id") || "";
  var last = 0;
  function report() {
    // The body's own height: the document's scrollHeight never drops below the iframe's
    // current viewport, so a widget shorter than the default size could never shrink.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    if (window.parent && window.parent !== window) {
      window.parent.postMessage(
        { type: "learning-portal-widget:height", frame: frameId, height: height },
        "*"
      );
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if ("ResizeObserver" in window) {
    new ResizeObserver(report).observe(document.body);
  }
  report();
})();
