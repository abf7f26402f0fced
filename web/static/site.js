// regsearch public pages: small helpers only; every search works without this script.
(function () {
  "use strict";
  var hints = {
    debtor_name: "Ví dụ: Nguyen Van Tu · e.g. Nguyen Van Tu",
    debtor_name_individual: "Ví dụ: Nguyen Thi Nhu Quynh · e.g. Nguyen Thi Nhu Quynh",
    debtor_name_organization: "Ví dụ: Cong ty TNHH Dong A · e.g. Dong A Co., Ltd",
    id_number: "Ví dụ: 001190012345 · e.g. 001190012345",
    chassis_number: "Ví dụ: RLHJC5218HY012345",
    engine_number: "Ví dụ: 2NRX123456",
    plate_number: "Ví dụ: 30A-123.45",
    registration_number: "Ví dụ: 2024-0000123456"
  };
  var select = document.getElementById("criterion");
  var input = document.getElementById("value");
  if (!select || !input) { return; }
  function hint() { input.placeholder = hints[select.value] || ""; }
  select.addEventListener("change", function () { hint(); input.focus(); });
  hint();
  // the form submits on Enter already; Escape clears the value to start again
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; }
  });
})();
