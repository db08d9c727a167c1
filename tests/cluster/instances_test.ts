// Instances as users run them from one checkout: each told its port, id and telemetry store through
// the environment; an adapter that cannot share events between instances says so.
import assert from "node:assert/strict";
import { records, startCluster } from "./_instances.ts";

/** The fixture with the default telemetry store: RocksDB files, which one process locks. */
async function rocksdbTelemetry(dir: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    text.replace('[telemetry]\ntype = "memory"', '[telemetry]\ntype = "rocksdb"'),
  );
}

const WARNING =
  /Warning: Another instance of this app is running \(instance "(i\d)"[^\n]*the memory adapter keeps events in each process/;

Deno.test({
  name:
    "two instances on the memory adapter from one checkout both start, and each says events stay in its process",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startCluster({
      adapter: "memory",
      instances: 2,
      prepare: rocksdbTelemetry,
    });
    const [first, second] = cluster.instances;
    // Each says which instance it is, as its environment named it.
    await first!.waitFor(/adapter memory, telemetry rocksdb, instance i0\n/);
    // The second saw the first at start-up; the first sees the second on its next heartbeat.
    assert.equal((await second!.waitFor(WARNING, 10_000))[1], "i0");
    assert.equal((await first!.waitFor(WARNING, 15_000))[1], "i1");
    for (const instance of cluster.instances) {
      assert.equal((await fetch(`${instance.url}/_rohas/health`)).status, 200);
      await Deno.stat(`${cluster.dir}/.rohas/telemetry-${instance.id}`);
    }
  },
});

Deno.test({
  name:
    "a second instance on the rocksdb adapter with its own directory says events stay in each directory",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startCluster({
      adapter: "rocksdb",
      instances: 2,
      envOf: (i) => ({ ROHAS_ROCKSDB_PATH: `.rohas/events-${i}` }),
    });
    await cluster.instances[1]!.waitFor(
      /Warning: Another instance[^\n]*in each instance's own directory/,
      10_000,
    );
  },
});

Deno.test({
  name: "a second instance on the rocksdb adapter sharing the first one's directory is refused",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startCluster({ adapter: "rocksdb", instances: 1 });
    const [first] = cluster.instances;
    const second = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../cli.ts", import.meta.url).pathname, "start", cluster.dir],
      cwd: cluster.dir,
      env: {
        ...first!.env,
        ROHAS_PORT: "1",
        ROHAS_INSTANCE_ID: "i1",
        ROHAS_TELEMETRY_PATH: ".rohas/t1",
      },
      stdout: "piped",
      stderr: "piped",
    });
    const out = await second.output();
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stderr), /^Error: .*rocksdb.*\n/i);
  },
});

Deno.test({
  name:
    "a second instance sharing the first one's telemetry directory is refused, naming ROHAS_TELEMETRY_PATH",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startCluster({
      adapter: "memory",
      instances: 1,
      prepare: rocksdbTelemetry,
    });
    const [first] = cluster.instances;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../cli.ts", import.meta.url).pathname, "start", cluster.dir],
      cwd: cluster.dir,
      env: { ...first!.env, ROHAS_PORT: "1", ROHAS_INSTANCE_ID: "i1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.match(
      new TextDecoder().decode(out.stderr),
      /^Error: Cannot open the telemetry database .*telemetry-i0.*another process has it open: give each instance its own \[telemetry\] path, for example ROHAS_TELEMETRY_PATH=/,
    );
  },
});

Deno.test({
  name: "run now, through one instance's workbench or rohas cron run, runs the job once at once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const key = "cluster-run-now-key";
    await using cluster = await startCluster({
      adapter: "memory",
      instances: 2,
      args: ["--workbench"],
      env: { ROHAS_WORKBENCH_API_KEY: key },
    });
    const response = await fetch(`${cluster.instances[1]!.url}/api/workbench/crons/Rare/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(response.status, 200, await response.text());
    assert.equal((await records(cluster, "rare")).length, 1);
    const cli = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../cli.ts", import.meta.url).pathname, "cron", "run", "Rare"],
      cwd: cluster.dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
    assert.equal((await records(cluster, "rare")).length, 2);
  },
});
