// Share bar: "Copy link" puts the page's tracked link on the clipboard. The
// link is asked of the server on click (so a mere page view makes none);
// without JS, or when the clipboard refuses, the button opens a page showing it.
(function () {
  function trackedLink(anchor) {
    var url = anchor.href + (anchor.href.indexOf("?") < 0 ? "?" : "&") + "format=text";
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("share link: " + response.status);
      return response.text();
    });
  }

  function copy(text) {
    // Safari lets a click write to the clipboard only within the click: hand
    // it a promise of the text. Others may not take one: write it when it comes.
    if (window.ClipboardItem && navigator.clipboard.write) {
      var blob = text.then(function (value) {
        return new Blob([value], { type: "text/plain" });
      });
      return navigator.clipboard
        .write([new ClipboardItem({ "text/plain": blob })])
        .catch(function () {
          return text.then(function (value) {
            return navigator.clipboard.writeText(value);
          });
        });
    }
    return text.then(function (value) {
      return navigator.clipboard.writeText(value);
    });
  }

  document.addEventListener("click", function (event) {
    var anchor = event.target.closest("a[data-share-copy]");
    if (!anchor || !navigator.clipboard || !window.fetch) return;
    event.preventDefault();
    var label = anchor.querySelector("[data-share-label]");
    var status = anchor.closest(".share-bar").querySelector("[data-share-status]");
    var text = trackedLink(anchor);
    copy(text).then(
      function () {
        text.then(function (value) {
          // The words come from the page, in its language.
          var before = label.textContent;
          label.textContent = anchor.dataset.copied;
          anchor.classList.add("copied");
          if (status) status.textContent = anchor.dataset.copiedStatus.replace("{link}", value);
          setTimeout(function () {
            label.textContent = before;
            anchor.classList.remove("copied");
          }, 4000);
        });
      },
      function () {
        window.location.href = anchor.href;
      }
    );
  });
})();
