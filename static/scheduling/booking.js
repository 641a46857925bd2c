// Booking pages, improved where JavaScript runs (everything works without it).
(function () {
  "use strict";

  var SERVED_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"];

  // Step 1: send the browser's zone as a hint, so times show in it when it fits the state.
  var tzInput = document.querySelector(".booking-state-form input[name=tz]");
  if (tzInput) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (SERVED_ZONES.indexOf(zone) !== -1) {
        tzInput.value = zone;
      }
    } catch (e) {
      // No Intl support: the state's usual zone is used.
    }
  }

  // Step 2: a day link shows that day's times in place instead of reloading the page (without
  // JavaScript the link reloads with that day chosen). Days not shown are disabled too, so the
  // browser neither asks about them nor sends a time from them.
  var dayLinks = document.querySelectorAll(".day-choice .day-link");
  Array.prototype.forEach.call(dayLinks, function (link) {
    link.addEventListener("click", function (event) {
      var group = document.getElementById("day-" + link.dataset.day);
      if (!group) {
        return;
      }
      event.preventDefault();
      Array.prototype.forEach.call(document.querySelectorAll(".slot-day[data-day]"), function (other) {
        other.hidden = other !== group;
        other.disabled = other !== group;
      });
      Array.prototype.forEach.call(dayLinks, function (other) {
        if (other === link) {
          other.setAttribute("aria-current", "true");
        } else {
          other.removeAttribute("aria-current");
        }
      });
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", link.href);
      }
    });
  });

  // After a refused submit, move focus to the summary so screen readers read it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
