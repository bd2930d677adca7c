// Learning Portal widget loader. Usage on an intranet page:
//   <script src="https://PORTAL/widgets/embed.js" data-variant="manager" async></script>
// Optional attributes: data-token (an embed token minted by the intranet's server),
// data-limit (3-6 suggestions), data-title (the iframe's accessible name).
// A token is POSTed into the iframe, never put in its URL: the portal exchanges it for a
// short-lived widget session, so it appears in no address bar, history or access log.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, window.location.href).origin;
  var frameId = "lp-widget-" + Math.random().toString(36).slice(2, 10);
  var params = new URLSearchParams();
  if (script.dataset.variant) params.set("variant", script.dataset.variant);
  if (script.dataset.limit) params.set("limit", script.dataset.limit);
  params.set("frame", frameId);
  var token = script.dataset.token || "";

  var iframe = document.createElement("iframe");
  iframe.title = script.dataset.title || "Suggested learning";
  iframe.id = frameId;
  iframe.name = frameId;
  iframe.style.width = "100%";
  iframe.style.border = "0";
  iframe.style.height = "360px";
  iframe.style.display = "block";
  if (!token) {
    iframe.setAttribute("loading", "lazy");
    iframe.src = origin + "/widgets/suggested/?" + params.toString();
  }
  script.parentNode.insertBefore(iframe, script.nextSibling);

  if (token) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = origin + "/widgets/suggested/";
    form.target = frameId;
    form.style.display = "none";
    params.set("token", token);
    params.forEach(function (value, name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    form.parentNode.removeChild(form);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== "learning-portal-widget:height" || data.frame !== frameId) return;
    var height = parseInt(data.height, 10);
    if (height > 0 && height < 5000) iframe.style.height = height + "px";
  });
})();
