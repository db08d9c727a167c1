// state.kv from a handler: every operation, and what a failing one throws.
type Key = (string | number)[];
interface Entry {
  key: Key;
  value: unknown;
  versionstamp: string | null;
}
interface KvLike {
  type: string;
  get(key: Key): Promise<Entry>;
  set(key: Key, value: unknown, options?: { expireIn?: number }): Promise<{ ok: true }>;
  delete(key: Key): Promise<void>;
  list(selector: { prefix: Key }): AsyncIterable<Entry>;
  atomic(): {
    check(...checks: { key: Key; versionstamp: string | null }[]): ReturnType<KvLike["atomic"]>;
    set(key: Key, value: unknown): ReturnType<KvLike["atomic"]>;
    commit(): Promise<{ ok: boolean }>;
  };
}
interface State {
  kv: KvLike;
}

export async function handleKvTasks(
  req: { body: { id: number; title: string } },
  state: State,
) {
  const key = ["tasks", req.body.id];
  await state.kv.set(key, { title: req.body.title });
  await state.kv.set(["tasks", "gone"], 1);
  await state.kv.delete(["tasks", "gone"]);
  const entry = await state.kv.get(key);
  const listed: Key[] = [];
  for await (const found of state.kv.list({ prefix: ["tasks"] })) listed.push(found.key);
  const stale = await state.kv.atomic().check({ key, versionstamp: null }).set(key, 0).commit();
  const fresh = await state.kv.atomic().check(entry).set(key, { title: "done" }).commit();
  const after = await state.kv.get(key);
  return {
    type: state.kv.type,
    entry,
    listed,
    stale: stale.ok,
    fresh: fresh.ok,
    after: after.value,
  };
}

/** Reads one task (another call, maybe another Worker or process, wrote it). */
export async function handleKvRead(req: { body: { id: number } }, state: State) {
  return (await state.kv.get(["tasks", req.body.id])).value;
}

/** A two-key atomic operation: the NATS backend refuses it with KvUnsupportedError. */
export async function handleKvTwoKeys(_req: unknown, state: State) {
  try {
    await state.kv.atomic().set(["a"], 1).set(["b"], 2).commit();
    return { thrown: null };
  } catch (error) {
    const e = error as Error;
    return { thrown: e.name, constructor: e.constructor.name, message: e.message };
  }
}

/** A value that is no JSON: refused before it leaves the isolate. */
export async function handleKvBadValue(_req: unknown, state: State) {
  await state.kv.set(["bad"], () => 1);
}

/** A WebSocket message handler keeps the last message of its connection. */
export async function handleKvMessage(
  message: { data: unknown },
  connection: { connectionId: string },
  state: State,
) {
  await state.kv.set(["last_message", connection.connectionId], message.data);
  return (await state.kv.get(["last_message", connection.connectionId])).value;
}
