// Ask before a destructive form is submitted: <form class="confirm-submit" data-confirm="...">.
// A static file, not inline script, so the Content-Security-Policy can forbid inline script.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.classList && form.classList.contains("confirm-submit") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
