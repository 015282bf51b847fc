// Building elements from data. Everything from the server (stream names, client ids,
// URLs) goes in as text or as an attribute, never as markup.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A table row; each cell is [label, content, class?], the label shown on phones. */
export function row(cells, attrs = {}) {
  return el('tr', attrs, ...cells.map(([label, content, cls]) => el('td', { 'data-label': label, class: cls }, content)));
}

/** Replaces the rows of a table's body and shows the "empty" line when there are none. */
export function fill(tableId, rows, emptyId) {
  document.querySelector(`#${tableId} tbody`).replaceChildren(...rows);
  if (emptyId) {
    document.getElementById(emptyId).hidden = rows.length > 0;
    document.getElementById(tableId).hidden = rows.length === 0;
  }
}
