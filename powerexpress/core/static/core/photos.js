/* Photos taken on a phone are shrunk on the phone before they are sent or queued: a 12-megapixel
 * camera picture (3–6 MB) becomes a JPEG of at most PHOTO_MAX_SIDE pixels on its long side
 * (about 200–400 kB), which a weak village signal can carry. Applies to every file input that
 * accepts images; a picture already small, a format the browser cannot decode, or a browser
 * without createImageBitmap keeps the original file. While pictures are being shrunk, a submit of
 * their form waits for them. */
(function () {
  "use strict";
  var PHOTO_MAX_SIDE = 1600, QUALITY = 0.82, SMALL_ENOUGH_BYTES = 500 * 1024;
  var redispatched = new WeakSet(), pending = new WeakMap();

  function shrink(file) {
    if (!/^image\//.test(file.type) || file.size <= SMALL_ENOUGH_BYTES || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !/image/.test(input.accept || "")) return;
    if (redispatched.has(event)) return;
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.some(function (f) { return /^image\//.test(f.type) && f.size > SMALL_ENOUGH_BYTES; })) return;
    if (typeof DataTransfer === "undefined") return;
    event.stopImmediatePropagation();  // the page's own handlers see the shrunk files instead
    var done = Promise.all(files.map(shrink)).then(function (shrunk) {
      var transfer = new DataTransfer();
      shrunk.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      if (input.form) pending.delete(input.form);
      var again = new Event("change", { bubbles: true });
      redispatched.add(again);
      input.dispatchEvent(again);
    });
    if (input.form) pending.set(input.form, done);
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target, waiting = pending.get(form);
    if (!waiting) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    waiting.then(function () { form.requestSubmit(submitter || undefined); });
  }, true);
})();
