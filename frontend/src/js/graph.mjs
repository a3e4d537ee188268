// The subject network: draws the elements from the page's data-source, and on a tap adds the tapped node's
// neighbours (identifier -> who else holds it; report or subject -> its identifiers).
import cytoscape from "../../vendor/cytoscape/cytoscape.esm.min.mjs";

const container = document.getElementById("haven-graph");
const status = document.getElementById("haven-graph-status");

const style = [
  { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 140, "background-color": "#505a5f" } },
  { selector: "node[kind = 'subject']", style: { shape: "round-rectangle", "background-color": "#1d70b8", width: 28, height: 28 } },
  { selector: "node[kind = 'report']", style: { shape: "rectangle", "background-color": "#00703c" } },
  { selector: "node[state = 'noisy']", style: { "border-width": 3, "border-style": "dashed", "border-color": "#ffdd00" } },
  { selector: "node[state = 'excluded']", style: { "background-color": "#b1b4b6" } },
  { selector: "node[state = 'weak']", style: { shape: "diamond" } },
  { selector: "edge", style: { width: 1, "line-color": "#b1b4b6" } },
];

async function load(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return (await response.json()).elements;
}

if (container) {
  const source = container.dataset.source;
  const cy = cytoscape({ container, style, elements: await load(source), layout: { name: "cose", animate: false } });
  status.textContent = `${cy.nodes().length} nodes shown.`;
  cy.on("tap", "node", async (event) => {
    const node = event.target;
    try {
      const added = cy.add((await load(`${source}?expand=${encodeURIComponent(node.id())}`)).filter((e) => cy.getElementById(e.data.id).empty()));
      cy.layout({ name: "cose", animate: false }).run();
      status.textContent = `${added.nodes().length} nodes added around ${node.data("label")}.`;
    } catch (error) {
      status.textContent = `Could not expand ${node.data("label")}: ${error.message}.`;
    }
  });
}
