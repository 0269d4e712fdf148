/* Passkeys (FEATURES A7), on top of allauth's WebAuthn script (mfa/js/webauthn.js).
   Progressive enhancement: the passkey buttons ([data-passkey]) stay hidden unless the browser
   supports WebAuthn, and allauth's errors are shown in French next to the button
   ([data-passkey-error]) instead of only in the console. No inline script (CSP). */
(function () {
  'use strict'

  var MESSAGES = {
    NotAllowedError: "L'opération a été annulée ou le délai est dépassé. Réessayez.",
    InvalidStateError: 'Cette clé d\u2019accès est déjà enregistrée sur cet appareil.',
    SecurityError: 'Cette page ne permet pas d\u2019utiliser une clé d\u2019accès.'
  }
  var DEFAULT_MESSAGE = 'La clé d\u2019accès n\u2019a pas pu être utilisée sur cet appareil. ' +
    'Réessayez, ou utilisez votre mot de passe.'

  document.addEventListener('DOMContentLoaded', function () {
    if (!window.PublicKeyCredential) {
      return
    }
    document.querySelectorAll('[data-passkey]').forEach(function (el) { el.hidden = false })
    document.querySelectorAll('[data-passkey-unsupported]').forEach(function (el) { el.hidden = true })
  })

  document.addEventListener('allauth.error', function (event) {
    var box = document.querySelector('[data-passkey-error]')
    if (!box) {
      return
    }
    event.preventDefault()
    var exception = event.detail && event.detail.exception
    box.textContent = (exception && MESSAGES[exception.name]) || DEFAULT_MESSAGE
    box.hidden = false
    box.focus()
  })
})()
