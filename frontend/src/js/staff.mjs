import { initAll as initGovuk } from "../../vendor/govuk-frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "../../vendor/moj-frontend/moj-frontend.min.js";

initGovuk();
initMoj();
