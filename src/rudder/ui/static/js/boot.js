// Loaded as a classic async script, before the modules: when the address is the plain
// applications list, start its request now so it overlaps the modules' download.
// api.js takes the response (once) if it asks for the very same URL.
(function () {
  var hash = location.hash || "#/applications";
  if (!/^#\/?(applications\/?)?$/.test(hash)) return;
  var url = "/api/v1/applications?limit=50&offset=0";
  window.rudderPrefetch = {
    url: url,
    at: Date.now(),
    response: fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }),
  };
  window.rudderPrefetch.response.catch(function () {});
})();
