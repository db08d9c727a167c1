/// <reference lib="dom" />
/**
 * The schema graph: nodes laid out in layers (types, entry points, events by trigger depth,
 * handlers), ordered to reduce crossings, drawn as SVG with wheel zoom, drag pan and fit.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, replace, svg } from "../dom.ts";
import { errorBox, type Page } from "./_shared.ts";

interface GraphNode {
  id: string;
  label: string;
  kind: string;
  path: string;
}

interface GraphEdge {
  id: string;
  source: string;
  target: string;
  relation: string;
}

interface Placed extends GraphNode {
  x: number;
  y: number;
}

const NODE_W = 170;
const NODE_H = 34;
const GAP_X = 90;
const GAP_Y = 18;

/** Assigns each node a column, then orders each column by the mean row of its neighbours. */
export function layout(nodes: GraphNode[], edges: GraphEdge[]): Placed[] {
  const column = new Map<string, number>();
  const eventDepth = new Map<string, number>();
  const triggers = edges.filter((e) => e.relation === "triggers" && e.source.startsWith("event:"));
  for (const n of nodes) if (n.kind === "event") eventDepth.set(n.id, 0);
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of triggers) {
      const d = (eventDepth.get(e.source) ?? 0) + 1;
      if (d > (eventDepth.get(e.target) ?? 0) && d < 20) {
        eventDepth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const maxEvent = Math.max(0, ...eventDepth.values());
  for (const n of nodes) {
    const c = ["model", "input", "type"].includes(n.kind)
      ? 0
      : n.kind === "event"
      ? 2 + (eventDepth.get(n.id) ?? 0)
      : n.kind === "handler"
      ? 3 + maxEvent
      : 1;
    column.set(n.id, c);
  }
  const columns = new Map<number, GraphNode[]>();
  for (const n of nodes) {
    const c = column.get(n.id)!;
    columns.set(c, [...(columns.get(c) ?? []), n]);
  }
  const row = new Map<string, number>();
  const keys = [...columns.keys()].sort((a, b) => a - b);
  for (const c of keys) columns.get(c)!.forEach((n, i) => row.set(n.id, i));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const c of keys) {
      const list = columns.get(c)!;
      const score = (n: GraphNode) => {
        const near = edges.filter((e) => e.source === n.id || e.target === n.id)
          .map((e) => row.get(e.source === n.id ? e.target : e.source) ?? 0);
        return near.length ? near.reduce((a, b) => a + b, 0) / near.length : row.get(n.id)!;
      };
      list.sort((a, b) => score(a) - score(b) || a.id.localeCompare(b.id));
      list.forEach((n, i) => row.set(n.id, i));
    }
  }
  return nodes.map((n) => ({
    ...n,
    x: column.get(n.id)! * (NODE_W + GAP_X),
    y: row.get(n.id)! * (NODE_H + GAP_Y),
  }));
}

function draw(nodes: Placed[], edges: GraphEdge[], onPick: (n: Placed) => void): SVGSVGElement {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const width = Math.max(...nodes.map((n) => n.x)) + NODE_W + 40;
  const height = Math.max(...nodes.map((n) => n.y)) + NODE_H + 40;
  const root = svg("svg", {
    class: "graph",
    "data-testid": "schema-graph",
    viewBox: `-20 -20 ${width} ${height}`,
  }) as SVGSVGElement;
  root.append(
    svg(
      "defs",
      {},
      svg("marker", {
        id: "arrow",
        viewBox: "0 0 10 10",
        refX: 10,
        refY: 5,
        markerWidth: 6,
        markerHeight: 6,
        orient: "auto",
      }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" })),
    ),
  );
  for (const e of edges) {
    const a = byId.get(e.source);
    const b = byId.get(e.target);
    if (!a || !b) continue;
    const forward = b.x > a.x;
    const x1 = forward ? a.x + NODE_W : a.x;
    const x2 = forward ? b.x : b.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const y2 = b.y + NODE_H / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
    root.append(
      svg("path", {
        class: `edge ${e.relation}`,
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        "marker-end": "url(#arrow)",
        "data-relation": e.relation,
      }),
    );
  }
  for (const n of nodes) {
    const g = svg("g", {
      class: `node ${n.kind}`,
      transform: `translate(${n.x},${n.y})`,
      "data-testid": "graph-node",
      "data-id": n.id,
    });
    g.append(
      svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }),
      svg("text", { x: 10, y: 21 }, `${n.kind} · ${n.label}`),
    );
    g.addEventListener("click", () => onPick(n));
    root.append(g);
  }
  return root;
}

function zoomable(root: SVGSVGElement): { fit: () => void; zoom: (f: number) => void } {
  const initial = root.getAttribute("viewBox")!;
  let [x, y, w, hh] = initial.split(" ").map(Number) as [number, number, number, number];
  const set = () => root.setAttribute("viewBox", `${x} ${y} ${w} ${hh}`);
  const zoom = (f: number, cx = x + w / 2, cy = y + hh / 2) => {
    x = cx - (cx - x) * f;
    y = cy - (cy - y) * f;
    w *= f;
    hh *= f;
    set();
  };
  root.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = root.getBoundingClientRect();
    zoom(
      e.deltaY > 0 ? 1.15 : 1 / 1.15,
      x + (e.clientX - r.left) / r.width * w,
      y + (e.clientY - r.top) / r.height * hh,
    );
  }, { passive: false });
  let drag: { px: number; py: number } | null = null;
  root.addEventListener("pointerdown", (e) => drag = { px: e.clientX, py: e.clientY });
  root.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const r = root.getBoundingClientRect();
    x -= (e.clientX - drag.px) / r.width * w;
    y -= (e.clientY - drag.py) / r.height * hh;
    drag = { px: e.clientX, py: e.clientY };
    set();
  });
  root.addEventListener("pointerup", () => drag = null);
  root.addEventListener("pointerleave", () => drag = null);
  return {
    fit: () => {
      [x, y, w, hh] = initial.split(" ").map(Number) as [number, number, number, number];
      set();
    },
    zoom: (f) => zoom(f),
  };
}

/** The schema graph page. */
export function graphPage(): Page {
  const holder = h("div", { class: "graph-holder" }, "Loading…");
  const details = h(
    "div",
    { class: "card details", "data-testid": "node-details" },
    "Click a node",
  );
  const tools = h("div", { class: "toolbar" });
  const el = h(
    "div",
    {},
    h("h1", {}, "Schema graph"),
    tools,
    h("div", { class: "split graph-split" }, holder, details),
  );
  api<{ nodes: GraphNode[]; edges: GraphEdge[] }>("schema-graph").then(({ nodes, edges }) => {
    if (nodes.length === 0) return replace(holder, "The schema is empty");
    const placed = layout(nodes, edges);
    const drawn = draw(placed, edges, (n) => {
      const related = edges.filter((e) => e.source === n.id || e.target === n.id);
      replace(
        details,
        h("h2", {}, n.label),
        h("p", {}, `Kind: ${n.kind}`),
        n.path ? h("p", { class: "mono" }, n.path) : "",
        h("ul", {}, related.map((e) => h("li", {}, `${e.source} ${e.relation} ${e.target}`))),
      );
    });
    replace(holder, drawn);
    const z = zoomable(drawn);
    replace(
      tools,
      h("button", { onclick: () => z.zoom(1 / 1.3), title: "Zoom in" }, "+"),
      h("button", { onclick: () => z.zoom(1.3), title: "Zoom out" }, "−"),
      h("button", { onclick: () => z.fit() }, "Fit"),
      h(
        "span",
        { class: "muted" },
        ` ${nodes.length} nodes, ${edges.length} edges · wheel to zoom, drag to pan`,
      ),
    );
  }).catch((error) => replace(holder, errorBox(error)));
  return { el };
}
