import { assert, assertEquals } from "./_test_assert.ts";
import { locatePython } from "./_locate.ts";

const ROOT = new URL("./testdata/project", import.meta.url).pathname;

Deno.test("locatePython() asks python3 and lists its libpython with home and site-packages", async () => {
  const { candidates, problems } = await locatePython({
    root: ROOT,
    library: null,
    executable: "python3",
    envLibrary: null,
  });
  assertEquals(problems, []);
  const first = candidates[0];
  assert(first !== undefined);
  assert(/libpython3\.\d+/.test(first.path), first.path);
  assert(first.home !== null);
  // Debian's system Python names its package directories dist-packages.
  assert(first.paths.some((p) => /\/(site|dist)-packages$/.test(p)), first.paths.join());
  assertEquals(first.front, [`${ROOT}/.venv/lib/python3/site-packages`]);
});

Deno.test("locatePython() uses only an explicit library, ROHAS_PYTHON_LIB first", async () => {
  const { candidates } = await locatePython({
    root: ROOT,
    library: "/opt/py/lib/libpython3.12.so",
    executable: "python3",
    envLibrary: "/env/libpython3.13.so",
  });
  assertEquals(candidates.map((c) => [c.path, c.home, c.paths]), [
    ["/env/libpython3.13.so", null, []],
    ["/opt/py/lib/libpython3.12.so", null, []],
  ]);
});

Deno.test("locatePython() reports a python3 that cannot run", async () => {
  const { candidates, problems } = await locatePython({
    root: ROOT,
    library: null,
    executable: "no-such-python3",
    envLibrary: null,
  });
  assertEquals(candidates, []);
  assertEquals(problems.length, 1);
  assert(problems[0]!.startsWith("no-such-python3: "), problems[0]);
});
