/// <reference lib="dom" />
/**
 * The schema graph: nodes laid out in layers (types, middlewares, entry points, events by trigger
 * depth, handlers), ordered to reduce crossings, edges routed around the boxes, drawn as SVG with
 * wheel zoom, drag pan and fit.
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
const ROW = NODE_H + GAP_Y;
const COLUMN = NODE_W + GAP_X;

/**
 * The column of each kind: types, middlewares, entry points, events by trigger depth, handlers.
 * A middleware stands before what it guards, as it runs before it.
 */
function columnOf(kind: string, depth: number, maxEvent: number): number {
  if (kind === "model" || kind === "input" || kind === "type") return 0;
  if (kind === "middleware") return 1;
  if (kind === "event") return 3 + depth;
  if (kind === "handler") return 4 + maxEvent;
  return 2;
}

function eventDepths(nodes: GraphNode[], edges: GraphEdge[]): Map<string, number> {
  const depth = new Map<string, number>();
  const triggers = edges.filter((e) => e.relation === "triggers" && e.source.startsWith("event:"));
  for (const n of nodes) if (n.kind === "event") depth.set(n.id, 0);
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of triggers) {
      const d = (depth.get(e.source) ?? 0) + 1;
      if (d > (depth.get(e.target) ?? 0) && d < 20) {
        depth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

/** Assigns each node a column, then orders each column by the mean row of its neighbours. */
export function layout(nodes: GraphNode[], edges: GraphEdge[]): Placed[] {
  const depth = eventDepths(nodes, edges);
  const maxEvent = Math.max(0, ...depth.values());
  const column = new Map<string, number>();
  for (const n of nodes) column.set(n.id, columnOf(n.kind, depth.get(n.id) ?? 0, maxEvent));
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
  alignRows(keys.map((c) => columns.get(c)!), { edges, column, row });
  // Columns without nodes (no middlewares, say) take no room.
  const packed = new Map(keys.map((c, i) => [c, i]));
  return nodes.map((n) => ({
    ...n,
    x: packed.get(column.get(n.id)!)! * COLUMN,
    y: row.get(n.id)! * ROW,
  }));
}

/**
 * Moves each node down to the mean row of its neighbours in earlier columns, keeping the column's
 * order: a handler then sits level with its API, so their edge is a straight line.
 */
function alignRows(
  columns: GraphNode[][],
  at: { edges: GraphEdge[]; column: Map<string, number>; row: Map<string, number> },
): void {
  for (const list of columns) {
    const wanted = new Map(list.map((n, i) => [n.id, leftMean(n, at) ?? i]));
    list.sort((a, b) => wanted.get(a.id)! - wanted.get(b.id)!);
    let next = 0;
    for (const n of list) {
      const r = Math.max(next, Math.round(wanted.get(n.id)!));
      at.row.set(n.id, r);
      next = r + 1;
    }
  }
}

/** The mean row of a node's neighbours in earlier columns, or null when it has none. */
function leftMean(
  n: GraphNode,
  at: { edges: GraphEdge[]; column: Map<string, number>; row: Map<string, number> },
): number | null {
  const here = at.column.get(n.id)!;
  const left = at.edges.filter((e) => e.source === n.id || e.target === n.id)
    .map((e) => e.source === n.id ? e.target : e.source)
    .filter((id) => (at.column.get(id) ?? here) < here)
    .map((id) => at.row.get(id)!);
  return left.length ? left.reduce((a, b) => a + b, 0) / left.length : null;
}

/**
 * The SVG path of an edge that never crosses a box: between neighbouring columns a curve through
 * the gap; otherwise out into the gap beside the source, along a free lane, and into the gap beside
 * the target. The lane is the source's row or the target's row when no box stands on it in between
 * (a straight, readable line), else the free strip between two rows (boxes only ever sit inside a
 * column, on a row).
 *
 * @param a the source node
 * @param b the target node
 * @param options every placed node (to find a free row) and the edge's index (spreads the bends)
 */
export function route(a: Placed, b: Placed, options: { nodes: Placed[]; lane?: number }): string {
  const forward = b.x > a.x;
  const x1 = forward ? a.x + NODE_W : a.x;
  const y1 = a.y + NODE_H / 2;
  const y2 = b.y + NODE_H / 2;
  if (forward && b.x - a.x === COLUMN) {
    const x2 = b.x;
    const bend = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
  }
  // Backward and same-column edges enter the target from its right side.
  const x2 = forward ? b.x : b.x + NODE_W;
  const offset = GAP_X / 2 - 12 + ((options.lane ?? 0) % 4) * 6;
  // Out into the gap on the side the edge leaves from: right of a forward or same-column edge.
  const out = forward || b.x === a.x ? x1 + offset : x1 - offset;
  const into = forward ? x2 - offset : x2 + offset;
  if (b.x === a.x) return `M${x1},${y1} H${out} V${y2} H${x2}`;
  const [left, right] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
  const free = (y: number) => !options.nodes.some((n) => n.y === y && n.x > left && n.x < right);
  if (free(a.y)) return `M${x1},${y1} H${into} V${y2} H${x2}`;
  if (free(b.y)) return `M${x1},${y1} H${out} V${y2} H${x2}`;
  const laneY = Math.round((Math.min(a.y, b.y) + Math.max(a.y, b.y)) / 2 / ROW) * ROW -
    GAP_Y / 2;
  return `M${x1},${y1} H${out} V${laneY} H${into} V${y2} H${x2}`;
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
  edges.forEach((e, i) => {
    const a = byId.get(e.source);
    const b = byId.get(e.target);
    if (!a || !b) return;
    root.append(
      svg("path", {
        class: `edge ${e.relation}`,
        d: route(a, b, { nodes, lane: i }),
        "marker-end": "url(#arrow)",
        "data-relation": e.relation,
        "data-source": e.source,
        "data-target": e.target,
      }),
    );
  });
  for (const n of nodes) {
    const g = svg("g", {
      class: `node ${n.kind}`,
      transform: `translate(${n.x},${n.y})`,
      "data-testid": "graph-node",
      "data-id": n.id,
      "data-kind": n.kind,
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
