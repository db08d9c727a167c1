/// <reference lib="dom" />
/**
 * A tiny DOM builder: `h("div", { class: "x" }, child...)`. No framework; every page is a
 * function that returns an element and may register a cleanup.
 *
 * @module
 */

/** A child of {@linkcode h}: nodes, text, or nothing. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes and event handlers of {@linkcode h}. */
export type Props = Record<string, unknown>;

/** Builds an element.
 *
 * @param tag the tag name
 * @param props attributes; `on<event>` keys add listeners
 * @param children nodes or text
 * @returns the element
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (key === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else {parent.appendChild(
        typeof child === "object" ? child : document.createTextNode(String(child)),
      );}
  }
}

/** Builds an SVG element.
 *
 * @param tag the SVG tag
 * @param attrs attributes
 * @param children child nodes
 * @returns the element
 */
export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

/** Replaces an element's children.
 *
 * @param el the parent
 * @param children the new children
 */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Formats milliseconds for people.
 *
 * @param ms a duration
 * @returns such as `12 ms` or `1.2 s`
 */
export function ms(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms * 10) / 10} ms`;
}

/** Formats an ISO time as a local clock time.
 *
 * @param iso the timestamp
 * @returns `HH:MM:SS.mmm`
 */
export function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false }) + "." +
    String(d.getMilliseconds()).padStart(3, "0");
}

/** Pretty JSON. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
