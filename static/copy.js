// "Copy" buttons: put the button's data-copy text on the clipboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(function () {
    button.textContent = button.dataset.copied || "Copied";
  });
});
