// cchc: small behaviours; htmx does the rest.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var box = document.createElement("div");
  box.className = "alert alert-danger py-2";
  box.setAttribute("role", "alert");
  box.textContent = document.documentElement.lang === "vi"
    ? "Không tải được dữ liệu (mã " + status + "). Vui lòng thử lại."
    : "Could not load the data (status " + status + "). Please try again.";
  var main = document.querySelector("main");
  if (main) main.prepend(box);
});

// "Expand all" / "Collapse all" buttons for <details> trees.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-expand]");
  if (!button) return;
  var open = button.getAttribute("data-expand") === "open";
  document.querySelectorAll("main details").forEach(function (d) { d.open = open; });
});
