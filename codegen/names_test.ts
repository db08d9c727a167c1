import assert from "node:assert/strict";
import { camel, pascal, pathParams, snake } from "./_names.ts";

Deno.test("snake() follows the original algorithm exactly", () => {
  const cases: [string, string][] = [
    ["CreateUser", "create_user"],
    ["HelloWorldWS", "hello_world_w_s"],
    ["HTTPServer", "h_t_t_p_server"],
    ["already_snake", "already_snake"],
    ["Get_User", "get__user"],
    ["userID", "user_i_d"],
    ["Timeline2Test", "timeline2_test"],
  ];
  for (const [input, expected] of cases) assert.equal(snake(input), expected, input);
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
