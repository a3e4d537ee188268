// Copies the compiled GOV.UK Frontend, MOJ Frontend, htmx and cytoscape.js files from node_modules, with Haven's own small
// files, into dist/, and bundles the insights charts (Vega-Lite through vega-embed) with esbuild. Django serves
// dist/static at /static/ and dist/root at / (for the /assets/ fonts and images that GOV.UK Frontend's compiled
// CSS refers to).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const nm = join(here, "node_modules");
const dist = join(here, "dist");

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.css", "static/vendor/govuk-frontend/govuk-frontend.min.css"],
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "static/vendor/govuk-frontend/govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/assets", "root/assets"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.css", "static/vendor/moj-frontend/moj-frontend.min.css"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "static/vendor/moj-frontend/moj-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/assets", "root/assets"],
  ["htmx.org/dist/htmx.min.js", "static/vendor/htmx/htmx.min.js"],
  ["cytoscape/dist/cytoscape.esm.min.mjs", "static/vendor/cytoscape/cytoscape.esm.min.mjs"],
];

rmSync(dist, { recursive: true, force: true });
for (const [from, to] of copies) {
  mkdirSync(dirname(join(dist, to)), { recursive: true });
  cpSync(join(nm, from), join(dist, to), { recursive: true });
}
cpSync(join(here, "src"), join(dist, "static/haven"), { recursive: true });
// The insights charts: vega, vega-lite, vega-embed and vega-interpreter bundled into one module.
await build({
  entryPoints: [join(here, "entries/charts.mjs")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  legalComments: "linked",
  outfile: join(dist, "static/haven/charts.js"),
  logLevel: "warning",
});
console.log(`front-end assets built into ${dist}`);
