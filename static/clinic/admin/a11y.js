/* Admin-wide accessibility fixes for widgets Django's admin scripts build in the page.
   A ModelAdmin lists it in its Media (education.admin.ArticleAdmin). Only attributes are added.

   - The filter icons of a two-list picker (filter_horizontal) carry an aria-label on a plain
     <span>, which ARIA forbids: give them role="img", so the label they sit in is read.
   - The search box of an autocomplete field (select2) has no label: name it after the field. */
(function () {
  "use strict";

  function fieldLabel(select) {
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function fix(root) {
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (input) {
      const container = input.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const name = select && select.tagName === "SELECT" ? fieldLabel(select) : "";
      input.setAttribute("aria-label", name ? "Search " + name.toLowerCase() : "Search");
    });
  }

  function start() {
    fix(document);
    // The widgets are built after page load (and again for each added inline row).
    new MutationObserver(function () {
      fix(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
