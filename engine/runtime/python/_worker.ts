/**
 * The Worker that owns libpython. It opens the library (symbols global, so C extensions such as
 * pydantic-core resolve), starts the interpreter once per process, starts a bridge session (an
 * asyncio loop on its own Python thread) and forwards calls to it. Replies come back through a
 * thread-safe FFI callback the bridge calls with `(pointer, length)` of UTF-8 JSON: no polling.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { SerializedError } from "../contract.ts";
import type { FromWorker, LibraryCandidate, ToWorker } from "./_protocol.ts";
import { PythonStartError } from "./errors.ts";

const DARWIN = Deno.build.os === "darwin";
const LIBC = DARWIN ? "libSystem.B.dylib" : "libc.so.6";
const RTLD_NOW = 2;
const RTLD_GLOBAL = DARWIN ? 0x8 : 0x100;

const SYMBOLS = {
  Py_InitializeEx: { parameters: ["i32"], result: "void" },
  Py_IsInitialized: { parameters: [], result: "i32" },
  Py_SetPythonHome: { parameters: ["buffer"], result: "void", optional: true },
  PyEval_SaveThread: { parameters: [], result: "pointer" },
  PyGILState_Ensure: { parameters: [], result: "i32" },
  PyGILState_Release: { parameters: ["i32"], result: "void" },
  PyRun_SimpleString: { parameters: ["buffer"], result: "i32" },
  PyImport_ImportModule: { parameters: ["buffer"], result: "pointer" },
  PyObject_GetAttrString: { parameters: ["pointer", "buffer"], result: "pointer" },
  PyObject_CallObject: { parameters: ["pointer", "pointer"], result: "pointer" },
  PyUnicode_FromStringAndSize: { parameters: ["buffer", "isize"], result: "pointer" },
  PyUnicode_AsUTF8AndSize: { parameters: ["pointer", "buffer"], result: "pointer" },
  PyTuple_New: { parameters: ["isize"], result: "pointer" },
  PyTuple_SetItem: { parameters: ["pointer", "isize", "pointer"], result: "i32" },
  Py_DecRef: { parameters: ["pointer"], result: "void" },
  PyErr_Print: { parameters: [], result: "void" },
} as const;

type Python = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${text}\0`);
}

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** Opens libc's dlopen once, to make a library's symbols global before Deno opens it. */
function openGlobal(path: string): void {
  const libc = Deno.dlopen(LIBC, {
    dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
    dlerror: { parameters: [], result: "pointer" },
  });
  try {
    const handle = libc.symbols.dlopen(cString(path), RTLD_NOW | RTLD_GLOBAL);
    if (handle === null) {
      const text = libc.symbols.dlerror();
      throw new PythonStartError(
        text === null ? "dlopen failed" : new Deno.UnsafePointerView(text).getCString(),
      );
    }
  } finally {
    libc.close();
  }
}

function openLibrary(candidates: LibraryCandidate[], tried: string[]) {
  for (const candidate of candidates) {
    try {
      openGlobal(candidate.path);
      return { candidate, library: Deno.dlopen(candidate.path, SYMBOLS) };
    } catch (error) {
      tried.push(`${candidate.path}: ${(error as Error).message}`);
    }
  }
  return null;
}

/** Python's `wchar_t` is UTF-32 on Linux and macOS. */
function wideString(text: string): Uint32Array<ArrayBuffer> {
  const points = [...text].map((ch) => ch.codePointAt(0) ?? 0);
  return new Uint32Array([...points, 0]);
}

/** Kept alive for the life of the process: Python keeps the pointer it is given. */
let pythonHome: Uint32Array<ArrayBuffer> | null = null;

function initialise(py: Python, home: string | null): void {
  if (py.Py_IsInitialized() !== 0) return;
  if (home !== null && py.Py_SetPythonHome !== null) {
    pythonHome = wideString(home);
    py.Py_SetPythonHome(pythonHome);
  }
  py.Py_InitializeEx(0);
  // The thread that initialised Python holds the GIL; release it so the bridge thread can run.
  py.PyEval_SaveThread();
}

function withGil<T>(py: Python, body: () => T): T {
  const gil = py.PyGILState_Ensure();
  try {
    return body();
  } finally {
    py.PyGILState_Release(gil);
  }
}

/** Calls `fn(text)`; returns the new reference (or null with the Python error printed). */
function callWithText(py: Python, fn: Deno.PointerValue, text: string): Deno.PointerValue {
  const bytes = encoder.encode(text);
  const arg = py.PyUnicode_FromStringAndSize(bytes, BigInt(bytes.length));
  const args = py.PyTuple_New(1n);
  py.PyTuple_SetItem(args, 0n, arg);
  const result = py.PyObject_CallObject(fn, args);
  py.Py_DecRef(args);
  if (result === null) py.PyErr_Print();
  return result;
}

function readText(py: Python, object: Deno.PointerValue): string {
  const size = new BigInt64Array(1);
  const data = py.PyUnicode_AsUTF8AndSize(object, size);
  if (data === null) return "";
  return decoder.decode(Deno.UnsafePointerView.getArrayBuffer(data, Number(size[0])));
}

function bootstrapSource(bridge: string): string {
  // Once per process: later sessions (another Worker, the same interpreter) reuse the module.
  return [
    "import sys, types, traceback",
    "if not hasattr(sys.modules.get('_rohas_bridge'), 'start'):",
    "    try:",
    "        _m = types.ModuleType('_rohas_bridge')",
    `        exec(compile(${JSON.stringify(bridge)}, '<rohas bridge>', 'exec'), _m.__dict__)`,
    "        sys.modules['_rohas_bridge'] = _m",
    "    except BaseException:",
    "        sys.modules['_rohas_bridge'] = types.ModuleType('_rohas_bridge')",
    "        sys.modules['_rohas_bridge'].boot_error = traceback.format_exc()",
  ].join("\n");
}

function getAttr(py: Python, object: Deno.PointerValue, name: string): Deno.PointerValue {
  return py.PyObject_GetAttrString(object, cString(name));
}

interface Session {
  submit: Deno.PointerValue;
  close: Deno.PointerValue;
  abandon: Deno.PointerValue;
}

/** Loads the bridge module and starts a session; returns its bound `submit` and `close`. */
function startSession(py: Python, bridge: string, config: Record<string, unknown>): Session {
  return withGil(py, () => {
    if (py.PyRun_SimpleString(cString(bootstrapSource(bridge))) !== 0) {
      throw new PythonStartError("The Python bridge could not be compiled");
    }
    const module = py.PyImport_ImportModule(cString("_rohas_bridge"));
    const start = getAttr(py, module, "start");
    if (start === null) {
      const error = getAttr(py, module, "boot_error");
      throw new PythonStartError(`The Python bridge failed to load: ${readText(py, error)}`);
    }
    const problem = callWithText(py, start, JSON.stringify(config));
    const text = problem === null ? "start() raised" : readText(py, problem);
    if (text !== "") throw new PythonStartError(`The Python bridge failed to start: ${text}`);
    const id = String(config.session);
    return {
      submit: callWithText(py, getAttr(py, module, "submitter"), id),
      close: callWithText(py, getAttr(py, module, "closer"), id),
      abandon: callWithText(py, getAttr(py, module, "abandoner"), id),
    };
  });
}

function callVoid(py: Python, fn: Deno.PointerValue, text: string): void {
  withGil(py, () => {
    const result = callWithText(py, fn, text);
    if (result !== null) py.Py_DecRef(result);
  });
}

type ReplyCallback = Deno.UnsafeCallback<
  { readonly parameters: readonly ["pointer", "usize"]; readonly result: "void" }
>;

function replyCallback(): ReplyCallback {
  return Deno.UnsafeCallback.threadSafe(
    { parameters: ["pointer", "usize"], result: "void" } as const,
    (pointer, length) => {
      if (pointer === null) return;
      const view = Deno.UnsafePointerView.getArrayBuffer(pointer, Number(length));
      post({ type: "reply", json: decoder.decode(view) });
    },
  );
}

function failure(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

async function start(message: Extract<ToWorker, { type: "start" }>) {
  const tried: string[] = [];
  const opened = openLibrary(message.candidates, tried);
  if (opened === null) {
    return post({ type: "failed", stage: "library", error: failure("No library loaded"), tried });
  }
  const py = opened.library.symbols;
  const callback = replyCallback();
  try {
    const bridge = await (await fetch(message.bridgeUrl)).text();
    initialise(py, opened.candidate.home);
    const session = startSession(py, bridge, {
      session: crypto.randomUUID(),
      root: message.root,
      front: opened.candidate.front,
      paths: opened.candidate.paths,
      callback: Number(Deno.UnsafePointer.value(callback.pointer)),
    });
    post({ type: "ready", library: opened.candidate.path });
    return { py, session, callback };
  } catch (error) {
    callback.close();
    post({ type: "failed", stage: "start", error: failure(error), tried });
    return undefined;
  }
}

let running: Awaited<ReturnType<typeof start>>;

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      running = await start(message);
      return;
    case "submit":
      if (running) callVoid(running.py, running.session.submit, message.json);
      return;
    case "shutdown":
      if (running) {
        callVoid(running.py, running.session.close, "");
        running.callback.close();
        running = undefined;
      }
      post({ type: "closed" });
      return;
    case "abandon":
      // The loop is blocked: the callback stays allocated (the bridge will not call it again).
      if (running) callVoid(running.py, running.session.abandon, "");
      running = undefined;
      post({ type: "closed" });
      return;
  }
};
