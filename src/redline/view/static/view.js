// Draw each chart from its spec (plotly.js), and give every table a CSV download.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".chart[data-spec]")) {
    const spec = JSON.parse(el.dataset.spec);
    if (window.Plotly) {
      Plotly.newPlot(el, spec.data, spec.layout, { responsive: true, displaylogo: false });
    }
  }
  // textContent, not innerText: a closed <details> (the reasoning) still exports in full.
  const clean = (c) => c.textContent.replace(/\s+/g, " ").trim();
  const cell = (text) => /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  for (const table of document.querySelectorAll("table.exportable")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "csv";
    button.textContent = `Download ${table.dataset.name || "table"} as CSV`;
    button.addEventListener("click", () => {
      const lines = [...table.rows].map((row) =>
        [...row.cells].map((c) => cell(clean(c))).join(","));
      const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${table.dataset.name || "table"}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    table.before(button);
  }
});
