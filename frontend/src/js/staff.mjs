import { initAll as initGovuk } from "../../vendor/govuk-frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "../../vendor/moj-frontend/moj-frontend.min.js";

initGovuk();
initMoj();

// The welfare viewer: a revealed file goes back to its blurred thumbnail when the reveal runs out, without
// waiting for the grader to reload the page (the server already refuses the clear one by then).
for (const image of document.querySelectorAll("img[data-revealed='true'][data-blurred-src]")) {
  const remaining = Number(image.dataset.remaining || "0") * 1000;
  setTimeout(() => {
    image.src = image.dataset.blurredSrc;
    image.dataset.revealed = "false";
    image.alt = image.alt.replace("revealed", "blurred");
  }, remaining);
}
