// Draws each insights chart with Vega-Lite through vega-embed, over the SVG the server drew (which stays
// for pages without JavaScript). Expressions go through vega-interpreter, as the pages' CSP allows no eval.
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

for (const figure of document.querySelectorAll("[data-chart]")) {
  const source = document.getElementById(figure.dataset.chart);
  if (!source) continue;
  const spec = JSON.parse(source.textContent);
  const target = document.createElement("div");
  target.className = "haven-chart__vega";
  embed(target, spec, {
    renderer: "svg",
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    defaultStyle: false,
    tooltip: false,
  })
    .then(() => {
      figure.replaceChildren(target);
      figure.dataset.drawn = "vega";
    })
    .catch((error) => {
      figure.dataset.drawn = "server";
      console.error("chart", figure.dataset.chart, error);
    });
}
