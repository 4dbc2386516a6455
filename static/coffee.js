// Shows coffee times in the visitor's own zone too, when it differs from the
// host's: adds ?tz= to the page's address once, keeping the rest of it. The
// pages work the same without this script (the zone can be typed in).
(function () {
  var page = document.querySelector("[data-host-zone]");
  var params = new URLSearchParams(location.search);
  if (!page || params.has("tz")) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && zone !== page.dataset.hostZone) {
    params.set("tz", zone);
    location.replace(location.pathname + "?" + params.toString() + location.hash);
  }
})();
