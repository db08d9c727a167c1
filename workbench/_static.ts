/**
 * The single-page app's files under `/_rohas/`, read from `workbench/dist/` next to this module
 * (a `file:` or `https:` URL alike, so it works from a checkout and from the published package).
 * The page never contains the API key: the app asks for one when the API answers 401.
 *
 * @module
 */

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** Files the app consists of. */
const FILES = new Set(["index.html", "app.js", "app.css", "favicon.svg"]);

/** Serves `/_rohas/` files, caching each after its first read. */
export class StaticFiles {
  #base: URL;
  #cache = new Map<string, Uint8Array>();

  /** Creates the server of files.
   *
   * @param base the folder URL of the built app. Default: `./dist/` beside this module
   */
  constructor(base: URL = new URL("./dist/", import.meta.url)) {
    this.#base = base;
  }

  /** Answers a `/_rohas/...` GET, or null when it is not one of the app's files. */
  async serve(pathname: string): Promise<Response | null> {
    if (pathname === "/_rohas") {
      return new Response(null, { status: 308, headers: { location: "/_rohas/" } });
    }
    const name = pathname === "/_rohas/" ? "index.html" : pathname.slice("/_rohas/".length);
    if (!FILES.has(name)) return null;
    let bytes = this.#cache.get(name);
    if (!bytes) {
      const response = await fetch(new URL(name, this.#base));
      if (!response.ok) {
        await response.body?.cancel();
        return null;
      }
      bytes = new Uint8Array(await response.arrayBuffer());
      this.#cache.set(name, bytes);
    }
    const ext = name.split(".").at(-1) ?? "";
    return new Response(bytes.slice(), {
      headers: {
        "content-type": TYPES[ext] ?? "application/octet-stream",
        "cache-control": "no-cache",
        "content-security-policy":
          "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        "x-content-type-options": "nosniff",
      },
    });
  }
}
