// A classic script in <head>, so it runs before any module: when the address is the
// plain applications list, start its request now so it overlaps the modules' download.
// The list's first request takes the response if it asks for the very same URL; main.js
// drops it after the first view is drawn, so it is never used later or twice.
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
