// regsearch batch page: follows a batch's progress until it ends, the bar each second and
// the page again when the state changes (without this script the page refreshes itself:
// a <noscript> meta refresh).
(function () {
  "use strict";
  var section = document.getElementById("batch");
  if (!section) { return; }
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var state = document.getElementById("state");
  var ended = { done: true, failed: true, cancelled: true };
  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (batch) {
        if (!batch) { setTimeout(poll, 3000); return; }
        bar.value = batch.progress.percent;
        text.firstChild.nodeValue = batch.rows.done + " / " + batch.rows.valid + " dòng · " +
          batch.progress.percent + "% ";
        text.querySelector("[lang=en]").textContent =
          batch.rows.done + " of " + batch.rows.valid + " rows";
        if (batch.status !== section.dataset.state) {
          // running, or ended: the page says so in words (and, once done, the downloads)
          window.location.replace("/tai-khoan/lo/" + batch.id);
          return;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (!ended[section.dataset.state]) { setTimeout(poll, 500); }
})();
