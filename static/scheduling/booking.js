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
  // JavaScript the link reloads with that day chosen). The chosen day's group moves first in the
  // form, so a browser's "please choose" lands on a time that is on screen.
  var dayLinks = document.querySelectorAll(".day-choice .day-link");
  Array.prototype.forEach.call(dayLinks, function (link) {
    link.addEventListener("click", function (event) {
      var group = document.getElementById("day-" + link.dataset.day);
      if (!group) {
        return;
      }
      event.preventDefault();
      var groups = document.querySelectorAll(".slot-day[data-day]");
      Array.prototype.forEach.call(groups, function (other) {
        if (other !== group) {
          other.hidden = true;
          // A time chosen on a day no longer shown must not be sent unseen.
          Array.prototype.forEach.call(other.querySelectorAll("input[type=radio]:checked"), function (radio) {
            radio.checked = false;
          });
        }
      });
      group.hidden = false;
      groups[0].parentNode.insertBefore(group, groups[0]);
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
