// deno-lint-ignore-file no-console
/**
 * Broker adapters against their own clients (docs/design.md#measured-targets: each adapter within
 * 2x of the raw client). For each broker: events/s with 32 publishes in flight and a consumer
 * acking each event, and p50/p99 publish-to-handler latency of one event at a time, all at 1 KB
 * payloads; then the same with the broker's client alone (publish with confirm, consume, ack).
 * Prints the ratios.
 *
 *   scripts/brokers/start.sh && deno run -A bench/adapters_bench.ts [nats rabbitmq kafka sqs]
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { connect as natsConnect } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Adapter, EventEnvelope } from "../adapters/mod.ts";
import { createNatsAdapter } from "../adapters/nats/mod.ts";
import { createRabbitmqAdapter } from "../adapters/rabbitmq/mod.ts";
import { createKafkaAdapter } from "../adapters/kafka/mod.ts";
import { createSqsAdapter } from "../adapters/sqs/mod.ts";
import { brokerUrl } from "../scripts/brokers/urls.ts";

const THROUGHPUT_EVENTS = Number(Deno.env.get("BENCH_EVENTS") ?? "3000");
const LATENCY_SAMPLES = Number(Deno.env.get("BENCH_SAMPLES") ?? "300");
const IN_FLIGHT = 32;
const PAYLOAD = "x".repeat(1024);

/** A publish/consume pair under test: `publish` resolves when the broker confirmed; `received`
 * is called by the consumer for each message (with the publish time it carried). */
interface Subject {
  start(onMessage: (sentAt: number) => void): Promise<void>;
  publish(sentAt: number): Promise<void>;
  stop(): Promise<void>;
}

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(subject: Subject): Promise<Result> {
  let received = 0;
  const latencies: number[] = [];
  let waiter: (() => void) | null = null;
  let target = 0;
  await subject.start((sentAt) => {
    received++;
    if (sentAt > 0) latencies.push(performance.now() - sentAt);
    if (waiter && received >= target) waiter();
  });
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      target = count;
      waiter = resolve;
      if (received >= count) resolve();
    });
  // Warm-up.
  for (let n = 0; n < 50; n++) await subject.publish(0);
  await until(50);
  const began = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next++ < THROUGHPUT_EVENTS) await subject.publish(0);
  }));
  await until(50 + THROUGHPUT_EVENTS);
  const perSecond = THROUGHPUT_EVENTS / ((performance.now() - began) / 1000);
  for (let n = 0; n < LATENCY_SAMPLES; n++) {
    await subject.publish(performance.now());
    await until(50 + THROUGHPUT_EVENTS + n + 1);
  }
  await subject.stop();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { perSecond, p50: at(0.5), p99: at(0.99) };
}

function viaAdapter(make: () => Adapter): Subject {
  const adapter = make();
  const topic = `Bench_${crypto.randomUUID().slice(0, 8)}`;
  return {
    async start(onMessage) {
      await adapter.start();
      await adapter.subscribe(topic, "bench.handler", async (delivery) => {
        await delivery.ack();
        onMessage((delivery.envelope.payload as { sentAt: number }).sentAt);
      }, { concurrency: 16 });
    },
    publish: (sentAt) => adapter.publish(envelope(topic, sentAt)),
    stop: () => adapter.close(),
  };
}

function envelope(topic: string, sentAt: number): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic,
    payload: { sentAt, data: PAYLOAD },
    timestamp: new Date().toISOString(),
    metadata: { trace_id: crypto.randomUUID(), parent_id: null, source: "bench", attempt: 1 },
  };
}

function body(sentAt: number): string {
  return JSON.stringify({ sentAt, data: PAYLOAD });
}

function rawNats(): Subject {
  const name = `BENCH_${crypto.randomUUID().slice(0, 8)}`;
  let close = async () => {};
  let js: ReturnType<typeof jetstream> | null = null;
  return {
    async start(onMessage) {
      const nc = await natsConnect({ servers: brokerUrl("nats") });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name, subjects: [`${name}.>`] });
      await jsm.consumers.add(name, {
        durable_name: "raw",
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
      });
      js = jetstream(nc);
      const messages = await (await js.consumers.get(name, "raw")).consume({ max_messages: 100 });
      const loop = (async () => {
        for await (const message of messages) {
          message.ack();
          onMessage(message.json<{ sentAt: number }>().sentAt);
        }
      })();
      close = async () => {
        await messages.close();
        await loop;
        await jsm.streams.delete(name);
        await nc.close();
      };
    },
    async publish(sentAt) {
      await js?.publish(`${name}.event`, body(sentAt), { msgID: crypto.randomUUID() });
    },
    stop: () => close(),
  };
}

function rawRabbitmq(): Subject {
  const queue = `bench.raw.${crypto.randomUUID().slice(0, 8)}`;
  let channel: amqp.ConfirmChannel | null = null;
  let close = async () => {};
  return {
    async start(onMessage) {
      const connection = await amqp.connect(brokerUrl("rabbitmq"));
      const publisher = await connection.createConfirmChannel();
      const consumer = await connection.createChannel();
      await publisher.assertQueue(queue, {
        durable: true,
        arguments: { "x-queue-type": "quorum" },
      });
      await consumer.prefetch(16);
      await consumer.consume(queue, (message) => {
        if (!message) return;
        consumer.ack(message);
        onMessage(JSON.parse(message.content.toString()).sentAt);
      });
      channel = publisher;
      close = async () => {
        await publisher.deleteQueue(queue);
        await connection.close();
      };
    },
    publish(sentAt) {
      return new Promise((resolve, reject) =>
        channel?.sendToQueue(
          queue,
          Buffer.from(body(sentAt)),
          { persistent: true },
          (error) => error ? reject(error) : resolve(),
        )
      );
    },
    stop: () => close(),
  };
}

function rawKafka(): Subject {
  const topic = `bench.raw.${crypto.randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ brokers: [brokerUrl("kafka")], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeInMs: 250 });
  return {
    async start(onMessage) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
      await admin.disconnect();
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          onMessage(JSON.parse(message.value?.toString() ?? "{}").sentAt);
          return Promise.resolve();
        },
      });
    },
    async publish(sentAt) {
      await producer.send({ topic, acks: -1, messages: [{ value: body(sentAt) }] });
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function rawSqs(): Subject {
  const client = new SQSClient({
    endpoint: brokerUrl("sqs"),
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  let url = "";
  let running = true;
  let loop = Promise.resolve();
  return {
    async start(onMessage) {
      const created = await client.send(
        new CreateQueueCommand({ QueueName: `bench-raw-${crypto.randomUUID().slice(0, 8)}` }),
      );
      url = created.QueueUrl as string;
      loop = (async () => {
        while (running) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          );
          await Promise.all(Messages.map(async (message) => {
            await client.send(
              new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
            );
            onMessage(JSON.parse(message.Body ?? "{}").sentAt);
          }));
        }
      })();
    },
    async publish(sentAt) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body(sentAt) }));
    },
    async stop() {
      running = false;
      await loop;
      client.destroy();
    },
  };
}

const service = `bench${crypto.randomUUID().slice(0, 6)}`;
const BROKERS: Record<string, { adapter: () => Subject; raw: () => Subject }> = {
  nats: {
    adapter: () =>
      viaAdapter(() => createNatsAdapter({ url: brokerUrl("nats") }, { service, env: {} })),
    raw: rawNats,
  },
  rabbitmq: {
    adapter: () =>
      viaAdapter(() => createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env: {} })),
    raw: rawRabbitmq,
  },
  kafka: {
    adapter: () =>
      viaAdapter(() => createKafkaAdapter({ brokers: brokerUrl("kafka") }, { service, env: {} })),
    raw: rawKafka,
  },
  sqs: {
    adapter: () =>
      viaAdapter(() =>
        createSqsAdapter(
          { endpoint: brokerUrl("sqs"), queue_prefix: `${service}-`, wait_time_s: 1 },
          { env: {} },
        )
      ),
    raw: rawSqs,
  },
};

const names = Deno.args.length > 0 ? Deno.args : Object.keys(BROKERS);
console.log(
  `${THROUGHPUT_EVENTS} events (${IN_FLIGHT} publishes in flight) and ${LATENCY_SAMPLES} ` +
    `one-at-a-time latency samples per run, 1 KB payloads\n`,
);
console.log("broker    | rohas ev/s | raw ev/s | ratio | rohas p50/p99 ms | raw p50/p99 ms");
for (const name of names) {
  const broker = BROKERS[name];
  if (!broker) throw new Error(`Unknown broker "${name}"`);
  const raw = await measure(broker.raw());
  const rohas = await measure(broker.adapter());
  const fixed = (value: number) => value.toFixed(2);
  console.log(
    `${name.padEnd(9)} | ${rohas.perSecond.toFixed(0).padStart(10)} | ${
      raw.perSecond.toFixed(0).padStart(8)
    } | ` +
      `${(raw.perSecond / rohas.perSecond).toFixed(2).padStart(5)}x | ` +
      `${fixed(rohas.p50)} / ${fixed(rohas.p99)}`.padEnd(16) +
      ` | ${fixed(raw.p50)} / ${fixed(raw.p99)}`,
  );
}
Deno.exit(0);
