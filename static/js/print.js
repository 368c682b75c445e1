// The diary's print button: a link, so the page works without script; with script it prints.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest(".print-page");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
