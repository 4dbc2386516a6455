// Times in the visitor's own zone: after each <time datetime="…" data-local
// data-zone="Europe/Madrid">, says "That's 13:30 your time (New York)" when
// the visitor's zone shows the instant differently. Without this script the
// page still shows the time in the event's zone.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Day and month names in the page's language, like the rest of the page.
  var language = document.documentElement.lang || undefined;
  if (!visitorZone) return;

  function parts(instant, zone) {
    var formatted = {};
    new Intl.DateTimeFormat(language, {
      timeZone: zone, weekday: "short", day: "numeric", month: "short",
      hour: "numeric", minute: "2-digit"
    }).formatToParts(instant).forEach(function (part) {
      formatted[part.type] = part.value;
    });
    return formatted;
  }

  // "13:30" where the visitor's clocks run to 24, "1:30 PM" where they run to 12.
  var cycle = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle;
  var hour = cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";

  function clock(instant, zone) {
    return new Intl.DateTimeFormat(language, {
      timeZone: zone, hour: hour, minute: "2-digit", hourCycle: cycle
    }).format(instant);
  }

  function day(instant, zone) {
    return new Intl.DateTimeFormat(language, {
      timeZone: zone, weekday: "short", day: "numeric", month: "short"
    }).format(instant);
  }

  function city(zone) {
    return zone.split("/").pop().replace(/_/g, " ");
  }

  document.querySelectorAll("time[data-local][datetime]").forEach(function (time) {
    var instant = new Date(time.getAttribute("datetime"));
    var eventZone = time.dataset.zone;
    if (isNaN(instant.getTime()) || !eventZone) return;
    var there = parts(instant, eventZone);
    var here = parts(instant, visitorZone);
    var same = ["weekday", "day", "month", "hour", "minute", "dayPeriod"].every(function (key) {
      return there[key] === here[key];
    });
    if (same) return;
    var sameDay = there.weekday === here.weekday && there.day === here.day;
    var note = document.createElement("p");
    note.className = "your-time";
    var when = (sameDay ? "" : day(instant, visitorZone) + ", ") + clock(instant, visitorZone);
    // The sentence comes from the page, in its language.
    note.textContent = time.dataset.yourTime
      .replace("{when}", when)
      .replace("{city}", city(visitorZone));
    var line = time.closest("p") || time;
    line.insertAdjacentElement("afterend", note);
  });
})();
