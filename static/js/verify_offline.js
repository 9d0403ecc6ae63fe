// Checks a certificate's QR statement in the browser (courses/certificates/offline.py has
// the format): no request leaves the page, so a saved copy works with the network cut.
(function () {
  "use strict";
  var data = document.getElementById("offline-data");
  var form = document.getElementById("offline-form");
  if (!data || !form || !window.nacl) { return; }
  var keys = JSON.parse(data.dataset.keys);
  var revocation = JSON.parse(data.dataset.revoked);
  var FIELDS = ["serial", "full_name", "course_code", "course_title", "starts_on", "ends_on",
                "issuing_unit", "issued_on"];
  var result = document.getElementById("offline-result");

  function b64urlBytes(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) { throw new Error("garbled"); }
    var plain = text.replace(/-/g, "+").replace(/_/g, "/");
    while (plain.length % 4) { plain += "="; }
    var binary;
    try { binary = atob(plain); } catch (e) { throw new Error("garbled"); }
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }
  function b64Bytes(text) { return b64urlBytes(text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")); }
  function ascii(text) { var out = new Uint8Array(text.length); for (var i = 0; i < text.length; i++) { out[i] = text.charCodeAt(i); } return out; }
  function utf8(bytes) { return new TextDecoder("utf-8", { fatal: true }).decode(bytes); }

  function verifyStatement(text) {
    text = text.trim();
    if (text.indexOf("#") >= 0) { text = text.slice(text.lastIndexOf("#") + 1); }
    var parts = text.split(".");
    if (parts.length !== 4 || parts[0] !== "GCN1" || text.length > 2000) { throw new Error("garbled"); }
    var payload = b64urlBytes(parts[2]), signature = b64urlBytes(parts[3]);
    if (!Object.prototype.hasOwnProperty.call(keys, parts[1])) { throw new Error("unknown-key"); }
    if (signature.length !== 64) { throw new Error("bad-signature"); }
    var message = ascii(parts[0] + "." + parts[1] + "." + parts[2]);
    if (!nacl.sign.detached.verify(message, signature, b64Bytes(keys[parts[1]]))) { throw new Error("bad-signature"); }
    var values;
    try { values = JSON.parse(utf8(payload)); } catch (e) { throw new Error("garbled"); }
    if (!Array.isArray(values) || values.length !== FIELDS.length) { throw new Error("garbled"); }
    var fields = { key_id: parts[1] };
    FIELDS.forEach(function (name, index) { fields[name] = String(values[index]); });
    return fields;
  }

  function revokedEntry(serial) {
    var kid = revocation.key_id;
    if (!Object.prototype.hasOwnProperty.call(keys, kid)) { return null; }
    var list = b64urlBytes(revocation.list);
    if (!nacl.sign.detached.verify(list, b64urlBytes(revocation.signature), b64Bytes(keys[kid]))) { return null; }
    var body = JSON.parse(utf8(list));
    for (var i = 0; i < body.entries.length; i++) { if (body.entries[i].serial === serial) { return body.entries[i]; } }
    return null;
  }

  function show(ok, message, fields) {
    result.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert " + (ok ? "alert-success" : "alert-danger");
    var verdict = document.createElement("strong");
    verdict.className = "verdict";
    verdict.textContent = ok ? data.dataset.msgValid : data.dataset.msgInvalid;
    alert.appendChild(verdict);
    if (message) { alert.appendChild(document.createTextNode(" " + message)); }
    result.appendChild(alert);
    if (!fields) { return; }
    var list = document.createElement("dl");
    list.className = "row";
    FIELDS.concat(["key_id"]).forEach(function (name) {
      var term = document.createElement("dt"), value = document.createElement("dd");
      term.className = "col-sm-4"; value.className = "col-sm-8";
      term.textContent = data.dataset["label" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
      value.textContent = fields[name];
      value.dataset.field = name;
      list.appendChild(term); list.appendChild(value);
    });
    result.appendChild(list);
  }

  function check(text) {
    var fields;
    try { fields = verifyStatement(text); } catch (error) {
      var key = { "garbled": "msgGarbled", "unknown-key": "msgUnknownKey", "bad-signature": "msgBadSignature" }[error.message] || "msgGarbled";
      show(false, data.dataset[key], null);
      return;
    }
    var entry = revokedEntry(fields.serial);
    if (entry) {
      var message = entry.status === "replaced" ? data.dataset.msgReplaced.replace("{serial}", entry.replaced_by)
                                                : data.dataset.msgRevoked.replace("{date}", entry.revoked_on);
      show(false, message, fields);
      return;
    }
    show(true, "", fields);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(document.getElementById("qr-text").value);
  });

  var scan = document.getElementById("scan-camera");
  scan.addEventListener("click", function () {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { show(false, data.dataset.msgNoCamera, null); return; }
    var video = document.getElementById("camera");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play();
      var timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          if (!codes.length) { return; }
          clearInterval(timer);
          stream.getTracks().forEach(function (track) { track.stop(); });
          video.hidden = true;
          document.getElementById("qr-text").value = codes[0].rawValue;
          check(codes[0].rawValue);
        });
      }, 300);
    }).catch(function () { show(false, data.dataset.msgNoCamera, null); });
  });
})();
