import assert from "node:assert/strict";
import { camel, pascal, pathParams, snake } from "./_names.ts";

Deno.test("snake() is the parser's snakeCase(), the original algorithm", () => {
  assert.equal(snake("HelloWorldWS"), "hello_world_w_s");
  assert.equal(snake("Timeline2Test"), "timeline2_test");
});

Deno.test("pascal() and camel() split on underscores", () => {
  assert.equal(pascal("send_welcome_email"), "SendWelcomeEmail");
  assert.equal(pascal("get__user"), "GetUser");
  assert.equal(camel("RateLimit"), "rateLimit");
  assert.equal(camel("auth"), "auth");
});

Deno.test("pathParams() reads both {id} and :id forms once each", () => {
  assert.deepEqual(pathParams("/users/:userId/posts/{postId}"), ["userId", "postId"]);
  assert.deepEqual(pathParams("/a/{id}/b/{id}"), ["id"]);
  assert.deepEqual(pathParams("/files/{name}.json"), ["name"]);
  assert.deepEqual(pathParams("/plain"), []);
});
