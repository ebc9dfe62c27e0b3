// Small progressive enhancements; every page works without them. They live here, not in the
// pages: the Content-Security-Policy allows scripts from remit's own files only.

// <select data-autosubmit>: choosing is submitting.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
});

// data-confirm on a form or on the button that submits it: ask first.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// The payment form proposes the amount from the marked items (what they cost on the payment
// date, discount taken), counted in hundredths as integers: no floating point for money.
function proposeAmount() {
  let total = 0n;
  document.querySelectorAll("input[name=mark]:checked").forEach((box) => {
    const [whole, frac = ""] = box.dataset.net.split(".");
    total += BigInt(whole + (frac + "00").slice(0, 2));
  });
  const sign = total < 0n ? "-" : "";
  const abs = total < 0n ? -total : total;
  document.getElementById("id_amount").value =
    sign + (abs / 100n) + "." + String(abs % 100n).padStart(2, "0");
}
const paymentForm = document.getElementById("payment-form");
if (paymentForm) {
  paymentForm.addEventListener("change", (event) => {
    if (event.target.matches("input[name=mark]")) proposeAmount();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "payment-items" && document.querySelector("input[name=mark]:checked")) {
      proposeAmount();
    }
  });
}
