// After a passkey is created (django-otp-webauthn's script says so with an event), go on:
// to the recovery codes after a first setup, back to the sign-in methods page otherwise.
document.addEventListener("otp_webauthn.register_complete", () => {
  const placeholder = document.querySelector("[data-after-url]");
  const after = placeholder ? placeholder.dataset.afterUrl : null;
  window.location.assign(after || window.location.href);
});
