// Requests and WebSocket frames written by hand on real sockets: `Host`, `Origin` and broken
// frames are sent exactly as given (fetch and WebSocket would fix them up).

/** A request written by hand, so `Host` can be anything and no `Content-Type` is added. */
export async function rawHttp(
  url: string,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const body = new TextEncoder().encode(request.body ?? "");
  const headers = { host: `${hostname}:${port}`, "content-length": String(body.length) };
  const head = Object.entries({ ...headers, ...request.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const start = `${
    request.method ?? "GET"
  } ${request.path} HTTP/1.1\r\n${head}connection: close\r\n\r\n`;
  await conn.write(new Uint8Array([...new TextEncoder().encode(start), ...body]));
  const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  const split = text.indexOf("\r\n\r\n");
  const status = Number(text.slice(0, text.indexOf("\r\n")).split(" ")[1]);
  return { status, body: split < 0 ? "" : text.slice(split + 4) };
}

/** A client frame (masked, FIN set) with the given opcode and payload. */
export function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new Error("Only short frames are written here");
  const mask = [0x12, 0x34, 0x56, 0x78];
  const masked = payload.map((b, i) => b ^ mask[i % 4]!);
  return new Uint8Array([0x80 | opcode, 0x80 | payload.length, ...mask, ...masked]);
}

/** Opens a WebSocket by hand; resolves once the 101 head is read. */
export async function rawWebSocket(url: string, path: string): Promise<Deno.TcpConn> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nupgrade: websocket\r\n` +
        "connection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "sec-websocket-version: 13\r\n\r\n",
    ),
  );
  const buf = new Uint8Array(4096);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`Closed during the upgrade: ${head}`);
    head += new TextDecoder().decode(buf.subarray(0, n));
  }
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(`Upgrade refused: ${head}`);
  return conn;
}

/** Reads until the peer closes; returns every byte it sent. */
export async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return new Uint8Array(chunks);
    chunks.push(...buf.subarray(0, n));
  }
}
