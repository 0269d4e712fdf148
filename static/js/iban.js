/* FEATURES E5: the IBAN is checked as it is typed (progressive enhancement: the server checks
   it again, and the page works without this script). Groups the characters by 4 and says,
   politely, whether the IBAN is complete and valid (ISO 13616 mod 97, length per country). */
(function () {
  "use strict";
  var LENGTHS = { FR: 27, MC: 27, BE: 16, DE: 22, ES: 24, IT: 27, LU: 20, CH: 21, PT: 25, NL: 18, GB: 22, IE: 22, AT: 20 };

  function compact(value) {
    return value.replace(/[\s.-]/g, "").toUpperCase();
  }

  function mod97(iban) {
    var moved = iban.slice(4) + iban.slice(0, 4);
    var remainder = 0;
    for (var i = 0; i < moved.length; i++) {
      var c = moved.charCodeAt(i);
      var digits = c >= 65 && c <= 90 ? String(c - 55) : moved[i];
      for (var j = 0; j < digits.length; j++) {
        remainder = (remainder * 10 + Number(digits[j])) % 97;
      }
    }
    return remainder;
  }

  function verdict(iban) {
    if (!iban) return { text: "", ok: null };
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) {
      return { text: "Un IBAN commence par 2 lettres (FR pour la France) puis 2 chiffres.", ok: false };
    }
    var expected = LENGTHS[iban.slice(0, 2)];
    if (expected && iban.length < expected) {
      return { text: "IBAN incomplet : " + iban.length + " caractères sur " + expected + ".", ok: null };
    }
    if (expected && iban.length > expected) {
      return { text: "IBAN trop long : " + expected + " caractères attendus.", ok: false };
    }
    if (iban.length < 15) return { text: "", ok: null };
    return mod97(iban) === 1
      ? { text: "IBAN valide.", ok: true }
      : { text: "Cet IBAN n'est pas valide : vérifiez chaque caractère.", ok: false };
  }

  document.querySelectorAll("input.js-iban").forEach(function (input) {
    var live = document.createElement("p");
    live.className = "field__live";
    live.id = input.id + "_live";
    live.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", live);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + live.id);

    function update() {
      var iban = compact(input.value);
      var grouped = iban.replace(/(.{4})/g, "$1 ").trim();
      if (grouped !== input.value) {
        var atEnd = input.selectionStart === input.value.length;
        input.value = grouped;
        if (atEnd) input.setSelectionRange(grouped.length, grouped.length);
      }
      var result = verdict(iban);
      live.textContent = result.text;
      live.classList.toggle("field__live--ok", result.ok === true);
      live.classList.toggle("field__live--error", result.ok === false);
    }
    input.addEventListener("input", update);
    update();
  });
})();
