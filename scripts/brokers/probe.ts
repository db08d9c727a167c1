// deno-lint-ignore-file no-console
/**
 * Readiness probe of the test brokers: talks to each one with its own client (a JetStream account
 * query, an AMQP confirm channel, a Kafka cluster description, an SQS queue listing) and retries until
 * it answers or the deadline passes.
 *
 *   deno run -A scripts/brokers/probe.ts <nats|rabbitmq|kafka|sqs|moto> <url> [timeout seconds]
 *
 * Exits 0 when ready, 1 with the last error otherwise.
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";

async function probeNats(url: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2000, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.getAccountInfo();
  } finally {
    await nc.close();
  }
}

async function probeRabbitmq(url: string): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.checkExchange("amq.topic");
    await channel.close();
  } finally {
    await connection.close();
  }
}

async function probeKafka(brokers: string): Promise<void> {
  const kafka = new Kafka({
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.controller === null || cluster.brokers.length === 0) {
      throw new Error("no controller elected yet");
    }
  } finally {
    await admin.disconnect();
  }
}

async function probeSqs(endpoint: string): Promise<void> {
  const client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListQueuesCommand({}));
  } finally {
    client.destroy();
  }
}

function probeOnce(name: string, url: string): Promise<void> {
  switch (name) {
    case "nats":
      return probeNats(url);
    case "rabbitmq":
      return probeRabbitmq(url);
    case "kafka":
      return probeKafka(url);
    case "sqs":
    case "moto":
      return probeSqs(url);
    default:
      throw new Error(`Unknown broker "${name}"`);
  }
}

async function main(): Promise<number> {
  const [name, url, timeoutText] = Deno.args;
  if (name === undefined || url === undefined) {
    console.error("usage: probe.ts <nats|rabbitmq|kafka|sqs|moto> <url> [timeout seconds]");
    return 2;
  }
  const deadline = Date.now() + Number(timeoutText ?? "60") * 1000;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      await probeOnce(name, url);
      return 0;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  console.error(`${name} at ${url} did not become ready: ${String(lastError)}`);
  return 1;
}

Deno.exit(await main());
