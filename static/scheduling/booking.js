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

  // After a refused submit, move focus to the summary so screen readers read it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
