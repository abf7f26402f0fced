// regsearch public pages: small helpers only; every search works without this script.
(function () {
  "use strict";
  var examples = {
    debtor_name: "Nguyen Van Tu",
    debtor_name_individual: "Nguyen Thi Nhu Quynh",
    debtor_name_organization: "Cong ty TNHH Thuong mai Dong A",
    id_number: "001190012345",
    chassis_number: "RLHJC5218HY012345",
    engine_number: "2NRX123456",
    plate_number: "30A-123.45",
    registration_number: "2024-0000123456"
  };
  var select = document.getElementById("criterion");
  var input = document.getElementById("value");
  var hint = document.getElementById("value-hint");
  if (!select || !input) { return; }
  function follow() {
    var option = select.options[select.selectedIndex];
    input.placeholder = examples[select.value] ? "Ví dụ / e.g. " + examples[select.value] : "";
    if (hint && option && option.dataset.hintVi) {
      hint.firstChild.nodeValue = option.dataset.hintVi + " ";
      hint.querySelector("[lang=en]").textContent = option.dataset.hintEn;
    }
  }
  select.addEventListener("change", function () { follow(); input.focus(); });
  follow();
  // Escape clears the value to start again (Enter submits, as in any form)
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; }
  });
})();
// Forms that cannot be undone (removing a user, revoking a key) ask first; without this
// script they are sent as they are.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
