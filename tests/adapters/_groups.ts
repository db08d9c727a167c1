/**
 * The brokers' own view of a consumer group, for the transient-group cases: whether RabbitMQ still
 * has the group's queue (a passive declare), NATS its durable consumer, SQS its queue (ListQueues),
 * Kafka its group (listGroups). Each call opens and closes its own connection, so no step of the
 * conformance suite is left holding one.
 *
 * @module
 */

import amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { subjectToken } from "../../adapters/_support/mod.ts";
import { brokerUrl } from "./_brokers.ts";

/** Whether the broker holds a group of a topic. */
export type GroupExists = (topic: string, group: string) => Promise<boolean>;

/** RabbitMQ: the group's queue `rohas.<service>.q.<topic>.<group>` answers a passive declare. */
export function rabbitmqGroupExists(service: string): GroupExists {
  return async (topic, group) => {
    const name = `rohas.${subjectToken(service)}.q.${subjectToken(topic)}.${subjectToken(group)}`;
    const connection = await amqp.connect(brokerUrl("rabbitmq"));
    try {
      const channel = await connection.createChannel();
      channel.on("error", () => {}); // the rejected checkQueue below reports it
      await channel.checkQueue(name);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return false;
      throw error;
    } finally {
      await connection.close();
    }
  };
}

/** NATS: the durable consumer `<group>__<topic>` of the stream `ROHAS_<service>`. */
export function natsGroupExists(service: string): GroupExists {
  return async (topic, group) => {
    const nc = await connect({ servers: brokerUrl("nats") });
    try {
      const jsm = await jetstreamManager(nc);
      const durable = `${subjectToken(group)}__${subjectToken(topic)}`;
      const consumers = await jsm.consumers.list(`ROHAS_${subjectToken(service)}`).next();
      return consumers.some((consumer) => consumer.name === durable);
    } finally {
      await nc.close();
    }
  };
}

/** SQS: a queue named `<queue_prefix><topic>__<group>` is listed. */
export function sqsGroupExists(prefix: string): GroupExists {
  return async (topic, group) => {
    const name = `${prefix}${subjectToken(topic)}__${subjectToken(group)}`;
    const client = new SQSClient({
      endpoint: brokerUrl("sqs"),
      region: "us-east-1",
      credentials: { accessKeyId: "rohas", secretAccessKey: "rohas" },
    });
    try {
      const { QueueUrls = [] } = await client.send(
        new ListQueuesCommand({ QueueNamePrefix: name }),
      );
      return QueueUrls.some((url) => url.split("/").at(-1) === name);
    } finally {
      client.destroy();
    }
  };
}

/** Kafka: a group `rohas.<service>.<group>.<topic>` is listed. */
export function kafkaGroupExists(service: string): GroupExists {
  return async (topic, group) => {
    const groupId = `rohas.${subjectToken(service)}.${subjectToken(group)}.${subjectToken(topic)}`;
    const kafka = new Kafka({ brokers: [brokerUrl("kafka")], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      return groups.some((listed) => listed.groupId === groupId);
    } finally {
      await admin.disconnect();
    }
  };
}
