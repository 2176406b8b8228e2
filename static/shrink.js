// Photos and scans from a phone: before a form[data-shrink] uploads its image, the page turns it
// upright (EXIF orientation), crops the photo to the exam's proportions with a simple crop box, and
// re-encodes it as a JPEG inside the byte bounds the server states (#upload-bounds; the words it
// says come from #shrink-texts-source, translated by the page). The server's
// check stays the rule: a file the page cannot fit is sent as it is and the server says why.
(function () {
  "use strict";
  var boundsNode = document.getElementById("upload-bounds");
  var textsNode = document.getElementById("shrink-texts-source");
  if (!boundsNode || !textsNode || !window.createImageBitmap || !window.DataTransfer) {
    return;
  }
  var bounds = JSON.parse(boundsNode.textContent);
  var texts = textsNode.dataset;
  // Aim a little inside the bounds: the server counts the bytes exactly.
  var HIGH = bounds.max_bytes * 0.92;
  var LOW = Math.min(bounds.min_bytes * 1.1, HIGH * 0.8);
  var SCAN_LONG_SIDE = 1600;
  var PHOTO_WIDTH = 390;

  function say(node, text, isError) {
    node.textContent = text;
    node.classList.toggle("field-error", Boolean(isError));
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return values[name]; });
  }

  function kb(bytes) {
    return Math.round(bytes / 1024) + " KB";
  }

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function draw(bitmap, crop, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    // A transparent source (PNG) would turn black in a JPEG; photos need a white background.
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, crop.x, crop.y, crop.w, crop.h, 0, 0, width, height);
    return canvas;
  }

  // The largest quality whose JPEG fits under HIGH, at this size; null when even the lowest is over.
  async function bestQuality(canvas) {
    var top = await toBlob(canvas, 0.92);
    if (top.size <= HIGH) {
      return top;
    }
    var low = 0.3;
    var high = 0.92;
    var best = await toBlob(canvas, low);
    if (best.size > HIGH) {
      return null;
    }
    for (var step = 0; step < 6; step += 1) {
      var middle = (low + high) / 2;
      var blob = await toBlob(canvas, middle);
      if (blob.size <= HIGH) {
        best = blob;
        low = middle;
      } else {
        high = middle;
      }
    }
    return best;
  }

  // Re-encodes the crop of ``bitmap`` at ``width`` x ``height`` or nearby until it lands inside the
  // bounds: smaller when too heavy (not below the minimum pixels), larger when too light.
  async function fit(bitmap, crop, width, height) {
    var minScale = Math.max(bounds.min_width / width, bounds.min_height / height, 0);
    var maxScale = crop.w / width;
    var scale = 1;
    var fallback = null;
    for (var attempt = 0; attempt < 8; attempt += 1) {
      var w = Math.round(width * scale);
      var h = Math.round(height * scale);
      var blob = await bestQuality(draw(bitmap, crop, w, h));
      if (blob === null) {
        if (scale <= minScale) {
          return fallback;
        }
        scale = Math.max(scale * 0.75, minScale);
        continue;
      }
      fallback = blob;
      if (blob.size >= LOW || scale >= maxScale) {
        return blob.size >= bounds.min_bytes ? blob : null;
      }
      scale = Math.min(scale * 1.4, maxScale);
    }
    return fallback && fallback.size >= bounds.min_bytes ? fallback : null;
  }

  function replaceFile(input, blob, name) {
    var transfer = new DataTransfer();
    transfer.items.add(new File([blob], name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
    input.files = transfer.files;
  }

  // ---- The crop box of the photo -------------------------------------------------------------

  function CropBox(container, bitmap, ratio) {
    this.bitmap = bitmap;
    this.ratio = ratio;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "crop-canvas";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", texts.cropLabel);
    var shown = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height) * 1.6);
    this.canvas.width = Math.round(bitmap.width * shown);
    this.canvas.height = Math.round(bitmap.height * shown);
    this.shown = shown;
    this.size = 1;
    var fullW = Math.min(bitmap.width, bitmap.height * ratio);
    this.full = { w: fullW, h: fullW / ratio };
    this.x = (bitmap.width - fullW) / 2;
    this.y = (bitmap.height - this.full.h) / 2;
    this.slider = document.createElement("input");
    this.slider.type = "range";
    this.slider.min = "40";
    this.slider.max = "100";
    this.slider.value = "100";
    this.slider.id = "crop-size";
    var label = document.createElement("label");
    label.htmlFor = "crop-size";
    label.textContent = texts.cropSize;
    var help = document.createElement("p");
    help.className = "help";
    help.textContent = texts.cropHelp;
    container.replaceChildren(this.canvas, label, this.slider, help);
    container.hidden = false;
    var box = this;
    this.slider.addEventListener("input", function () {
      box.resize(Number(box.slider.value) / 100);
    });
    this.canvas.addEventListener("pointerdown", function (event) { box.grab(event); });
    this.paint();
  }

  CropBox.prototype.crop = function () {
    return { x: this.x, y: this.y, w: this.full.w * this.size, h: this.full.h * this.size };
  };

  CropBox.prototype.clamp = function () {
    var crop = this.crop();
    this.x = Math.min(Math.max(this.x, 0), this.bitmap.width - crop.w);
    this.y = Math.min(Math.max(this.y, 0), this.bitmap.height - crop.h);
  };

  CropBox.prototype.resize = function (size) {
    var before = this.crop();
    this.size = size;
    var after = this.crop();
    this.x += (before.w - after.w) / 2;
    this.y += (before.h - after.h) / 2;
    this.clamp();
    this.paint();
  };

  CropBox.prototype.grab = function (event) {
    var box = this;
    var startX = event.clientX;
    var startY = event.clientY;
    var fromX = this.x;
    var fromY = this.y;
    var scale = this.canvas.getBoundingClientRect().width / this.bitmap.width;
    this.canvas.setPointerCapture(event.pointerId);
    function move(moveEvent) {
      box.x = fromX + (moveEvent.clientX - startX) / scale;
      box.y = fromY + (moveEvent.clientY - startY) / scale;
      box.clamp();
      box.paint();
    }
    function drop() {
      box.canvas.removeEventListener("pointermove", move);
      box.canvas.removeEventListener("pointerup", drop);
    }
    this.canvas.addEventListener("pointermove", move);
    this.canvas.addEventListener("pointerup", drop);
  };

  CropBox.prototype.paint = function () {
    var context = this.canvas.getContext("2d");
    var s = this.shown;
    var crop = this.crop();
    context.drawImage(this.bitmap, 0, 0, this.canvas.width, this.canvas.height);
    context.fillStyle = "rgba(0, 0, 0, 0.45)";
    context.beginPath();
    context.rect(0, 0, this.canvas.width, this.canvas.height);
    context.rect(crop.x * s, crop.y * s, crop.w * s, crop.h * s);
    context.fill("evenodd");
    context.strokeStyle = "#fff";
    context.lineWidth = 2;
    context.strokeRect(crop.x * s, crop.y * s, crop.w * s, crop.h * s);
  };

  // ---- The forms --------------------------------------------------------------------------------

  function ratioOf(text) {
    var parts = (text || "").split(":").map(Number);
    return parts.length === 2 && parts[0] > 0 && parts[1] > 0 ? parts[0] / parts[1] : null;
  }

  function setUp(form) {
    var input = form.querySelector('input[type="file"]');
    var isPhoto = form.getAttribute("data-shrink") === "photo";
    var ratio = isPhoto ? ratioOf(bounds.aspect_ratio) : null;
    var status = document.createElement("p");
    status.className = "help shrink-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-testid", "shrink-status");
    input.insertAdjacentElement("afterend", status);
    var cropArea = null;
    if (ratio) {
      cropArea = document.createElement("div");
      cropArea.className = "crop-area";
      cropArea.hidden = true;
      status.insertAdjacentElement("afterend", cropArea);
    }
    var state = { bitmap: null, box: null, original: null, decoding: null, ready: false, busy: false };

    async function prepare() {
      var crop = state.box ? state.box.crop() : { x: 0, y: 0, w: state.bitmap.width, h: state.bitmap.height };
      var width;
      var height;
      if (ratio) {
        width = Math.max(PHOTO_WIDTH, bounds.min_width, Math.ceil(bounds.min_height * ratio));
        width = Math.min(width, Math.round(crop.w)) || width;
        height = Math.round(width / ratio);
      } else {
        var factor = Math.min(1, SCAN_LONG_SIDE / Math.max(crop.w, crop.h));
        width = Math.round(crop.w * factor);
        height = Math.round(crop.h * factor);
      }
      return fit(state.bitmap, crop, width, height);
    }

    async function shrinkAndSend() {
      state.busy = true;
      say(status, texts.working);
      var blob = await prepare();
      state.busy = false;
      if (blob === null) {
        say(status, format(texts.cannotFit, { min: kb(bounds.min_bytes), max: kb(bounds.max_bytes) }), true);
        return;
      }
      replaceFile(input, blob, state.original.name);
      say(status, format(texts.ready, { size: kb(blob.size) }));
      sendAsItIs();
    }

    async function decode(file) {
      try {
        state.bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch (error) {
        // Not an image the browser can read: it goes as it is, and the server's check gives the reason.
        state.bitmap = null;
        say(status, "");
        return;
      }
      if (cropArea) {
        state.box = new CropBox(cropArea, state.bitmap, ratio);
        say(status, texts.cropReady);
      } else {
        say(status, texts.selected);
      }
    }

    input.addEventListener("change", function () {
      state.ready = false;
      state.bitmap = null;
      state.box = null;
      state.decoding = null;
      var file = input.files && input.files[0];
      if (!file) {
        say(status, "");
        return;
      }
      state.original = file;
      state.decoding = decode(file);
    });

    function sendAsItIs() {
      state.ready = true;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    form.addEventListener("submit", function (event) {
      if (state.ready || !state.decoding) {
        return;
      }
      // A click on 上传 may come before the picture is decoded: wait for it, then shrink and send.
      event.preventDefault();
      if (state.busy) {
        return;
      }
      state.busy = true;
      say(status, texts.working);
      state.decoding.then(function () {
        state.busy = false;
        if (state.bitmap) {
          shrinkAndSend();
        } else {
          sendAsItIs();
        }
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-shrink]"), setUp);
})();
