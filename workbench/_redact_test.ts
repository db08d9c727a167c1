import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { isSecretKey, REDACTED, redactSecrets } from "./_redact.ts";

Deno.test("redactSecrets() hides URL passwords and lone users, keeping the rest of the URL", () => {
  assertEquals(
    redactSecrets("amqp://user:p%40ss@mq.test:5672/vhost"),
    `amqp://user:${REDACTED}@mq.test:5672/vhost`,
  );
  assertEquals(redactSecrets("https://ghp_token123@git.test/x"), `https://${REDACTED}@git.test/x`);
  assertEquals(
    redactSecrets("postgres://app:pw@db:5432/x?sslmode=require&password=pw2"),
    `postgres://app:${REDACTED}@db:5432/x?sslmode=require&password=${REDACTED}`,
  );
  assertEquals(
    redactSecrets("nats://a:1@n1:4222,nats://b:2@n2:4222"),
    `nats://a:${REDACTED}@n1:4222,nats://b:${REDACTED}@n2:4222`,
  );
  assertEquals(redactSecrets("http://localhost:4566"), "http://localhost:4566");
  assertEquals(redactSecrets("user@example.com"), "user@example.com");
});

Deno.test("redactSecrets() hides the values of secret keys at any depth and keeps the others", () => {
  const settings = {
    type: "kafka",
    brokers: ["k1:9092", "k2:9092"],
    sasl: { mechanism: "plain", username: "svc", password: "pw" },
    secret_access_key: "AKIA/secret",
    secretAccessKey: "x",
    session_token: "t",
    api_key: "k",
    credentials: { id: "a", value: "b" },
    buffer_size: 10,
    empty_password: "",
  };
  assertEquals(redactSecrets(settings), {
    type: "kafka",
    brokers: ["k1:9092", "k2:9092"],
    sasl: { mechanism: "plain", username: "svc", password: REDACTED },
    secret_access_key: REDACTED,
    secretAccessKey: REDACTED,
    session_token: REDACTED,
    api_key: REDACTED,
    credentials: REDACTED,
    buffer_size: 10,
    empty_password: "",
  });
});

Deno.test("isSecretKey() matches whole words, not fragments", () => {
  for (const key of ["password", "PASSWORD", "db-pass", "apiKey", "apikey", "accesskey", "auth"]) {
    assertEquals(isSecretKey(key), true, key);
  }
  for (const key of ["passive", "keyspace", "monkey", "author", "tokenizer_mode", "region"]) {
    assertEquals(isSecretKey(key), false, key);
  }
});

Deno.test("redactSecrets() stops walking at a bounded depth", () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < 100; i++) deep = [deep];
  let node = redactSecrets(deep);
  let depth = 0;
  while (Array.isArray(node)) {
    node = node[0];
    depth++;
  }
  assertEquals([depth, node], [32, REDACTED]);
});
