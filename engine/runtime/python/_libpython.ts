/**
 * libpython through `Deno.dlopen`, for the Python host process: open the library (symbols global,
 * so C extensions such as pydantic-core resolve), start the interpreter and the bridge session (an
 * asyncio loop on its own Python thread, which reads the calls from the pipe itself).
 *
 * @module
 */

import type { LibraryCandidate } from "./_protocol.ts";
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

/** The libpython functions the host calls. */
export type Python = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${text}\0`);
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

/** The first candidate that opens, or null (each failure is added to `tried`). */
export function openLibrary(
  candidates: LibraryCandidate[],
  tried: string[],
): { candidate: LibraryCandidate; py: Python } | null {
  for (const candidate of candidates) {
    try {
      openGlobal(candidate.path);
      return { candidate, py: Deno.dlopen(candidate.path, SYMBOLS).symbols };
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

/** Starts the interpreter and releases the GIL for the bridge's threads. */
export function initialise(py: Python, home: string | null): void {
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

/** Calls `fn(text)` with UTF-8 bytes; returns the new reference (or null, the error printed). */
function callWithBytes(
  py: Python,
  fn: Deno.PointerValue,
  bytes: Uint8Array<ArrayBuffer>,
): Deno.PointerValue {
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
  return [
    "import sys, types, traceback",
    "try:",
    "    _m = types.ModuleType('_rohas_bridge')",
    `    exec(compile(${JSON.stringify(bridge)}, '<rohas bridge>', 'exec'), _m.__dict__)`,
    "    sys.modules['_rohas_bridge'] = _m",
    "except BaseException:",
    "    sys.modules['_rohas_bridge'] = types.ModuleType('_rohas_bridge')",
    "    sys.modules['_rohas_bridge'].boot_error = traceback.format_exc()",
  ].join("\n");
}

function getAttr(py: Python, object: Deno.PointerValue, name: string): Deno.PointerValue {
  return py.PyObject_GetAttrString(object, cString(name));
}

/**
 * Loads the bridge module and starts its session: from then on the bridge owns the pipes (fd 0 and
 * fd 1), reads calls on a thread of its own and has written `config.hello`.
 */
export function startSession(py: Python, bridge: string, config: Record<string, unknown>): void {
  withGil(py, () => {
    if (py.PyRun_SimpleString(cString(bootstrapSource(bridge))) !== 0) {
      throw new PythonStartError("The Python bridge could not be compiled");
    }
    const module = py.PyImport_ImportModule(cString("_rohas_bridge"));
    const start = getAttr(py, module, "start");
    if (start === null) {
      const error = getAttr(py, module, "boot_error");
      throw new PythonStartError(`The Python bridge failed to load: ${readText(py, error)}`);
    }
    const problem = callWithBytes(py, start, encoder.encode(JSON.stringify(config)));
    const text = problem === null ? "start() raised" : readText(py, problem);
    if (text !== "") throw new PythonStartError(`The Python bridge failed to start: ${text}`);
  });
}
