/**
 * EventBridge routing for `[adapter] type = "aws"`, `aws_type = "eventbridge"`
 * (docs/compatibility.md#aws-adapter): events are published with PutEvents (`source`, `detail-type`
 * = topic, `detail` = the envelope); each (topic, group) gets a rule matching its source and topic
 * whose target is the group's SQS queue, which the SQS adapter then consumes as usual.
 *
 * @module
 */

import {
  EventBridgeClient,
  type EventBridgeClientConfig,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { EventEnvelope } from "../adapter.ts";
import { BrokerError } from "../_support/mod.ts";

/** Settings of the EventBridge route. */
export interface EventBridgeSettings {
  client: EventBridgeClientConfig;
  /** The events' `source`. Default `rohas`. */
  source: string;
  /** The bus; `default` is omitted from requests. */
  eventBusName: string;
}

/** Publishes through EventBridge and binds group queues to it with rules. */
export class EventBridgeRoute {
  readonly #client: EventBridgeClient;
  readonly #sqs: SQSClient;
  readonly #settings: EventBridgeSettings;

  constructor(settings: EventBridgeSettings, sqs: SQSClient) {
    this.#client = new EventBridgeClient(settings.client);
    this.#sqs = sqs;
    this.#settings = settings;
  }

  /** PutEvents with one entry; a failed entry is an error. */
  async publish(envelope: EventEnvelope): Promise<void> {
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: [{
          Source: this.#settings.source,
          DetailType: envelope.topic,
          Detail: JSON.stringify(envelope),
          ...this.#bus(),
        }],
      }),
    );
    const failed = result.Entries?.find((entry) => entry.ErrorCode);
    if ((result.FailedEntryCount ?? 0) > 0 || failed) {
      throw new BrokerError(
        `EventBridge refused the event "${envelope.id}" of "${envelope.topic}": ${
          failed?.ErrorCode ?? "failed entry"
        } ${failed?.ErrorMessage ?? ""}`.trim(),
      );
    }
  }

  /** Routes a topic's events to a group's queue: a rule, its target, and the queue's policy. */
  async bind(topic: string, ruleName: string, queueUrl: string): Promise<void> {
    const attributes = await this.#sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    );
    const queueArn = attributes.Attributes?.QueueArn as string;
    const rule = await this.#client.send(
      new PutRuleCommand({
        Name: ruleName,
        EventPattern: JSON.stringify({ source: [this.#settings.source], "detail-type": [topic] }),
        State: "ENABLED",
        ...this.#bus(),
      }),
    );
    await this.#client.send(
      new PutTargetsCommand({
        Rule: ruleName,
        Targets: [{ Id: ruleName, Arn: queueArn }],
        ...this.#bus(),
      }),
    );
    await this.#sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { Policy: queuePolicy(queueArn, rule.RuleArn as string) },
      }),
    );
  }

  /** Closes the client. */
  destroy(): void {
    this.#client.destroy();
  }

  #bus(): { EventBusName?: string } {
    const bus = this.#settings.eventBusName;
    return bus === "default" ? {} : { EventBusName: bus };
  }
}

function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
      Sid: "rohas-eventbridge",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
    }],
  });
}

/**
 * The envelope text of a queue message: the message itself, or the `detail` of an EventBridge
 * event (an object or a JSON string).
 */
export function unwrapEventBridge(body: string): string {
  if (!body.includes('"detail-type"')) return body;
  const event = JSON.parse(body) as { detail?: unknown };
  if (event.detail === undefined) return body;
  return typeof event.detail === "string" ? event.detail : JSON.stringify(event.detail);
}
