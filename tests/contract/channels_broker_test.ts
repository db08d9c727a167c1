// The AsyncAPI document's channel names are the names the adapters really use: each broker adapter
// subscribes a group and publishes an event, and the broker is asked, with its own client, for what
// the document names (service and group names with `_` and `.` exercise the adapters' encoding).
import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import { connect } from "@nats-io/transport-node";
import { Kafka, logLevel } from "kafkajs";
import amqp from "amqplib";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Adapter, EventEnvelope } from "../../adapters/mod.ts";
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";
import { channelNames } from "../../contract/mod.ts";
import { brokerUrl } from "../adapters/_brokers.ts";

const TOPIC = "UserCreated";

function names(adapter: string, settings: Record<string, unknown> = {}) {
  const service = `docs_${crypto.randomUUID().slice(0, 8)}`;
  const group = `${service}.send_welcome`;
  return {
    service,
    group,
    ...channelNames(adapter, { topic: TOPIC, groups: [group] }, { service, settings }),
  };
}

function envelope(): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic: TOPIC,
    payload: { id: "u1" },
    timestamp: new Date().toISOString(),
    metadata: { trace_id: crypto.randomUUID(), parent_id: null, source: "test", attempt: 1 },
  };
}

/** Fails instead of hanging when the broker never delivers (a wrong name). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Nothing arrived ${what} within 10 s`)), 10_000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function subscribed(adapter: Adapter, group: string): Promise<void> {
  await adapter.start();
  await adapter.subscribe(TOPIC, group, (delivery) => delivery.ack());
}

Deno.test("NATS: an event is published on the subject the document names", async () => {
  const n = names("nats");
  const adapter = createNatsAdapter({ url: brokerUrl("nats") }, { service: n.service, env: {} });
  const nc = await connect({ servers: brokerUrl("nats").replace("nats://", "") });
  try {
    await subscribed(adapter, n.group);
    const raw = nc.subscribe(n.publish!, { max: 1 });
    await nc.flush(); // the server knows the subscription before anything is published
    const sent = envelope();
    await adapter.publish(sent);
    const first = within(raw[Symbol.asyncIterator]().next(), `on ${n.publish}`);
    const message = (await first).value;
    assert.equal(JSON.parse(message.string()).id, sent.id);
  } finally {
    await adapter.close();
    await nc.close();
  }
});

Deno.test("Kafka: the topic and the consumer group the document names exist", async () => {
  const n = names("kafka");
  const brokers = brokerUrl("kafka").split(",");
  const adapter = createKafkaAdapter({ brokers: brokers.join(",") }, {
    service: n.service,
    env: {},
  });
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await subscribed(adapter, n.group);
    await adapter.publish(envelope());
    assert.ok((await admin.listTopics()).includes(n.publish!), n.publish!);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    assert.ok(groups.includes(n.consumers[n.group]!), n.consumers[n.group]);
  } finally {
    await adapter.close();
    await admin.disconnect();
  }
});

Deno.test("RabbitMQ: the exchange, routing key and group queue the document names exist", async () => {
  const n = names("rabbitmq");
  const url = brokerUrl("rabbitmq");
  const adapter = createRabbitmqAdapter({ url }, { service: n.service, env: {} });
  const connection = await amqp.connect(url);
  try {
    await subscribed(adapter, n.group);
    const channel = await connection.createChannel();
    const [exchange, key] = n.publish!.split("/") as [string, string];
    await channel.checkExchange(exchange);
    await channel.checkQueue(n.consumers[n.group]!);
    // A queue of our own bound by the documented routing key gets the published event.
    const { queue } = await channel.assertQueue("", { exclusive: true });
    await channel.bindQueue(queue, exchange, key);
    const sent = envelope();
    await adapter.publish(sent);
    const got = await within(
      new Promise<Buffer>((resolve) => {
        channel.consume(queue, (message) => message && resolve(message.content), { noAck: true });
      }),
      `by routing key ${key}`,
    );
    assert.equal(JSON.parse(got.toString()).id, sent.id);
    await channel.close();
  } finally {
    await adapter.close();
    await connection.close();
  }
});

Deno.test("SQS: the group queue the document names exists", async () => {
  const prefix = `d${crypto.randomUUID().slice(0, 8)}-`;
  const settings = { endpoint: brokerUrl("sqs"), queue_prefix: prefix, wait_time_s: 1 };
  const n = names("sqs", settings);
  const adapter = createSqsAdapter(settings, { service: n.service, env: {} });
  const client = new SQSClient({
    endpoint: brokerUrl("sqs"),
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await subscribed(adapter, n.group);
    const name = n.consumers[n.group]!;
    assert.ok(name.startsWith(`${prefix}${TOPIC}__`), name);
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.ok(QueueUrl?.endsWith(`/${name}`), QueueUrl);
  } finally {
    await adapter.close();
    client.destroy();
  }
});
